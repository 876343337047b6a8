//! [`OwnedList`]: the intrusive list of tasks a scheduler owns, so that shutdown can find every
//! task, including idle ones that sit in no queue.
//!
//! The list is not synchronized; the scheduler keeps it under its own lock. A task is linked
//! at spawn and unlinked in `Schedule::release`, which the task calls when it completes and
//! *before* it drops its alive reference, so a linked task is always alive.

use core::fmt;
use core::ptr::NonNull;

use super::header::Header;
use super::TaskRef;

/// An intrusive doubly-linked list of tasks through [`Header::owned_links`].
///
/// ```
/// use weft_core::task::*;
/// struct S; impl Schedule for S { fn schedule(&self, _t: Notified) {} }
/// static SCHED: S = S;
///
/// let mut list = OwnedList::new();
/// let (n, h) = SpawnToken::new_boxed(std::future::pending::<()>()).bind(RawScheduler::from_static(&SCHED));
/// // SAFETY: the task is alive and in no other list.
/// unsafe { list.push_front(n.header().into()) };
/// assert_eq!(list.len(), 1);
/// let task = list.pop_front().unwrap();
/// task.shutdown();
/// assert!(h.is_finished());
/// # drop(n);
/// ```
pub struct OwnedList {
    head: Option<NonNull<Header>>,
    len: usize,
}

// SAFETY: the list holds raw pointers to tasks, which are Send; it is used under a lock.
unsafe impl Send for OwnedList {}

impl fmt::Debug for OwnedList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedList").field("len", &self.len).finish()
    }
}

impl Default for OwnedList {
    fn default() -> Self {
        Self::new()
    }
}

impl OwnedList {
    /// An empty list.
    ///
    /// ```
    /// let list = weft_core::task::OwnedList::new();
    /// assert!(list.is_empty());
    /// ```
    pub const fn new() -> OwnedList {
        OwnedList { head: None, len: 0 }
    }

    /// Number of linked tasks.
    ///
    /// See [`OwnedList`] for an example.
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when no task is linked.
    ///
    /// See [`OwnedList::new`] for an example.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Links a task at the front.
    ///
    /// # Safety
    /// The task is alive, bound to the scheduler that owns this list, and in no owned list;
    /// it stays alive until it is removed (guaranteed when the scheduler removes it in
    /// `Schedule::release`).
    pub unsafe fn push_front(&mut self, task: NonNull<Header>) {
        // SAFETY: caller's contract; links are protected by the list's owner.
        unsafe {
            let links = &task.as_ref().owned;
            *links.prev.get() = None;
            *links.next.get() = self.head;
            if let Some(old) = self.head {
                *old.as_ref().owned.prev.get() = Some(task);
            }
        }
        self.head = Some(task);
        self.len += 1;
    }

    /// Unlinks a task; returns `false` (and does nothing) when it is not in this list.
    ///
    /// # Safety
    /// The task is alive and, if linked, linked in this list.
    pub unsafe fn remove(&mut self, task: NonNull<Header>) -> bool {
        // SAFETY: caller's contract.
        unsafe {
            let links = &task.as_ref().owned;
            let prev = *links.prev.get();
            let next = *links.next.get();
            match prev {
                Some(p) => *p.as_ref().owned.next.get() = next,
                None if self.head == Some(task) => self.head = next,
                None => return false,
            }
            if let Some(n) = next {
                *n.as_ref().owned.prev.get() = prev;
            }
            *links.prev.get() = None;
            *links.next.get() = None;
        }
        self.len -= 1;
        true
    }

    /// Unlinks the first task and returns a counted reference to it.
    ///
    /// See [`OwnedList`] for an example.
    pub fn pop_front(&mut self) -> Option<TaskRef> {
        let head = self.head?;
        // SAFETY: linked tasks are alive (see the module docs); take a count before unlinking.
        let task = unsafe { TaskRef::clone_from_raw(head) };
        // SAFETY: it is linked here.
        unsafe { self.remove(head) };
        Some(task)
    }
}
