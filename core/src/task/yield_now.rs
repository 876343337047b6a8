//! [`yield_now`].

use core::future::Future;
use core::pin::Pin;
use core::task::{Context, Poll};

/// Yields to the scheduler once: the task is queued behind the tasks that are ready now.
///
/// ```
/// # weft_core::executor::__doc_block_on(async {
/// weft_core::task::yield_now().await;
/// # });
/// ```
pub fn yield_now() -> YieldNow {
    YieldNow { yielded: false }
}

/// The future of [`yield_now`].
#[derive(Debug)]
#[must_use = "futures do nothing unless you `.await` or poll them"]
pub struct YieldNow {
    yielded: bool,
}

impl Future for YieldNow {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
