//! The type-independent task logic: running a task once, completing it, waking it, cancelling
//! it, and the two reference types schedulers hold ([`Notified`], [`TaskRef`]).
//!
//! ## Running (`Notified::run`)
//!
//! 1. `to_running`: NOTIFIED -> RUNNING. If the task was cancelled meanwhile, the future is
//!    dropped instead of polled; if it already completed (shut down while queued), the
//!    reference is just dropped.
//! 2. Poll once with a waker that borrows the task (no reference-count traffic per poll).
//! 3. Ready: store the output and complete. Pending: `to_idle`; if the task was woken during the
//!    poll, the Notified reference is handed straight back to the scheduler through
//!    `Schedule::reschedule` (no count change); if it was aborted during the poll, the future
//!    is dropped now, by the thread that was polling it.
//!
//! ## Completing
//!
//! `to_complete` flips RUNNING to COMPLETE in one atomic step and returns the word before.
//! Without JOIN_INTEREST nobody will read the output, so it is dropped here; with JOIN_WAKER
//! the JoinHandle's waker is woken. Then the scheduler's `release` hook removes the task from
//! its set of owned tasks, and the *alive* reference is dropped.
//!
//! ## Shutdown
//!
//! `TaskRef::shutdown` sets CANCELLED. If no one is polling the task it also takes RUNNING,
//! so the caller drops the future right away, on its own thread; if the task is being polled,
//! the poller drops it when the poll returns. A task that is queued at that moment stays
//! queued; when its `Notified` is run or dropped, `to_running` reports it complete and only
//! the reference goes. Either way every future is dropped exactly once.

use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::task::{RawWaker, RawWakerVTable, Waker};

use super::header::Header;
use super::state::{RefDec, ToIdle, ToNotified, ToRunning, JOIN_INTEREST, JOIN_WAKER};
use super::Id;

/// A task that is ready to run; it owns the task's one *notified* reference.
///
/// Schedulers receive it through [`Schedule::schedule`](super::Schedule::schedule), queue it,
/// and later call [`run`](Notified::run). Dropping it without running cancels the task (its
/// future is dropped on the spot), so a scheduler that drains its queues at shutdown cannot
/// leak a task.
///
/// ```
/// use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken};
/// struct Drop_;
/// impl Schedule for Drop_ { fn schedule(&self, _t: Notified) {} }
/// static S: SchedulerCell<Drop_> = SchedulerCell::new(Drop_);
/// let (notified, handle) = SpawnToken::new_boxed(async { 1 }).bind(RawScheduler::from_static(&S));
/// notified.run();
/// assert!(handle.is_finished());
/// ```
pub struct Notified {
    raw: NonNull<Header>,
}

// SAFETY: a Notified is created only for bound tasks whose future is `Send` (multi-thread
// schedulers require it at spawn) or for executors that run every task on one thread.
unsafe impl Send for Notified {}

impl core::fmt::Debug for Notified {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("Notified").field(self.header()).finish()
    }
}

impl Notified {
    pub(crate) fn from_owned(raw: NonNull<Header>) -> Notified {
        Notified { raw }
    }

    /// The task's header.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// let (n, _h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// assert_eq!(n.header().id(), n.id());
    /// ```
    pub fn header(&self) -> &Header {
        // SAFETY: we hold a reference, so the task is alive.
        unsafe { self.raw.as_ref() }
    }

    /// The task's id.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// let (n, h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// assert_eq!(n.id(), h.id());
    /// ```
    pub fn id(&self) -> Id {
        self.header().id()
    }

    /// Gives up the reference as a raw pointer (for intrusive or ring-buffer queues).
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// let (n, _h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// let raw = n.into_raw();
    /// // SAFETY: `raw` came from `into_raw` and is used once.
    /// let n = unsafe { Notified::from_raw(raw) };
    /// n.run();
    /// ```
    pub fn into_raw(self) -> NonNull<Header> {
        ManuallyDrop::new(self).raw
    }

    /// The task's address, without giving up the reference. Unlike `&Header` from
    /// [`header`](Notified::header), the pointer may be used for the whole task (header and
    /// stage), e.g. to rebuild a [`TaskRef`] with [`TaskRef::clone_from_raw`] later.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// let (n, _h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// assert_eq!(n.as_ptr().as_ptr() as usize as u64, n.id().as_u64());
    /// ```
    pub fn as_ptr(&self) -> NonNull<Header> {
        self.raw
    }

    /// Takes back a reference given up by [`into_raw`](Notified::into_raw).
    ///
    /// # Safety
    /// `raw` must come from `Notified::into_raw`, and each such pointer is turned back once.
    pub unsafe fn from_raw(raw: NonNull<Header>) -> Notified {
        Notified { raw }
    }

    /// Polls the task once. Rescheduling, completion and cancellation are handled inside.
    ///
    /// See [`Notified`] for an example.
    pub fn run(self) {
        let raw = self.into_raw();
        // SAFETY: we own the notified reference, so the task is alive.
        let header = unsafe { raw.as_ref() };
        match header.state.to_running() {
            ToRunning::Success => {}
            ToRunning::Cancelled => {
                // SAFETY: we hold RUNNING and one reference.
                unsafe { cancel_and_complete(raw, 1) };
                return;
            }
            ToRunning::Failed => {
                // SAFETY: we hold one reference.
                unsafe { drop_ref(raw) };
                return;
            }
        }
        let waker = ManuallyDrop::new(
            // SAFETY: the waker borrows our reference and is not dropped (ManuallyDrop); clones
            // take their own references.
            unsafe { Waker::from_raw(RawWaker::new(raw.as_ptr() as *const (), &WAKER_VTABLE)) },
        );
        // SAFETY: we hold RUNNING.
        if unsafe { (header.vtable.poll)(raw, &waker) } {
            // SAFETY: RUNNING and one reference.
            unsafe { complete(raw, 1) };
            return;
        }
        match header.state.to_idle() {
            // SAFETY: our reference.
            ToIdle::Ok => unsafe { drop_ref(raw) },
            // SAFETY: bound task; our reference becomes the new Notified.
            ToIdle::OkNotified => unsafe { header.scheduler() }.reschedule(Notified { raw }),
            // SAFETY: still RUNNING (to_idle did not change the word) and one reference.
            ToIdle::Cancelled => unsafe { cancel_and_complete(raw, 1) },
        }
    }

    /// Cancels the task now (its future is dropped on this thread unless another thread is
    /// polling it) and drops this reference.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// let (n, h) = SpawnToken::new_boxed(std::future::pending::<()>()).bind(RawScheduler::from_static(&SCHED));
    /// n.shutdown();
    /// assert!(h.is_finished());
    /// ```
    pub fn shutdown(self) {
        let raw = self.into_raw();
        // SAFETY: we hold a reference.
        unsafe { shutdown(raw) };
        // SAFETY: ours.
        unsafe { drop_ref(raw) };
    }
}

impl Drop for Notified {
    fn drop(&mut self) {
        // SAFETY: we hold a reference.
        unsafe { shutdown(self.raw) };
        // SAFETY: ours.
        unsafe { drop_ref(self.raw) };
    }
}

/// A counted reference to a task, for schedulers that keep a list of their tasks (to cancel
/// them at shutdown).
///
/// ```
/// use weft_core::task::*;
/// struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
/// static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
/// let (n, h) = SpawnToken::new_boxed(std::future::pending::<()>()).bind(RawScheduler::from_static(&SCHED));
/// // SAFETY: the task is alive: we hold `n`.
/// let r = unsafe { TaskRef::clone_from_raw(n.into_raw()) };
/// r.shutdown();
/// assert!(h.is_finished());
/// ```
pub struct TaskRef {
    raw: NonNull<Header>,
}

// SAFETY: see `Notified`.
unsafe impl Send for TaskRef {}
// SAFETY: the shared operations are atomic transitions.
unsafe impl Sync for TaskRef {}

impl core::fmt::Debug for TaskRef {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("TaskRef").field(self.header()).finish()
    }
}

impl TaskRef {
    /// Takes a new counted reference to a live task.
    ///
    /// # Safety
    /// The task must be alive for the duration of the call (the caller holds a reference, or
    /// the task is in an owned-task set it has not been released from).
    pub unsafe fn clone_from_raw(raw: NonNull<Header>) -> TaskRef {
        // SAFETY: caller's contract.
        unsafe { raw.as_ref() }.state.ref_inc();
        TaskRef { raw }
    }

    /// Borrows a task as a `TaskRef` without taking a count.
    pub(crate) fn borrowed(raw: NonNull<Header>) -> ManuallyDrop<TaskRef> {
        ManuallyDrop::new(TaskRef { raw })
    }

    /// The task's header.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// # let (n, _h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// let r = unsafe { TaskRef::clone_from_raw(n.into_raw()) };
    /// println!("{:?}", r.header());
    /// ```
    pub fn header(&self) -> &Header {
        // SAFETY: counted reference.
        unsafe { self.raw.as_ref() }
    }

    /// The task's id.
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// # let (n, h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// let r = unsafe { TaskRef::clone_from_raw(n.into_raw()) };
    /// assert_eq!(r.id(), h.id());
    /// ```
    pub fn id(&self) -> Id {
        self.header().id()
    }

    /// The header pointer (no count is given up).
    ///
    /// ```
    /// # use weft_core::task::*;
    /// # struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
    /// # static SCHED: SchedulerCell<S> = SchedulerCell::new(S);
    /// # let (n, _h) = SpawnToken::new_boxed(async {}).bind(RawScheduler::from_static(&SCHED));
    /// let r = unsafe { TaskRef::clone_from_raw(n.into_raw()) };
    /// assert_eq!(r.as_ptr().as_ptr() as *const _, r.header() as *const _);
    /// ```
    pub fn as_ptr(&self) -> NonNull<Header> {
        self.raw
    }

    /// Cancels the task: drops its future now if nobody is polling it, otherwise as soon as
    /// the current poll returns. Does nothing to a completed task.
    ///
    /// See [`TaskRef`] for an example.
    pub fn shutdown(&self) {
        // SAFETY: counted reference.
        unsafe { shutdown(self.raw) }
    }
}

impl Clone for TaskRef {
    fn clone(&self) -> TaskRef {
        self.header().state.ref_inc();
        TaskRef { raw: self.raw }
    }
}

impl Drop for TaskRef {
    fn drop(&mut self) {
        // SAFETY: ours.
        unsafe { drop_ref(self.raw) }
    }
}

/// # Safety
/// The caller holds a reference.
pub(crate) unsafe fn shutdown(raw: NonNull<Header>) {
    // SAFETY: caller's contract.
    let header = unsafe { raw.as_ref() };
    if header.state.to_shutdown() {
        // SAFETY: to_shutdown gave us RUNNING; the caller keeps its own reference.
        unsafe { cancel_and_complete(raw, 0) };
    }
}

/// # Safety
/// The caller holds RUNNING and `refs` references that are dropped here.
unsafe fn cancel_and_complete(raw: NonNull<Header>, refs: usize) {
    // SAFETY: caller's contract.
    unsafe {
        (raw.as_ref().vtable.cancel)(raw);
        complete(raw, refs);
    }
}

/// # Safety
/// The caller holds RUNNING, the stage holds the output, and `refs` references are dropped here
/// together with the alive reference.
unsafe fn complete(raw: NonNull<Header>, refs: usize) {
    // SAFETY: caller's contract.
    let header = unsafe { raw.as_ref() };
    let prev = header.state.to_complete();
    if !prev.is(JOIN_INTEREST) {
        // Nobody will read the output; COMPLETE without JOIN_INTEREST makes the stage ours.
        // SAFETY: as just said.
        let _ = super::unwind::catch(|| unsafe { (header.vtable.drop_output)(raw) });
    } else if prev.is(JOIN_WAKER) {
        // SAFETY: JOIN_WAKER was set before COMPLETE, so the slot is ours to read.
        if let Some(w) = unsafe { &*header.join_waker.get() } {
            // A waker is user code and may panic. The task must still be released and its
            // references dropped below, or it would never be freed (and a runtime shutting
            // down would stop halfway), so the panic is caught and dropped, as tokio does.
            let _ = super::unwind::catch(|| w.wake_by_ref());
        }
    }
    // SAFETY: bound task.
    unsafe { header.scheduler() }.release(&TaskRef::borrowed(raw));
    if header.state.ref_dec_n(refs + 1) == RefDec::Dealloc {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(raw) };
    }
}

/// # Safety
/// The caller gives up one reference.
pub(crate) unsafe fn drop_ref(raw: NonNull<Header>) {
    // SAFETY: caller's contract.
    let header = unsafe { raw.as_ref() };
    if header.state.ref_dec() == RefDec::Dealloc {
        // SAFETY: that was the last reference.
        unsafe { (header.vtable.dealloc)(raw) };
    }
}

/// # Safety
/// The caller holds a reference to a bound task.
pub(crate) unsafe fn abort(raw: NonNull<Header>) {
    // SAFETY: caller's contract.
    let header = unsafe { raw.as_ref() };
    if header.state.to_notified_and_cancel() == ToNotified::Submit {
        // SAFETY: bound; the transition took the reference the Notified owns.
        unsafe { header.scheduler() }.schedule(Notified { raw });
    }
}

// ---- wakers: the data pointer is the header; each waker holds one reference ----

static WAKER_VTABLE: RawWakerVTable =
    RawWakerVTable::new(waker_clone, waker_wake, waker_wake_by_ref, waker_drop);

unsafe fn waker_clone(p: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned holds (or borrows) a reference.
    unsafe { &*(p as *const Header) }.state.ref_inc();
    RawWaker::new(p, &WAKER_VTABLE)
}

unsafe fn waker_wake(p: *const ()) {
    // SAFETY: waker data is a live header pointer.
    let raw = unsafe { NonNull::new_unchecked(p as *mut Header) };
    // SAFETY: as above.
    let header = unsafe { raw.as_ref() };
    match header.state.to_notified_by_val() {
        // SAFETY: bound (wakers exist only for tasks that were polled); our reference moves.
        ToNotified::Submit => unsafe { header.scheduler() }.schedule(Notified { raw }),
        ToNotified::DoNothing => {}
        // SAFETY: that was the last reference.
        ToNotified::Dealloc => unsafe { (header.vtable.dealloc)(raw) },
    }
}

unsafe fn waker_wake_by_ref(p: *const ()) {
    // SAFETY: waker data is a live header pointer.
    let raw = unsafe { NonNull::new_unchecked(p as *mut Header) };
    // SAFETY: as above.
    let header = unsafe { raw.as_ref() };
    if header.state.to_notified_by_ref() == ToNotified::Submit {
        // SAFETY: bound; the transition took a new reference for the Notified.
        unsafe { header.scheduler() }.schedule(Notified { raw });
    }
}

unsafe fn waker_drop(p: *const ()) {
    // SAFETY: the waker owned a reference.
    unsafe { drop_ref(NonNull::new_unchecked(p as *mut Header)) }
}

#[allow(dead_code)]
const _: () = {
    let _ = JOIN_WAKER;
};
