//! [`JoinHandle`] and [`AbortHandle`].
//!
//! The join waker slot in the header is handed back and forth with the JOIN_WAKER bit: while
//! it is clear the handle may write the slot; once set, only the completer reads it. A handle
//! that wants to store a different waker first clears the bit (which fails if the task
//! completed meanwhile, in which case the output is ready). The output itself is read by the
//! handle after it observes COMPLETE; if the handle is dropped first (JOIN_INTEREST cleared
//! before COMPLETE) the completer drops the output, otherwise the handle does. Exactly one side
//! drops it.

use core::fmt;
use core::future::Future;
use core::marker::PhantomData;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use super::harness::{abort, drop_ref};
use super::header::Header;
use super::state::{COMPLETE, JOIN_WAKER};
use super::{Id, JoinError};

/// An owned permission to await a task's output.
///
/// Awaiting it yields `Ok(output)`, or a [`JoinError`] when the task was cancelled or panicked.
/// Dropping it *detaches* the task: it keeps running and its output is dropped when it
/// completes. The same type serves static-pool tasks and heap tasks.
///
/// ```
/// use weft_core::executor::Executor;
/// use weft_core::park::ThreadPark;
/// use weft_core::task::SpawnToken;
///
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
/// let handle = EXEC.spawn(SpawnToken::new_boxed(async { "done" }));
/// assert_eq!(EXEC.block_on(handle).unwrap(), "done");
/// ```
pub struct JoinHandle<T> {
    raw: NonNull<Header>,
    /// Set once the output has been moved out: the stage is empty from then on.
    output_taken: bool,
    _p: PhantomData<T>,
}

// SAFETY: the handle only moves the output `T` to its owner; the task itself is shared through
// atomic transitions.
unsafe impl<T: Send> Send for JoinHandle<T> {}
// SAFETY: `&JoinHandle` allows only atomic operations (abort, is_finished, id).
unsafe impl<T: Send> Sync for JoinHandle<T> {}

impl<T> Unpin for JoinHandle<T> {}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id())
            .finish()
    }
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(raw: NonNull<Header>) -> JoinHandle<T> {
        JoinHandle {
            raw,
            output_taken: false,
            _p: PhantomData,
        }
    }

    fn header(&self) -> &Header {
        // SAFETY: the handle holds a reference.
        unsafe { self.raw.as_ref() }
    }

    /// Cancels the task. An idle task's future is dropped by its executor; a task being polled
    /// is dropped when that poll returns; a completed task is unaffected. Awaiting the handle
    /// afterwards yields a cancelled [`JoinError`] unless the task had already completed.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
    /// h.abort();
    /// assert!(EXEC.block_on(h).unwrap_err().is_cancelled());
    /// ```
    pub fn abort(&self) {
        // SAFETY: we hold a reference to a bound task.
        unsafe { abort(self.raw) }
    }

    /// `true` once the task has completed, been cancelled, or panicked.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(async {}));
    /// assert!(!h.is_finished());
    /// EXEC.run_until_idle();
    /// assert!(h.is_finished());
    /// ```
    pub fn is_finished(&self) -> bool {
        self.header().state.load().is(COMPLETE)
    }

    /// A handle that can abort the task without owning its output.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
    /// let a = h.abort_handle();
    /// a.abort();
    /// assert!(EXEC.block_on(h).unwrap_err().is_cancelled());
    /// ```
    pub fn abort_handle(&self) -> AbortHandle {
        self.header().state.ref_inc();
        AbortHandle { raw: self.raw }
    }

    /// The task's id.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let t = SpawnToken::new_boxed(async {});
    /// let id = t.id();
    /// assert_eq!(EXEC.spawn(t).id(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.header().id()
    }

    /// Whether the output can be read now; otherwise registers `waker` for completion.
    fn can_read_output(&self, waker: &Waker) -> bool {
        let header = self.header();
        let snapshot = header.state.load();
        if snapshot.is(COMPLETE) {
            return true;
        }
        if snapshot.is(JOIN_WAKER) {
            // SAFETY: JOIN_WAKER is set and the task is not complete: the slot holds a waker and
            // the completer only reads it.
            let same = unsafe { &*header.join_waker.get() }
                .as_ref()
                .is_some_and(|w| w.will_wake(waker));
            if same {
                return false;
            }
            if header.state.unset_join_waker().is_err() {
                return true;
            }
        }
        // SAFETY: JOIN_WAKER is clear, so the slot is ours.
        unsafe { *header.join_waker.get() = Some(waker.clone()) };
        header.state.set_join_waker().is_err()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        assert!(
            !this.output_taken,
            "`JoinHandle` polled after it returned `Poll::Ready`; keep the output from the first \
             `Ready`, or fuse the handle (`FutureExt::fuse`) if a loop may poll it again"
        );
        let coop = core::task::ready!(super::coop::poll_proceed(cx));
        let mut out: Poll<Result<T, JoinError>> = Poll::Pending;
        if this.can_read_output(cx.waker()) {
            // SAFETY: COMPLETE observed with JOIN_INTEREST held and not read before: the output
            // is ours to move out, and `out` has the type this handle was created for.
            unsafe { (this.header().vtable.read_output)(this.raw, &mut out as *mut _ as *mut ()) };
            this.output_taken = true;
            coop.made_progress();
        }
        out
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        let header = self.header();
        let mut panic = None;
        if header.state.unset_join_interest().is_err() && !self.output_taken {
            // Already complete and never read: the output is ours to drop. Its destructor may
            // panic: the handle's reference is dropped first, then the panic goes on.
            // SAFETY: COMPLETE with JOIN_INTEREST held gives the handle the stage.
            panic = super::unwind::catch(|| unsafe { (header.vtable.drop_output)(self.raw) }).err();
        }
        // SAFETY: the handle's reference.
        unsafe { drop_ref(self.raw) };
        if let Some(payload) = panic {
            super::unwind::resume(payload);
        }
    }
}

/// Cancels a task without owning its output (see [`JoinHandle::abort_handle`]).
///
/// ```
/// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
/// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
/// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
/// let a = h.abort_handle();
/// let a2 = a.clone();
/// std::thread::spawn(move || a2.abort()).join().unwrap();
/// assert!(EXEC.block_on(h).unwrap_err().is_cancelled());
/// assert!(a.is_finished());
/// ```
pub struct AbortHandle {
    raw: NonNull<Header>,
}

// SAFETY: only atomic operations on the task.
unsafe impl Send for AbortHandle {}
// SAFETY: as above.
unsafe impl Sync for AbortHandle {}

impl fmt::Debug for AbortHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbortHandle")
            .field("id", &self.id())
            .finish()
    }
}

impl AbortHandle {
    fn header(&self) -> &Header {
        // SAFETY: counted reference.
        unsafe { self.raw.as_ref() }
    }

    /// Cancels the task, like [`JoinHandle::abort`].
    ///
    /// See [`AbortHandle`] for an example.
    pub fn abort(&self) {
        // SAFETY: counted reference to a bound task.
        unsafe { abort(self.raw) }
    }

    /// `true` once the task finished.
    ///
    /// See [`AbortHandle`] for an example.
    pub fn is_finished(&self) -> bool {
        self.header().state.load().is(COMPLETE)
    }

    /// The task's id.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(async {}));
    /// assert_eq!(h.abort_handle().id(), h.id());
    /// ```
    pub fn id(&self) -> Id {
        self.header().id()
    }
}

impl Clone for AbortHandle {
    fn clone(&self) -> AbortHandle {
        self.header().state.ref_inc();
        AbortHandle { raw: self.raw }
    }
}

impl Drop for AbortHandle {
    fn drop(&mut self) {
        // SAFETY: ours.
        unsafe { drop_ref(self.raw) }
    }
}
