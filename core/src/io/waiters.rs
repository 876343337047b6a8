//! The waiters of one [`ScheduledIo`](super::ScheduledIo): one waker slot per direction for
//! the `poll_*` fast path, plus an intrusive list of [`Readiness`](super::Readiness) futures
//! so any number of tasks can wait on the same source without allocating.
//!
//! List nodes live inside pinned `Readiness` futures. A node is linked, unlinked and read
//! only while its cell's spin lock is held; a future that is dropped while linked unlinks
//! itself under the same lock, so the list never points to freed memory.

use core::cell::UnsafeCell;
use core::marker::PhantomPinned;
use core::ptr::NonNull;
use core::task::Waker;

use super::{Interest, Ready};

/// Most wakers collected under the lock before it is released to wake them. Waking runs
/// foreign code (a scheduler push, or a task drop that deregisters a socket), which must not
/// run under the spin lock; 32 keeps the batch on the stack (32 × 16 bytes) and covers every
/// waiter of a typical socket in one pass.
pub(crate) const WAKE_BATCH: usize = 32;

/// A waiting task, stored inside its `Readiness` future.
pub(crate) struct Waiter {
    prev: Option<NonNull<UnsafeCell<Waiter>>>,
    next: Option<NonNull<UnsafeCell<Waiter>>>,
    linked: bool,
    pub(crate) waker: Option<Waker>,
    pub(crate) interest: Interest,
    /// Set by `wake` when it unlinks this node: the readiness the task waited for arrived.
    pub(crate) notified: bool,
    _pin: PhantomPinned,
}

impl Waiter {
    pub(crate) const fn new(interest: Interest) -> Self {
        Waiter {
            prev: None,
            next: None,
            linked: false,
            waker: None,
            interest,
            notified: false,
            _pin: PhantomPinned,
        }
    }
}

/// Everything behind a cell's lock.
pub(crate) struct Waiters {
    head: Option<NonNull<UnsafeCell<Waiter>>>,
    pub(crate) reader: Option<Waker>,
    pub(crate) writer: Option<Waker>,
}

// SAFETY: the raw node pointers are only dereferenced under the owning `SpinLock`, and the
// nodes' futures are `Send` only when their contents are.
unsafe impl Send for Waiters {}

impl Waiters {
    pub(crate) const fn new() -> Self {
        Waiters {
            head: None,
            reader: None,
            writer: None,
        }
    }

    /// Links `node` at the front.
    ///
    /// # Safety
    /// `node` is pinned, not linked, and stays valid until it is unlinked (by `remove` or by
    /// `drain_matching`); the caller holds the lock.
    pub(crate) unsafe fn push_front(&mut self, node: NonNull<UnsafeCell<Waiter>>) {
        // SAFETY: caller contract: valid, pinned, exclusive under the lock.
        let w = unsafe { &mut *node.as_ref().get() };
        debug_assert!(!w.linked);
        w.prev = None;
        w.next = self.head;
        w.linked = true;
        if let Some(old) = self.head {
            // SAFETY: linked nodes are valid while linked (list invariant).
            unsafe { (*old.as_ref().get()).prev = Some(node) };
        }
        self.head = Some(node);
    }

    /// Unlinks `node` if it is linked.
    ///
    /// # Safety
    /// `node` is valid; the caller holds the lock.
    pub(crate) unsafe fn remove(&mut self, node: NonNull<UnsafeCell<Waiter>>) {
        // SAFETY: caller contract.
        let w = unsafe { &mut *node.as_ref().get() };
        if !w.linked {
            return;
        }
        match w.prev {
            // SAFETY: neighbours of a linked node are linked, hence valid.
            Some(p) => unsafe { (*p.as_ref().get()).next = w.next },
            None => self.head = w.next,
        }
        if let Some(n) = w.next {
            // SAFETY: as above.
            unsafe { (*n.as_ref().get()).prev = w.prev };
        }
        w.prev = None;
        w.next = None;
        w.linked = false;
    }

    /// Moves the wakers of every waiter that `ready` satisfies into `out`, unlinking them and
    /// marking them notified. Returns `true` when `out` filled up before the list was done.
    pub(crate) fn drain_matching(&mut self, ready: Ready, out: &mut WakeList) -> bool {
        if !ready.intersection(Interest::READABLE.mask()).is_empty() {
            if let Some(w) = self.reader.take() {
                out.push(w);
            }
        }
        if !ready.intersection(Interest::WRITABLE.mask()).is_empty() {
            if let Some(w) = self.writer.take() {
                out.push(w);
            }
        }
        let mut cursor = self.head;
        while let Some(node) = cursor {
            // SAFETY: linked nodes are valid while linked and we hold the lock.
            let w = unsafe { &mut *node.as_ref().get() };
            cursor = w.next;
            if ready.intersection(w.interest.mask()).is_empty() {
                continue;
            }
            if out.is_full() {
                return true;
            }
            // SAFETY: `node` is linked and valid; we hold the lock.
            unsafe { self.remove(node) };
            w.notified = true;
            if let Some(waker) = w.waker.take() {
                out.push(waker);
            }
        }
        false
    }
}

/// A stack buffer of wakers to wake once the lock is released.
pub(crate) struct WakeList {
    wakers: [Option<Waker>; WAKE_BATCH],
    len: usize,
}

impl WakeList {
    pub(crate) const fn new() -> Self {
        WakeList {
            wakers: [const { None }; WAKE_BATCH],
            len: 0,
        }
    }

    pub(crate) fn is_full(&self) -> bool {
        self.len == WAKE_BATCH
    }

    pub(crate) fn push(&mut self, waker: Waker) {
        debug_assert!(!self.is_full());
        self.wakers[self.len] = Some(waker);
        self.len += 1;
    }

    pub(crate) fn wake_all(&mut self) {
        for slot in &mut self.wakers[..self.len] {
            if let Some(w) = slot.take() {
                w.wake();
            }
        }
        self.len = 0;
    }
}

impl Drop for WakeList {
    fn drop(&mut self) {
        // A panic between collecting and waking must not lose wake-ups.
        self.wake_all();
    }
}
