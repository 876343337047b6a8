//! The run queue on targets without compare-and-swap (thumbv6m, riscv32imc): the same
//! intrusive list as the lock-free queue, with its head in a `critical_section::Mutex`.
//!
//! The critical section is a few instructions (link and store, or take the head), so interrupt
//! latency stays bounded. Selected by `cfg(not(target_has_atomic = "ptr"))`, or on any target
//! with `--cfg weft_cs_queue` (CI runs the executor tests that way on the host).

use core::cell::Cell;
use core::ptr;

use crate::loom::sync::atomic::Ordering::Relaxed;
use crate::task::{Header, Notified};

/// The list head; a raw pointer that only moves tasks (which are `Send`) between contexts.
#[derive(Clone, Copy)]
struct Head(*mut Header);

// SAFETY: the pointer is only dereferenced by the executor that owns the queue; producers just
// link nodes, under the critical section.
unsafe impl Send for Head {}

pub(crate) struct RunQueue {
    head: critical_section::Mutex<Cell<Head>>,
}

impl RunQueue {
    crate::maybe_const_fn! {
        pub(crate) fn new() -> RunQueue {
            RunQueue {
                head: critical_section::Mutex::new(Cell::new(Head(ptr::null_mut()))),
            }
        }
    }

    pub(crate) fn push(&self, task: Notified) {
        let task = task.into_raw();
        critical_section::with(|cs| {
            let head = self.head.borrow(cs);
            // SAFETY: the Notified owns the task's single queue slot.
            unsafe { task.as_ref() }
                .queue_next()
                .store(head.get().0, Relaxed);
            head.set(Head(task.as_ptr()));
        });
    }

    /// Takes every queued task as a LIFO stack linked through `queue_next`.
    pub(crate) fn take_stack(&self) -> *mut Header {
        critical_section::with(|cs| self.head.borrow(cs).replace(Head(ptr::null_mut())).0)
    }
}
