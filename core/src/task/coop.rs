//! Cooperative scheduling budget.
//!
//! A task that is always ready (a channel that never empties, a socket that always has data)
//! would otherwise keep its worker forever. Schedulers run each poll inside [`budget`], which
//! grants [`BUDGET`] operations; every resource operation (a channel receive, a socket read, a
//! `JoinHandle` poll) calls [`poll_proceed`] first. Once the budget is spent the operation
//! wakes the task and returns `Pending`, so the task yields to the scheduler and is polled
//! again later, after the others.
//!
//! The budget lives in a thread-local with std. Without std there is no thread-local and the
//! budget is not enforced (bare-metal executors are cooperative by construction and usually
//! have few tasks); `poll_proceed` then always proceeds.

use core::task::{Context, Poll};

/// Operations a task may perform per poll before it is made to yield. 128 is the figure the
/// most widely used runtime settled on: large enough that a busy task does not pay a wake-up
/// per few messages, small enough that others run within tens of microseconds.
pub const BUDGET: u8 = 128;

#[cfg(feature = "std")]
mod slot {
    use core::cell::Cell;
    std::thread_local! {
        /// `None`: unconstrained (outside any scheduler poll).
        pub(super) static BUDGET: Cell<Option<u8>> = const { Cell::new(None) };
    }
    pub(super) fn get() -> Option<u8> {
        BUDGET.try_with(|b| b.get()).unwrap_or(None)
    }
    pub(super) fn set(v: Option<u8>) {
        let _ = BUDGET.try_with(|b| b.set(v));
    }
}

#[cfg(not(feature = "std"))]
mod slot {
    pub(super) fn get() -> Option<u8> {
        None
    }
    pub(super) fn set(_v: Option<u8>) {}
}

/// Runs `f` (one task poll) with a fresh budget, restoring the previous budget afterwards.
///
/// ```
/// let polls = weft_core::task::coop::budget(|| weft_core::task::coop::has_budget_remaining());
/// assert!(polls);
/// ```
pub fn budget<R>(f: impl FnOnce() -> R) -> R {
    with_budget(Some(BUDGET), f)
}

/// Runs `f` without a budget (operations never yield for budget reasons).
///
/// ```
/// weft_core::task::coop::unconstrained(|| assert!(weft_core::task::coop::has_budget_remaining()));
/// ```
pub fn unconstrained<R>(f: impl FnOnce() -> R) -> R {
    with_budget(None, f)
}

fn with_budget<R>(b: Option<u8>, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<u8>);
    impl Drop for Reset {
        fn drop(&mut self) {
            slot::set(self.0);
        }
    }
    let _reset = Reset(slot::get());
    slot::set(b);
    f()
}

/// `true` unless the current task has spent its budget.
///
/// ```
/// assert!(weft_core::task::coop::has_budget_remaining());
/// ```
pub fn has_budget_remaining() -> bool {
    slot::get() != Some(0)
}

/// Spends one unit of budget, or wakes the task and returns `Pending` when none is left.
/// Call [`RestoreOnPending::made_progress`] on the returned guard once the operation produced
/// something; if it did not (it returns `Pending` itself), dropping the guard refunds the unit.
///
/// ```
/// use core::task::{Context, Poll};
/// fn poll_op(cx: &mut Context<'_>) -> Poll<u32> {
///     let coop = core::task::ready!(weft_core::task::coop::poll_proceed(cx));
///     coop.made_progress();
///     Poll::Ready(1)
/// }
/// let mut cx = Context::from_waker(core::task::Waker::noop());
/// assert_eq!(poll_op(&mut cx), Poll::Ready(1));
/// ```
pub fn poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    match slot::get() {
        None => Poll::Ready(RestoreOnPending(None)),
        Some(0) => {
            cx.waker().wake_by_ref();
            Poll::Pending
        }
        Some(n) => {
            slot::set(Some(n - 1));
            Poll::Ready(RestoreOnPending(Some(n)))
        }
    }
}

/// Refunds the budget unit taken by [`poll_proceed`] unless the operation made progress.
#[derive(Debug)]
pub struct RestoreOnPending(Option<u8>);

impl RestoreOnPending {
    /// The operation produced a value: keep the unit spent.
    ///
    /// See [`poll_proceed`] for an example.
    pub fn made_progress(mut self) {
        self.0 = None;
    }
}

impl Drop for RestoreOnPending {
    fn drop(&mut self) {
        if let Some(prev) = self.0 {
            slot::set(Some(prev));
        }
    }
}

/// Spends one unit of budget, yielding to the scheduler if none is left. Use it in loops that
/// do work without touching a resource that would do so.
///
/// ```
/// # weft_core::executor::__doc_block_on(async {
/// for _ in 0..1000 {
///     weft_core::task::coop::consume_budget().await;
/// }
/// # });
/// ```
pub async fn consume_budget() {
    core::future::poll_fn(|cx| {
        let coop = core::task::ready!(poll_proceed(cx));
        coop.made_progress();
        Poll::Ready(())
    })
    .await
}
