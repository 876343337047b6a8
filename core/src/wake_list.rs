//! [`WakeList`]: wakers collected under a lock and woken after it is released. Shared by the
//! sync primitives, the I/O readiness waiters and the timer queue.
//!
//! Waking runs foreign code (a scheduler push, or a task drop that takes the very lock we hold),
//! so no primitive wakes while holding its lock. Collecting into a fixed array keeps this
//! allocation-free: a caller fills a batch under the lock, releases it, wakes the batch, and
//! takes the lock again if there was more.

use core::task::Waker;

/// How many wakers a [`WakeList`] holds before the caller must drain it. Like tokio's
/// `WakeList` (also 32): big enough that a burst of wake-ups releases the lock once, small
/// enough (32 × 16 bytes on 64-bit) to live on a microcontroller's stack.
pub(crate) const WAKE_BATCH: usize = 32;

/// A fixed-size batch of wakers collected under a lock and woken after it is released.
#[derive(Debug)]
pub(crate) struct WakeList {
    wakers: [Option<Waker>; WAKE_BATCH],
    len: usize,
}

impl WakeList {
    /// An empty batch.
    pub(crate) const fn new() -> Self {
        WakeList {
            wakers: [const { None }; WAKE_BATCH],
            len: 0,
        }
    }

    /// Whether another waker fits.
    pub(crate) fn can_push(&self) -> bool {
        self.len < WAKE_BATCH
    }

    /// Whether the batch must be drained before the next push.
    pub(crate) fn is_full(&self) -> bool {
        !self.can_push()
    }

    /// Adds a waker (`None` is skipped). Panics when full: check [`can_push`](Self::can_push).
    pub(crate) fn push(&mut self, waker: impl Into<Option<Waker>>) {
        if let Some(w) = waker.into() {
            self.wakers[self.len] = Some(w);
            self.len += 1;
        }
    }

    /// Wakes every collected waker and empties the batch; returns how many were woken. Call
    /// with no lock held.
    pub(crate) fn wake_all(&mut self) -> usize {
        let n = self.len;
        for slot in &mut self.wakers[..n] {
            if let Some(w) = slot.take() {
                w.wake();
            }
        }
        self.len = 0;
        n
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // A panic between collecting and waking must not lose wake-ups.
        self.wake_all();
    }
}
