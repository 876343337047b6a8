//! The timer queue's lock under loom: loom's model-checked mutex.

pub(crate) struct Lock<T> {
    inner: loom::sync::Mutex<T>,
}

impl<T> Lock<T> {
    pub(crate) fn new(value: T) -> Self {
        Lock {
            inner: loom::sync::Mutex::new(value),
        }
    }

    /// Runs `f` with exclusive access. `f` must not re-enter this lock.
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.inner.lock().unwrap();
        f(&mut guard)
    }
}
