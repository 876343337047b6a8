//! [`SpawnToken`]: a task that exists but is not yet bound to a scheduler.

use core::fmt;
#[cfg(feature = "alloc")]
use core::future::Future;
use core::marker::PhantomData;
use core::ptr::NonNull;

use super::harness::Notified;
use super::header::Header;
use super::{Id, JoinHandle, RawScheduler};

/// A task whose storage is claimed and whose future is in place, but which no executor runs
/// yet. Hand it to an executor's `spawn` to get a [`JoinHandle`].
///
/// `T` is the output; `F` is the future's type, kept only as a marker so the token is `Send`
/// exactly when the future is (an executor on another thread may then accept it). Dropping a
/// token drops the future and frees its slot.
///
/// ```
/// use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
///
/// let token = SpawnToken::new_boxed(async { 2 + 2 });
/// let handle = EXEC.spawn(token);
/// assert_eq!(EXEC.block_on(handle).unwrap(), 4);
/// ```
#[must_use = "a SpawnToken does nothing until it is spawned on an executor"]
pub struct SpawnToken<T, F = ()> {
    raw: NonNull<Header>,
    _p: PhantomData<(fn() -> T, F)>,
}

impl<T, F> fmt::Debug for SpawnToken<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SpawnToken")
            .field("id", &self.id())
            .finish()
    }
}

// SAFETY: the token owns the task exclusively; moving it moves the future, which is `Send`
// when `F` is (the marker).
unsafe impl<T, F: Send> Send for SpawnToken<T, F> {}

impl<T, F> SpawnToken<T, F> {
    /// # Safety
    /// `raw` is a claimed, unshared task whose stage holds a future with output `T` and whose
    /// type is `F` (or `F` is a marker no more `Send` than it).
    pub(crate) unsafe fn from_raw(raw: NonNull<Header>) -> Self {
        SpawnToken {
            raw,
            _p: PhantomData,
        }
    }

    /// The id the task will have.
    ///
    /// ```
    /// let t = weft_core::task::SpawnToken::new_boxed(async {});
    /// println!("{}", t.id());
    /// ```
    pub fn id(&self) -> Id {
        // SAFETY: the token owns the task.
        unsafe { self.raw.as_ref() }.id()
    }

    /// Binds the task to a scheduler: returns the first [`Notified`] (queue it to run the
    /// task) and the [`JoinHandle`]. This is what executors call; users call an executor's
    /// `spawn`.
    ///
    /// ```
    /// use weft_core::task::*;
    /// struct Inline;
    /// impl Schedule for Inline { fn schedule(&self, t: Notified) { t.run() } }
    /// static S: SchedulerCell<Inline> = SchedulerCell::new(Inline);
    /// let (first, handle) = SpawnToken::new_boxed(async { 5 }).bind(RawScheduler::from_static(&S));
    /// first.run();
    /// assert!(handle.is_finished());
    /// ```
    pub fn bind(self, scheduler: RawScheduler) -> (Notified, JoinHandle<T>) {
        let raw = core::mem::ManuallyDrop::new(self).raw;
        // SAFETY: the token owns the unshared task; the scheduler is written before the state
        // is published with Release.
        let header = unsafe { raw.as_ref() };
        // SAFETY: as above.
        unsafe { *header.scheduler.get() = Some(scheduler) };
        header.state.store_initial();
        (Notified::from_owned(raw), JoinHandle::new(raw))
    }
}

#[cfg(feature = "alloc")]
impl<F: Future + 'static> SpawnToken<F::Output, F> {
    /// Puts `future` in a heap task (one allocation for header, future and output).
    ///
    /// ```
    /// let token = weft_core::task::SpawnToken::new_boxed(async { 1 });
    /// drop(token); // the future is dropped, the memory freed
    /// ```
    pub fn new_boxed(future: F) -> Self {
        use super::cell::{Cell, Fns};
        let cell = alloc::boxed::Box::new(Cell::<F>::new(&Fns::<F>::HEAP));
        // SAFETY: the cell is unshared and its stage empty.
        unsafe { cell.put_future(future) };
        cell.header.state.store_unshared(super::state::CLAIMED);
        let raw = NonNull::from(alloc::boxed::Box::leak(cell)).cast::<Header>();
        // SAFETY: freshly claimed heap task of future type F.
        unsafe { SpawnToken::from_raw(raw) }
    }
}

impl<T, F> Drop for SpawnToken<T, F> {
    fn drop(&mut self) {
        // SAFETY: the token owns the unbound task exclusively.
        unsafe {
            let header = self.raw.as_ref();
            (header.vtable.drop_future)(self.raw);
            (header.vtable.dealloc)(self.raw);
        }
    }
}
