//! The run queue on targets with compare-and-swap: a lock-free intrusive MPSC queue.
//!
//! Producers (wakers, on any thread or in interrupt handlers) push onto a Treiber stack with
//! one CAS; the executor takes the whole stack with one `swap`, reverses it into FIFO order and
//! runs that batch. There is no ABA hazard: producers only push and the single consumer only
//! takes everything, and a task is in the queue at most once (its NOTIFIED bit). Tasks woken
//! while a batch runs go into the next batch, which keeps a self-waking task from starving the
//! others.

use core::ptr;

use crate::loom::sync::atomic::{AtomicPtr, Ordering::*};
use crate::task::{Header, Notified};

pub(crate) struct RunQueue {
    head: AtomicPtr<Header>,
}

impl RunQueue {
    crate::maybe_const_fn! {
        pub(crate) fn new() -> RunQueue {
            RunQueue {
                head: AtomicPtr::new(ptr::null_mut()),
            }
        }
    }

    pub(crate) fn push(&self, task: Notified) {
        let task = task.into_raw();
        // SAFETY: the Notified we just took owns the task's single queue slot.
        let link = unsafe { task.as_ref() }.queue_next();
        let mut head = self.head.load(Relaxed);
        loop {
            link.store(head, Relaxed);
            match self
                .head
                .compare_exchange_weak(head, task.as_ptr(), Release, Relaxed)
            {
                Ok(_) => return,
                Err(h) => head = h,
            }
        }
    }

    /// Takes every queued task as a LIFO stack linked through `queue_next`.
    pub(crate) fn take_stack(&self) -> *mut Header {
        self.head.swap(ptr::null_mut(), Acquire)
    }
}
