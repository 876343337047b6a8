//! The thread-local runtime context.
//!
//! # Design
//!
//! Three independent pieces of per-thread state, each set by a guard and restored on drop (so
//! they nest and unwind correctly):
//!
//! * **current handle** — which runtime `weft::spawn`, `Handle::current` and the drivers use.
//!   Set by [`Handle::enter`](crate::runtime::Handle::enter), by `block_on`, and on every
//!   runtime thread. Entering also installs the runtime's time driver (and I/O driver) in their
//!   own thread-locals so `sleep` and sockets find them.
//! * **entered runtime** — whether this thread is *driving* a runtime (it is a worker, or is
//!   inside `block_on`). A second `block_on` on such a thread would block the very thread that
//!   must make progress, so it panics instead of deadlocking — in release builds too.
//! * **scheduler context** — a pointer to the running scheduler's per-thread state (the worker
//!   and its core, or the current-thread core). `schedule()` looks at it to push a task woken
//!   by the running task into the local LIFO slot instead of the shared queue.
use std::cell::{Cell, RefCell};

use super::scheduler;

thread_local! {
    static CURRENT: RefCell<Option<scheduler::Handle>> = const { RefCell::new(None) };
    static ENTERED: Cell<EnterRuntime> = const { Cell::new(EnterRuntime::NotEntered) };
    static SCHEDULER: Cell<*const scheduler::Context> = const { Cell::new(std::ptr::null()) };
}

/// Whether this thread drives a runtime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EnterRuntime {
    /// Driving a runtime; `allow_block_in_place` is true on multi-thread workers.
    Entered {
        allow_block_in_place: bool,
    },
    NotEntered,
}

/// The message of every "blocked a runtime thread" panic.
pub(crate) const BLOCK_ON_IN_RUNTIME: &str =
    "cannot block the current thread from within a weft runtime: this thread is \
     driving asynchronous tasks, and blocking it (with `block_on` or by dropping a runtime) \
     would stop them. Use `.await` instead, run blocking code with \
     `weft::task::spawn_blocking` or `weft::task::block_in_place`, or call it from a thread \
     that is not part of a runtime";

/// The handle of the current runtime, if any.
pub(crate) fn try_current() -> Option<scheduler::Handle> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// Runs `f` with a reference to the current runtime handle, without cloning it.
pub(crate) fn with_current<R>(f: impl FnOnce(Option<&scheduler::Handle>) -> R) -> R {
    let mut f = Some(f);
    match CURRENT.try_with(|c| (f.take().expect("called once"))(c.borrow().as_ref())) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called"))(None),
    }
}

/// Guard that restores the previous current handle.
#[derive(Debug)]
pub(crate) struct SetCurrentGuard {
    prev: Option<scheduler::Handle>,
    _drivers: super::driver::EnterGuard,
}

/// Makes `handle` the current runtime (and its drivers the current drivers) on this thread.
pub(crate) fn set_current(handle: &scheduler::Handle) -> SetCurrentGuard {
    let prev = CURRENT.with(|c| c.borrow_mut().replace(handle.clone()));
    let drivers = handle.driver().enter();
    SetCurrentGuard {
        prev,
        _drivers: drivers,
    }
}

impl Drop for SetCurrentGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

/// Guard of [`enter_runtime`].
#[derive(Debug)]
pub(crate) struct EnterRuntimeGuard {
    _current: SetCurrentGuard,
    prev: EnterRuntime,
}

/// Marks this thread as driving `handle`'s runtime, or panics if it already drives one.
#[track_caller]
pub(crate) fn enter_runtime(
    handle: &scheduler::Handle,
    allow_block_in_place: bool,
) -> EnterRuntimeGuard {
    let prev = ENTERED.with(|e| e.get());
    if prev != EnterRuntime::NotEntered {
        panic!("{}", BLOCK_ON_IN_RUNTIME);
    }
    ENTERED.with(|e| {
        e.set(EnterRuntime::Entered {
            allow_block_in_place,
        })
    });
    EnterRuntimeGuard {
        _current: set_current(handle),
        prev,
    }
}

impl Drop for EnterRuntimeGuard {
    fn drop(&mut self) {
        let _ = ENTERED.try_with(|e| e.set(self.prev));
    }
}

/// Whether this thread drives a runtime.
pub(crate) fn entered() -> EnterRuntime {
    ENTERED
        .try_with(|e| e.get())
        .unwrap_or(EnterRuntime::NotEntered)
}

/// Temporarily marks the thread as *not* driving a runtime (inside `block_in_place`, where
/// blocking is the point). Restores on drop.
pub(crate) fn exit_runtime<R>(f: impl FnOnce() -> R) -> R {
    struct Reset(EnterRuntime);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = ENTERED.try_with(|e| e.set(self.0));
        }
    }
    let prev = ENTERED.with(|e| e.replace(EnterRuntime::NotEntered));
    let _reset = Reset(prev);
    f()
}

/// Runs `f` with `cx` installed as the scheduler context of this thread.
pub(crate) fn set_scheduler<R>(cx: &scheduler::Context, f: impl FnOnce() -> R) -> R {
    struct Reset(*const scheduler::Context);
    impl Drop for Reset {
        fn drop(&mut self) {
            let _ = SCHEDULER.try_with(|s| s.set(self.0));
        }
    }
    let prev = SCHEDULER.with(|s| s.replace(cx as *const _));
    let _reset = Reset(prev);
    f()
}

/// Runs `f` with the scheduler context of this thread, if one is installed.
pub(crate) fn with_scheduler<R>(f: impl FnOnce(Option<&scheduler::Context>) -> R) -> R {
    let ptr = SCHEDULER.try_with(|s| s.get()).unwrap_or(std::ptr::null());
    // SAFETY: a non-null pointer was installed by `set_scheduler`, whose frame (and so the
    // pointee) is alive until the pointer is reset; only this thread reads it.
    f(unsafe { ptr.as_ref() })
}

thread_local! {
    static TASK_ID: Cell<Option<weft_core::task::Id>> = const { Cell::new(None) };
}

/// Restores the previous task id on drop.
pub(crate) struct TaskIdGuard(Option<weft_core::task::Id>);

/// Records `id` as the task being polled on this thread.
pub(crate) fn set_task_id(id: weft_core::task::Id) -> TaskIdGuard {
    TaskIdGuard(TASK_ID.try_with(|c| c.replace(Some(id))).unwrap_or(None))
}

impl Drop for TaskIdGuard {
    fn drop(&mut self) {
        let _ = TASK_ID.try_with(|c| c.set(self.0));
    }
}

/// The id of the task being polled on this thread.
pub(crate) fn task_id() -> Option<weft_core::task::Id> {
    TASK_ID.try_with(|c| c.get()).unwrap_or(None)
}
