//! An intrusive, doubly linked FIFO of waiting futures.
//!
//! Every primitive that can make a task wait keeps one `WaitList` inside its lock-protected
//! state. The nodes ([`Waiter`]) do not live in the list: each one is a field of the future that
//! waits (`Acquire`, `Notified`, `Recv`, ...). A future links its node when it first returns
//! `Pending`, and since a future that returned `Pending` is pinned, the node's address stays
//! valid until the future is dropped. The future's `Drop` unlinks the node (under the same lock)
//! before the memory goes away. So waiting never allocates, and the list never points to freed
//! memory.
//!
//! ## Rules that keep it sound
//!
//! * **One lock.** The list and every node linked into it are only read or written while the
//!   owning primitive's [`Lock`](super::lock::Lock) is held. The node's fields sit in an
//!   `UnsafeCell` (loom's under `cfg(loom)`, so the model checker verifies that rule).
//! * **Pinned while linked.** A node is linked only from `poll` of a pinned future, and a
//!   linked node is unlinked by `Drop` of that future, or by the primitive when it completes the
//!   wait (it then records the outcome in the node, e.g. "granted" or "notified").
//! * **The outcome lives in the node.** A notifier pops a node, writes the outcome into it and
//!   takes its `Waker`; the owner reads the outcome on its next poll, or in `Drop` (to hand a
//!   permit or a notification it will never use to the next waiter: that is what makes the
//!   waiting operations cancellation-safe).
//! * **Wake outside the lock.** Wakers are collected into a [`WakeList`] and woken after the
//!   lock is released, so a waker that runs arbitrary code cannot deadlock on the primitive.

use core::marker::PhantomPinned;
use core::ptr::NonNull;
use core::task::Waker;

use crate::loom::cell::UnsafeCell;

/// The fields of a waiter, accessed under the primitive's lock.
#[derive(Debug)]
pub(crate) struct Node<T> {
    prev: Option<NonNull<Waiter<T>>>,
    next: Option<NonNull<Waiter<T>>>,
    queued: bool,
    /// The waker of the task that waits; taken by whoever completes the wait.
    pub(crate) waker: Option<Waker>,
    /// Per-primitive data: what the waiter wants and what it got.
    pub(crate) data: T,
}

impl<T> Node<T> {
    /// Whether the node is currently linked into a list.
    pub(crate) fn is_queued(&self) -> bool {
        self.queued
    }

    /// Stores `waker` unless the stored one would wake the same task.
    pub(crate) fn set_waker(&mut self, waker: &Waker) {
        match &self.waker {
            Some(w) if w.will_wake(waker) => {}
            _ => self.waker = Some(waker.clone()),
        }
    }
}

/// A node of a [`WaitList`], embedded in a waiting future.
#[derive(Debug)]
pub(crate) struct Waiter<T> {
    cell: UnsafeCell<Node<T>>,
    _pin: PhantomPinned,
}

// SAFETY: the node is only accessed under the owning primitive's lock (see the module docs), so
// it is shared between threads the way a `Mutex<Node<T>>` would be.
unsafe impl<T: Send> Send for Waiter<T> {}
// SAFETY: as above; `&Waiter` gives no access without the lock.
unsafe impl<T: Send> Sync for Waiter<T> {}

impl<T> Waiter<T> {
    super::loom_const_fn! {
        /// Creates an unlinked waiter.
        pub(crate) fn new(data: T) -> Self {
            Waiter {
                cell: UnsafeCell::new(Node {
                    prev: None,
                    next: None,
                    queued: false,
                    waker: None,
                    data,
                }),
                _pin: PhantomPinned,
            }
        }
    }

    /// Runs `f` on the node's fields.
    ///
    /// # Safety
    ///
    /// The caller holds the lock of the primitive whose list this waiter is (or may be) linked
    /// into, or has exclusive access to the waiter because it was never linked.
    #[inline]
    pub(crate) unsafe fn with<R>(&self, f: impl FnOnce(&mut Node<T>) -> R) -> R {
        // SAFETY: exclusive access is guaranteed by the caller (lock held), and no other
        // reference to the node outlives a `with` call.
        self.cell.with_mut(|p| f(unsafe { &mut *p }))
    }

    /// The raw pointer to link into a list.
    pub(crate) fn as_ptr(&self) -> NonNull<Waiter<T>> {
        NonNull::from(self)
    }
}

/// A FIFO of [`Waiter`]s; see the module docs.
#[derive(Debug)]
pub(crate) struct WaitList<T> {
    head: Option<NonNull<Waiter<T>>>,
    tail: Option<NonNull<Waiter<T>>>,
}

// SAFETY: the list only holds pointers to nodes that are protected by the same lock as the list.
unsafe impl<T: Send> Send for WaitList<T> {}

impl<T> WaitList<T> {
    /// An empty list.
    pub(crate) const fn new() -> Self {
        WaitList {
            head: None,
            tail: None,
        }
    }

    /// Whether no waiter is linked.
    pub(crate) fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// Links `w` at the back.
    ///
    /// # Safety
    ///
    /// The lock that protects this list is held, `w` is not linked, and it stays at the same
    /// address (it is pinned) until it is unlinked by [`remove`](Self::remove) or
    /// [`pop_front`](Self::pop_front).
    pub(crate) unsafe fn push_back(&mut self, w: NonNull<Waiter<T>>) {
        let old_tail = self.tail;
        // SAFETY: `w` is valid and we hold the lock (caller contract).
        unsafe {
            w.as_ref().with(|n| {
                debug_assert!(!n.queued, "waiter linked twice");
                n.prev = old_tail;
                n.next = None;
                n.queued = true;
            });
        }
        match old_tail {
            // SAFETY: linked nodes are valid (list invariant) and we hold the lock.
            Some(t) => unsafe { t.as_ref().with(|n| n.next = Some(w)) },
            None => self.head = Some(w),
        }
        self.tail = Some(w);
    }

    /// The first waiter, if any.
    pub(crate) fn front(&self) -> Option<NonNull<Waiter<T>>> {
        self.head
    }

    /// Unlinks and returns the first waiter.
    ///
    /// The caller holds the lock (it has `&mut` to the list, which lives inside the lock).
    pub(crate) fn pop_front(&mut self) -> Option<NonNull<Waiter<T>>> {
        let head = self.head?;
        // SAFETY: `head` is linked, hence valid, and its owner cannot unlink it concurrently
        // because we hold the lock (the list is only reachable through it).
        unsafe { self.unlink(head) };
        Some(head)
    }

    /// Unlinks `w` if it is linked; returns whether it was.
    ///
    /// # Safety
    ///
    /// The lock that protects this list is held and `w` is valid. If `w` is linked, it is
    /// linked into this list.
    pub(crate) unsafe fn remove(&mut self, w: NonNull<Waiter<T>>) -> bool {
        // SAFETY: caller contract.
        if unsafe { w.as_ref().with(|n| n.queued) } {
            // SAFETY: caller contract; `w` is linked into this list.
            unsafe { self.unlink(w) };
            true
        } else {
            false
        }
    }

    /// # Safety
    /// `w` is linked into this list and the lock is held.
    unsafe fn unlink(&mut self, w: NonNull<Waiter<T>>) {
        // SAFETY: `w` valid and lock held (caller contract).
        let (prev, next) = unsafe {
            w.as_ref().with(|n| {
                n.queued = false;
                (n.prev.take(), n.next.take())
            })
        };
        match prev {
            // SAFETY: neighbours of a linked node are linked, hence valid.
            Some(p) => unsafe { p.as_ref().with(|n| n.next = next) },
            None => self.head = next,
        }
        match next {
            // SAFETY: as above.
            Some(nx) => unsafe { nx.as_ref().with(|n| n.prev = prev) },
            None => self.tail = prev,
        }
    }
}

pub(crate) use crate::wake_list::WakeList;
#[cfg(feature = "alloc")]
pub(crate) use crate::wake_list::WAKE_BATCH;
