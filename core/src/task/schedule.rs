//! How a task finds its scheduler: the [`Schedule`] trait and the type-erased
//! [`RawScheduler`] stored in every header.
//!
//! A task keeps its scheduler for as long as any reference to the task exists, because a waker
//! may fire at any time. A static executor hands out `&'static` (nothing to count); the std
//! runtime hands out an `Arc` whose count the task holds until it is deallocated, so the
//! runtime's shared state outlives every waker that could still call `schedule`.

use core::fmt;

use super::{Notified, TaskRef};

/// What an executor implements to receive its tasks.
///
/// ```
/// use weft_core::task::{Notified, RawScheduler, Schedule, SpawnToken};
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
/// static Q: Queue = Queue(Mutex::new(Vec::new()));
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

    /// The task completed or was cancelled: unlink it from the scheduler's owned list. Called
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
    /// static S: Inline = Inline(AtomicBool::new(false));
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

struct SchedulerVtable {
    schedule: unsafe fn(*const (), Notified),
    reschedule: unsafe fn(*const (), Notified),
    release: unsafe fn(*const (), &TaskRef),
    unhandled_panic: unsafe fn(*const (), super::Id),
    drop: unsafe fn(*const ()),
}

/// A type-erased scheduler handle held by each bound task.
pub struct RawScheduler {
    data: *const (),
    vtable: &'static SchedulerVtable,
}

impl fmt::Debug for RawScheduler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawScheduler")
            .field("data", &self.data)
            .finish()
    }
}

// SAFETY: built only from `S: Schedule` (Send + Sync) behind `&'static` or `Arc`.
unsafe impl Send for RawScheduler {}
// SAFETY: as above.
unsafe impl Sync for RawScheduler {}

struct StaticVt<S>(core::marker::PhantomData<S>);
impl<S: Schedule> StaticVt<S> {
    const VTABLE: SchedulerVtable = SchedulerVtable {
        schedule: |d, t| {
            // SAFETY: `d` came from `&'static S` in `from_static`.
            unsafe { &*(d as *const S) }.schedule(t)
        },
        reschedule: |d, t| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.reschedule(t)
        },
        release: |d, t| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.release(t)
        },
        unhandled_panic: |d, id| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.unhandled_panic(id)
        },
        drop: |_| {},
    };
}

#[cfg(feature = "alloc")]
struct ArcVt<S>(core::marker::PhantomData<S>);
#[cfg(feature = "alloc")]
impl<S: Schedule> ArcVt<S> {
    const VTABLE: SchedulerVtable = SchedulerVtable {
        schedule: |d, t| {
            // SAFETY: `d` came from `Arc::into_raw` and its count is held by this handle.
            unsafe { &*(d as *const S) }.schedule(t)
        },
        reschedule: |d, t| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.reschedule(t)
        },
        release: |d, t| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.release(t)
        },
        unhandled_panic: |d, id| {
            // SAFETY: as above.
            unsafe { &*(d as *const S) }.unhandled_panic(id)
        },
        drop: |d| {
            // SAFETY: gives back the count taken by `Arc::into_raw` in `from_arc`.
            drop(unsafe { alloc::sync::Arc::from_raw(d as *const S) })
        },
    };
}

impl RawScheduler {
    /// A handle to a scheduler that lives forever (a `static` executor).
    ///
    /// ```
    /// # use weft_core::task::{Notified, RawScheduler, Schedule};
    /// struct Nothing;
    /// impl Schedule for Nothing { fn schedule(&self, _t: Notified) {} }
    /// static S: Nothing = Nothing;
    /// let _handle = RawScheduler::from_static(&S);
    /// ```
    pub fn from_static<S: Schedule>(s: &'static S) -> RawScheduler {
        RawScheduler {
            data: s as *const S as *const (),
            vtable: &StaticVt::<S>::VTABLE,
        }
    }

    /// A handle that keeps `s` alive until the task's storage is freed.
    ///
    /// ```
    /// # use weft_core::task::{Notified, RawScheduler, Schedule};
    /// # use std::sync::Arc;
    /// struct Nothing;
    /// impl Schedule for Nothing { fn schedule(&self, _t: Notified) {} }
    /// let _handle = RawScheduler::from_arc(Arc::new(Nothing));
    /// ```
    #[cfg(feature = "alloc")]
    pub fn from_arc<S: Schedule>(s: alloc::sync::Arc<S>) -> RawScheduler {
        RawScheduler {
            data: alloc::sync::Arc::into_raw(s) as *const (),
            vtable: &ArcVt::<S>::VTABLE,
        }
    }

    pub(crate) fn schedule(&self, task: Notified) {
        // SAFETY: the vtable matches `data` by construction.
        unsafe { (self.vtable.schedule)(self.data, task) }
    }

    pub(crate) fn reschedule(&self, task: Notified) {
        // SAFETY: as above.
        unsafe { (self.vtable.reschedule)(self.data, task) }
    }

    pub(crate) fn release(&self, task: &TaskRef) {
        // SAFETY: as above.
        unsafe { (self.vtable.release)(self.data, task) }
    }

    pub(crate) fn unhandled_panic(&self, id: super::Id) {
        // SAFETY: as above.
        unsafe { (self.vtable.unhandled_panic)(self.data, id) }
    }
}

impl Drop for RawScheduler {
    fn drop(&mut self) {
        // SAFETY: as above; called once.
        unsafe { (self.vtable.drop)(self.data) }
    }
}
