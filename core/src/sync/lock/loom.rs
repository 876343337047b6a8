//! `Lock` under `cfg(loom)`: loom's mutex, so the model checker sees every acquisition.

/// A mutual-exclusion lock around the state of one primitive; see [`super`].
#[derive(Debug)]
pub(crate) struct Lock<T>(loom::sync::Mutex<T>);

impl<T> Lock<T> {
    /// Creates an unlocked lock (not `const` under loom).
    pub(crate) fn new(value: T) -> Self {
        Lock(loom::sync::Mutex::new(value))
    }

    /// Runs `f` with exclusive access to the state.
    #[inline]
    pub(crate) fn with<R>(&self, f: impl FnOnce(&mut T) -> R) -> R {
        let mut guard = self.0.lock().unwrap();
        f(&mut guard)
    }
}
