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

pub(crate) use crate::wake_list::WakeList;

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
