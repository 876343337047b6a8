//! How a task finds its scheduler: the [`Schedule`] trait and the type-erased
//! [`RawScheduler`] stored in every header.
//!
//! A task keeps its scheduler for as long as any reference to the task exists, because a waker
//! may fire at any time. A static executor hands out `&'static` (nothing to count); the std
//! runtime hands out an `Arc` whose count the task holds until it is deallocated, so the
//! runtime's shared state outlives every waker that could still call `schedule`.
//!
//! The handle is one word: the scheduler object ([`SchedulerCell`]) carries its own vtable
//! reference, so the task stores only the object's address (bit 0 marks an `Arc` count).
//! A `&dyn Schedule` would cost every task a second word for a vtable pointer that is the same
//! for all tasks of a scheduler.

use core::fmt;
use core::ptr::NonNull;

use super::{Notified, TaskRef};

/// What an executor implements to receive its tasks.
///
/// ```
/// use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken};
/// use std::sync::Mutex;
///
/// /// A toy scheduler: a queue that a loop drains.
/// struct Queue(Mutex<Vec<Notified>>);
/// impl Schedule for Queue {
///     fn schedule(&self, task: Notified) {
///         self.0.lock().unwrap().push(task);
///     }
/// }
///
/// static Q: SchedulerCell<Queue> = SchedulerCell::new(Queue(Mutex::new(Vec::new())));
/// let (first, mut join) = SpawnToken::new_boxed(async { 6 * 7 }).bind(RawScheduler::from_static(&Q));
/// first.run();
/// let out = weft_core::executor::__doc_block_on(async { join.await });
/// assert_eq!(out.unwrap(), 42);
/// ```
pub trait Schedule: Send + Sync + 'static {
    /// Queues `task` to be run. Called from wakers, so from any thread or interrupt handler
    /// where the executor documents that as allowed.
    fn schedule(&self, task: Notified);

    /// Queues a task that woke itself while it was being polled (for example `yield_now`).
    /// Schedulers with a LIFO slot put it at the back instead. Defaults to `schedule`.
    fn reschedule(&self, task: Notified) {
        self.schedule(task)
    }

    /// The task completed or was cancelled: forget it in the scheduler's set of owned tasks. Called
    /// exactly once per bound task, on the thread that completed it.
    fn release(&self, task: &TaskRef) {
        let _ = task;
    }

    /// Polling task `id` panicked (the core caught the panic and will hand it to the task's
    /// `JoinHandle`). Called on the polling thread, while the task is still running. Schedulers
    /// that shut down on an unhandled panic hook in here; this works the same for heap and
    /// static-pool tasks because no wrapper future is needed. Default: nothing.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicBool, Ordering};
    /// use weft_core::task::*;
    ///
    /// struct Inline(AtomicBool);
    /// impl Schedule for Inline {
    ///     fn schedule(&self, t: Notified) { t.run() }
    ///     fn unhandled_panic(&self, _id: Id) { self.0.store(true, Ordering::SeqCst) }
    /// }
    /// static S: SchedulerCell<Inline> = SchedulerCell::new(Inline(AtomicBool::new(false)));
    /// let task = SpawnToken::new_boxed(async { if true { panic!("boom") } });
    /// let (first, handle) = task.bind(RawScheduler::from_static(&S));
    /// first.run();
    /// assert!(S.0.load(Ordering::SeqCst));
    /// assert!(handle.is_finished());
    /// ```
    fn unhandled_panic(&self, id: super::Id) {
        let _ = id;
    }
}

/// The functions of one `Schedule` type. Every function takes the address of the vtable
/// reference that sits at the start of the scheduler object (see [`SchedulerCell`]).
pub(crate) struct SchedulerVtable {
    schedule: unsafe fn(*const (), Notified),
    reschedule: unsafe fn(*const (), Notified),
    release: unsafe fn(*const (), &TaskRef),
    unhandled_panic: unsafe fn(*const (), super::Id),
    /// Gives back one `Arc` count (only called for handles made by `from_arc`).
    #[cfg(feature = "alloc")]
    drop_arc: unsafe fn(*const ()),
}

/// A scheduler with its type-erased vtable in front, so that a bound task reaches it through
/// **one thin pointer**.
///
/// A task header has room for one word to name its scheduler (that is what keeps the header
/// at 48 bytes on 64-bit targets). A `&dyn Schedule` is two words, so instead the vtable
/// reference is stored once in the scheduler object, and each task stores only the object's
/// address. Wrap a scheduler in a `SchedulerCell` to hand it to [`RawScheduler::from_static`]
/// or [`RawScheduler::from_arc`]; it dereferences to the scheduler, so nothing else changes.
///
/// ```
/// use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell, SpawnToken};
///
/// struct Inline;
/// impl Schedule for Inline {
///     fn schedule(&self, task: Notified) { task.run() }
/// }
/// static S: SchedulerCell<Inline> = SchedulerCell::new(Inline);
/// let (first, handle) = SpawnToken::new_boxed(async { 5 }).bind(RawScheduler::from_static(&S));
/// first.run();
/// assert!(handle.is_finished());
/// ```
#[repr(C)]
pub struct SchedulerCell<S> {
    /// First field (`repr(C)`): the address of the cell is the address of this reference.
    vtable: &'static SchedulerVtable,
    scheduler: S,
}

impl<S: Schedule> SchedulerCell<S> {
    /// Wraps `scheduler` together with its vtable.
    ///
    /// See [`SchedulerCell`] for an example.
    pub const fn new(scheduler: S) -> SchedulerCell<S> {
        SchedulerCell {
            vtable: &CellVt::<S>::VTABLE,
            scheduler,
        }
    }
}

impl<S> core::ops::Deref for SchedulerCell<S> {
    type Target = S;
    fn deref(&self) -> &S {
        &self.scheduler
    }
}

impl<S: fmt::Debug> fmt::Debug for SchedulerCell<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.scheduler.fmt(f)
    }
}

/// Where the `S` is, given the address a task stores.
pub(crate) trait Locate<S> {
    /// # Safety
    /// `d` came from the constructor that matches this locator and the object is alive.
    unsafe fn get<'a>(d: *const ()) -> &'a S;
    /// Gives back the `Arc` count a handle owns.
    ///
    /// # Safety
    /// `d` came from `RawScheduler::from_arc` and this handle still owns its count.
    #[cfg(feature = "alloc")]
    unsafe fn drop_arc(d: *const ());
}

/// `d` is the address of a `SchedulerCell<S>`.
struct InCell;
impl<S: Schedule> Locate<S> for InCell {
    unsafe fn get<'a>(d: *const ()) -> &'a S {
        // SAFETY: the caller's contract: `d` addresses a live `SchedulerCell<S>`.
        unsafe { &(*(d as *const SchedulerCell<S>)).scheduler }
    }
    #[cfg(feature = "alloc")]
    unsafe fn drop_arc(d: *const ()) {
        // SAFETY: the caller's contract: the count taken by `Arc::into_raw` in `from_arc`.
        unsafe { alloc::sync::Arc::decrement_strong_count(d as *const SchedulerCell<S>) }
    }
}

/// `d` is the address of an `S` of this crate that stores its vtable reference as its own
/// first field (the bare-metal `Executor`, whose public constructor must stay
/// `Executor::new`). Such schedulers are always `static`.
pub(crate) struct Prefixed;
impl<S: Schedule> Locate<S> for Prefixed {
    unsafe fn get<'a>(d: *const ()) -> &'a S {
        // SAFETY: the caller's contract: `d` addresses a live `S`.
        unsafe { &*(d as *const S) }
    }
    #[cfg(feature = "alloc")]
    unsafe fn drop_arc(_: *const ()) {
        unreachable!("weft: a prefixed scheduler is static and never counted")
    }
}

/// The vtable of scheduler type `S` located by `L`.
pub(crate) struct Vt<S, L>(core::marker::PhantomData<(S, L)>);
impl<S: Schedule, L: Locate<S>> Vt<S, L> {
    /// # Safety (of the functions below)
    /// `d` came from the `RawScheduler` constructor matching `L`, and the scheduler is alive
    /// (a task's handle keeps it so: `'static`, or a counted `Arc`).
    unsafe fn schedule(d: *const (), t: Notified) {
        // SAFETY: this function's contract is `L::get`'s.
        unsafe { L::get(d) }.schedule(t)
    }
    unsafe fn reschedule(d: *const (), t: Notified) {
        // SAFETY: as in `schedule`.
        unsafe { L::get(d) }.reschedule(t)
    }
    unsafe fn release(d: *const (), t: &TaskRef) {
        // SAFETY: as in `schedule`.
        unsafe { L::get(d) }.release(t)
    }
    unsafe fn unhandled_panic(d: *const (), id: super::Id) {
        // SAFETY: as in `schedule`.
        unsafe { L::get(d) }.unhandled_panic(id)
    }

    pub(crate) const VTABLE: SchedulerVtable = SchedulerVtable {
        schedule: Self::schedule,
        reschedule: Self::reschedule,
        release: Self::release,
        unhandled_panic: Self::unhandled_panic,
        #[cfg(feature = "alloc")]
        drop_arc: L::drop_arc,
    };
}

/// The vtable a `SchedulerCell<S>` starts with.
type CellVt<S> = Vt<S, InCell>;
/// The vtable a prefixed crate scheduler starts with.
pub(crate) type PrefixedVt<S> = Vt<S, Prefixed>;

/// The thin, type-erased scheduler handle held by each bound task: the address of a scheduler
/// object that starts with its vtable reference. Bit 0 is set when the handle owns an `Arc`
/// count (objects are at least pointer-aligned, so the bit is free).
pub struct RawScheduler {
    tagged: NonNull<()>,
}

const ARC_TAG: usize = 1;

impl fmt::Debug for RawScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawScheduler")
            .field("data", &self.data())
            .field("arc", &(self.tagged.as_ptr().addr() & ARC_TAG != 0))
            .finish()
    }
}

// SAFETY: built only from `S: Schedule` (Send + Sync) behind `&'static` or `Arc`.
unsafe impl Send for RawScheduler {}
// SAFETY: as above.
unsafe impl Sync for RawScheduler {}

impl RawScheduler {
    /// A handle to a scheduler that lives forever (a `static` executor).
    ///
    /// ```
    /// # use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell};
    /// struct Nothing;
    /// impl Schedule for Nothing { fn schedule(&self, _t: Notified) {} }
    /// static S: SchedulerCell<Nothing> = SchedulerCell::new(Nothing);
    /// let _handle = RawScheduler::from_static(&S);
    /// ```
    pub fn from_static<S: Schedule>(s: &'static SchedulerCell<S>) -> RawScheduler {
        RawScheduler {
            tagged: NonNull::from(s).cast(),
        }
    }

    /// A handle to a crate-internal scheduler that stores its vtable reference itself.
    ///
    /// # Safety
    /// `S` is `#[repr(C)]` and its first field is `&PrefixedVt::<S>::VTABLE`.
    pub(crate) unsafe fn from_static_prefixed<S: Schedule>(s: &'static S) -> RawScheduler {
        RawScheduler {
            tagged: NonNull::from(s).cast(),
        }
    }

    /// A handle that keeps `s` alive until the task's storage is freed.
    ///
    /// ```
    /// # use weft_core::task::{Notified, RawScheduler, Schedule, SchedulerCell};
    /// # use std::sync::Arc;
    /// struct Nothing;
    /// impl Schedule for Nothing { fn schedule(&self, _t: Notified) {} }
    /// let _handle = RawScheduler::from_arc(Arc::new(SchedulerCell::new(Nothing)));
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_arc<S: Schedule>(s: alloc::sync::Arc<SchedulerCell<S>>) -> RawScheduler {
        let raw = alloc::sync::Arc::into_raw(s) as *mut ();
        // SAFETY: `Arc::into_raw` is never null; the cell is pointer-aligned, so bit 0 is free.
        let tagged = unsafe { NonNull::new_unchecked(raw.map_addr(|a| a | ARC_TAG)) };
        RawScheduler { tagged }
    }

    /// The scheduler object's address (tag removed).
    fn data(&self) -> *const () {
        self.tagged.as_ptr().map_addr(|a| a & !ARC_TAG)
    }

    fn vtable(&self) -> &'static SchedulerVtable {
        // SAFETY: the object starts with its `&'static SchedulerVtable` (`SchedulerCell` and
        // prefixed schedulers are `repr(C)` with it first) and is alive while we exist.
        unsafe { *(self.data() as *const &'static SchedulerVtable) }
    }

    pub(crate) fn schedule(&self, task: Notified) {
        // SAFETY: the vtable belongs to the object at `data` by construction.
        unsafe { (self.vtable().schedule)(self.data(), task) }
    }

    pub(crate) fn reschedule(&self, task: Notified) {
        // SAFETY: as above.
        unsafe { (self.vtable().reschedule)(self.data(), task) }
    }

    pub(crate) fn release(&self, task: &TaskRef) {
        // SAFETY: as above.
        unsafe { (self.vtable().release)(self.data(), task) }
    }

    pub(crate) fn unhandled_panic(&self, id: super::Id) {
        // SAFETY: as above.
        unsafe { (self.vtable().unhandled_panic)(self.data(), id) }
    }
}

impl Drop for RawScheduler {
    fn drop(&mut self) {
        #[cfg(feature = "alloc")]
        if self.tagged.as_ptr().addr() & ARC_TAG != 0 {
            // SAFETY: the tag says this handle owns one count of an `Arc<SchedulerCell<S>>`
            // whose vtable's `drop_arc` matches; called once.
            unsafe { (self.vtable().drop_arc)(self.data()) }
        }
    }
}
