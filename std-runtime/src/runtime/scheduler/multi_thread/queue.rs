//! The per-worker run queue: a fixed-capacity ring buffer with one producer and many stealers.
//!
//! # Shape
//!
//! Only the worker that owns the queue pushes and pops ([`Local`]); any other worker may steal
//! ([`Steal`]). The buffer is `CAPACITY` slots indexed by wrapping `u32` positions:
//!
//! * `tail` — next slot the owner writes. Only the owner stores it (`Release`), stealers load it
//!   (`Acquire`) to see the tasks written before it.
//! * `head` — one `u64` packing two `u32`s: `real` (the next task to take) and `steal` (where
//!   an in-flight steal began). When no steal runs, `steal == real`.
//!
//! The owner pops by CAS-ing `real` forward. A stealer claims a batch in **one** CAS that moves
//! `real` forward by `n` while leaving `steal` at the old `real`; it then copies the `n` tasks
//! into its own queue and finishes with a second CAS setting `steal = real`. While `steal !=
//! real` the slots `[steal, real)` are being read by the stealer, so the owner counts them as
//! occupied (`tail - steal` is the occupancy it checks before writing) and a second stealer
//! backs off. This gives a lock-free queue in which the owner's push is a plain store, its pop
//! is one CAS, and a steal is two CASes no matter how many tasks move.
//!
//! # Why steal half
//!
//! A thief takes `ceil(len / 2)` tasks. Taking one task per steal makes an idle worker come
//! back to the victim (and its cache line) once per task, and under a burst (one task spawning
//! thousands) the load spreads in O(n) steals. Taking half balances two queues in one
//! operation and spreads a burst over `w` workers in O(log w) rounds, while leaving the
//! victim enough work that it does not immediately turn thief itself. It is the split used by
//! work-stealing runtimes since Cilk's deques and by Go's and tokio's schedulers.
//!
//! # Overflow
//!
//! When the owner pushes into a full queue it moves the *older* half plus the new task to the
//! global [`Inject`] queue in one batch (one lock for `CAPACITY / 2 + 1` tasks). If a steal is
//! in flight at that moment the half cannot be claimed, so only the new task goes to the
//! global queue.
//!
//! # Capacity
//!
//! [`CAPACITY`] is 256. The queue is a hot structure touched on every spawn and wake: 256
//! pointer-sized slots are 2 KiB, which stays in L1 next to the worker's other state, and the
//! power of two turns `pos % CAPACITY` into a mask. It is large enough that a task spawning a
//! burst (the `spawn_many` benchmark spawns 100,000 tasks from one task) only reaches the global
//! lock once per 128 spawns, and small enough that a worker never hoards more than a few hundred
//! tasks that thieves would have to move. Under loom the capacity is 4 so models stay small and
//! overflow is reached.
use std::mem::MaybeUninit;

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU32, AtomicU64, Ordering::*};
use crate::loom::sync::Arc;
use crate::runtime::scheduler::inject::Inject;

/// Number of slots of a worker's local queue. See the module docs for why 256.
#[cfg(not(loom))]
pub const CAPACITY: usize = 256;
/// Number of slots of a worker's local queue (tiny under loom so models reach overflow).
#[cfg(loom)]
pub const CAPACITY: usize = 4;

const MASK: u32 = CAPACITY as u32 - 1;
const _: () = assert!(CAPACITY.is_power_of_two() && CAPACITY >= 2);

/// The owner's end: push and pop. Not `Clone`; exactly one exists per queue.
pub struct Local<T: 'static> {
    inner: Arc<Inner<T>>,
}

/// A thief's end: steal half into another worker's queue. Cheap to clone.
pub struct Steal<T: 'static>(Arc<Inner<T>>);

struct Inner<T> {
    /// `steal` in the high 32 bits, `real` in the low 32 bits.
    head: AtomicU64,
    tail: AtomicU32,
    buffer: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

// SAFETY: slots are handed between threads only through the head/tail protocol above, which
// gives each slot a single reader or writer at a time; `T: Send` is required to move the tasks.
unsafe impl<T: Send> Send for Inner<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Inner<T> {}

fn pack(steal: u32, real: u32) -> u64 {
    ((steal as u64) << 32) | real as u64
}

fn unpack(v: u64) -> (u32, u32) {
    ((v >> 32) as u32, v as u32)
}

/// Creates one queue and returns its owner end and a thief end.
pub fn local<T: 'static>() -> (Steal<T>, Local<T>) {
    let buffer = (0..CAPACITY)
        .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
        .collect::<Vec<_>>()
        .into_boxed_slice();
    let inner = Arc::new(Inner {
        head: AtomicU64::new(0),
        tail: AtomicU32::new(0),
        buffer,
    });
    (Steal(inner.clone()), Local { inner })
}

impl<T> Inner<T> {
    /// Moves the task out of slot `pos`.
    ///
    /// # Safety
    /// The caller must have exclusive claim on the slot (popped or stolen it through the
    /// protocol) and the slot must hold an initialised task.
    unsafe fn take(&self, pos: u32) -> T {
        // SAFETY: guaranteed by the caller.
        self.buffer[(pos & MASK) as usize].with(|p| unsafe { (*p).assume_init_read() })
    }

    /// Writes a task into slot `pos`.
    ///
    /// # Safety
    /// The caller must be the slot's only writer and the slot must be free (outside
    /// `[steal, tail)`).
    unsafe fn put(&self, pos: u32, task: T) {
        // SAFETY: guaranteed by the caller.
        self.buffer[(pos & MASK) as usize].with_mut(|p| unsafe { (*p).write(task) });
    }

    fn len(&self) -> usize {
        let (_, real) = unpack(self.head.load(Acquire));
        let tail = self.tail.load(Acquire);
        tail.wrapping_sub(real) as usize
    }
}

impl<T: 'static> Local<T> {
    /// Number of tasks in the queue.
    pub fn len(&self) -> usize {
        self.inner.len()
    }

    /// `true` when the queue holds no task.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Free slots (counting slots an in-flight steal is still reading as taken).
    pub fn remaining_slots(&self) -> usize {
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        let tail = self.inner.tail.load(Relaxed);
        CAPACITY - tail.wrapping_sub(steal) as usize
    }

    /// Pushes a task that the caller knows fits (`remaining_slots() > 0`), e.g. while moving a
    /// batch from the global queue.
    ///
    /// # Panics
    /// If the queue is full.
    pub fn push_back_unchecked(&mut self, task: T) {
        let (steal, _) = unpack(self.inner.head.load(Acquire));
        let tail = self.inner.tail.load(Relaxed);
        assert!(
            (tail.wrapping_sub(steal) as usize) < CAPACITY,
            "local queue is full"
        );
        // SAFETY: we are the only producer and the slot at `tail` is outside `[steal, tail)`.
        unsafe { self.inner.put(tail, task) };
        self.inner.tail.store(tail.wrapping_add(1), Release);
    }

    /// Pushes a task at the back; on a full queue moves half of it (and the task) to `inject`.
    /// Tasks the closed `inject` refuses are handed to `rejected`.
    pub fn push_back_or_overflow(
        &mut self,
        mut task: T,
        inject: &Inject<T>,
        mut rejected: impl FnMut(T),
    ) {
        let tail = loop {
            let (steal, real) = unpack(self.inner.head.load(Acquire));
            // Only this thread stores `tail`.
            let tail = self.inner.tail.load(Relaxed);
            if (tail.wrapping_sub(steal) as usize) < CAPACITY {
                break tail;
            } else if steal != real {
                // A thief is reading part of the queue, so the half cannot be claimed now: send
                // only this task to the global queue.
                if let Err(t) = inject.push(task) {
                    rejected(t);
                }
                return;
            } else {
                match self.push_overflow(task, real, tail, inject, &mut rejected) {
                    Ok(()) => return,
                    // A thief claimed tasks between our load and our CAS: retry.
                    Err(t) => task = t,
                }
            }
        };
        // SAFETY: single producer, and the slot is free (checked above against `steal`).
        unsafe { self.inner.put(tail, task) };
        self.inner.tail.store(tail.wrapping_add(1), Release);
    }

    /// Claims the oldest half and moves it, then `task`, to the global queue.
    fn push_overflow(
        &mut self,
        task: T,
        head: u32,
        tail: u32,
        inject: &Inject<T>,
        rejected: &mut impl FnMut(T),
    ) -> Result<(), T> {
        const HALF: u32 = (CAPACITY / 2) as u32;
        debug_assert_eq!(tail.wrapping_sub(head) as usize, CAPACITY);
        let prev = pack(head, head);
        let next_head = head.wrapping_add(HALF);
        if self
            .inner
            .head
            .compare_exchange(prev, pack(next_head, next_head), Release, Relaxed)
            .is_err()
        {
            return Err(task);
        }
        // The CAS claimed `[head, head + HALF)`: no thief or pop can reach those slots now.
        let inner = &*self.inner;
        let claimed = (0..HALF).map(move |i| {
            // SAFETY: the slot was claimed by the CAS above and holds a task written before
            // `tail` was published.
            unsafe { inner.take(head.wrapping_add(i)) }
        });
        inject.push_batch(claimed.chain(std::iter::once(task)), rejected);
        Ok(())
    }

    /// Pops the oldest task (FIFO: the LIFO behaviour lives in the worker's LIFO slot).
    pub fn pop(&mut self) -> Option<T> {
        let mut head = self.inner.head.load(Acquire);
        let idx = loop {
            let (steal, real) = unpack(head);
            let tail = self.inner.tail.load(Relaxed);
            if real == tail {
                return None;
            }
            let next_real = real.wrapping_add(1);
            let next = if steal == real {
                pack(next_real, next_real)
            } else {
                debug_assert_ne!(steal, next_real);
                pack(steal, next_real)
            };
            match self
                .inner
                .head
                .compare_exchange(head, next, AcqRel, Acquire)
            {
                Ok(_) => break real,
                Err(actual) => head = actual,
            }
        };
        // SAFETY: the CAS claimed slot `idx`, which holds a task below `tail`.
        Some(unsafe { self.inner.take(idx) })
    }
}

impl<T: 'static> Drop for Local<T> {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            assert!(
                self.pop().is_none(),
                "local queue dropped while holding tasks"
            );
        }
    }
}

impl<T: 'static> Steal<T> {
    /// `true` when the victim's queue looks empty.
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    /// Number of tasks in the victim's queue (may be stale).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Steals half of this queue into `dst` and returns one of the stolen tasks to run now.
    pub fn steal_into(&self, dst: &mut Local<T>) -> Option<T> {
        let dst_tail = dst.inner.tail.load(Relaxed);
        let (dst_steal, _) = unpack(dst.inner.head.load(Acquire));
        // Only steal when `dst` has room for a full half; otherwise it has work anyway.
        if dst_tail.wrapping_sub(dst_steal) as usize > CAPACITY / 2 {
            return None;
        }
        let mut n = self.steal_into2(dst, dst_tail);
        if n == 0 {
            return None;
        }
        // Run the last stolen task now; publish the others.
        n -= 1;
        let ret_pos = dst_tail.wrapping_add(n);
        // SAFETY: we wrote this slot in `steal_into2` and have not published it.
        let ret = unsafe { dst.inner.take(ret_pos) };
        if n > 0 {
            dst.inner.tail.store(dst_tail.wrapping_add(n), Release);
        }
        Some(ret)
    }

    /// Moves half of `self` into `dst` starting at `dst_tail`; returns the count (unpublished).
    fn steal_into2(&self, dst: &mut Local<T>, dst_tail: u32) -> u32 {
        let mut prev = self.0.head.load(Acquire);
        let (first, next) = loop {
            let (steal, real) = unpack(prev);
            if steal != real {
                // Another thief is active.
                return 0;
            }
            let src_tail = self.0.tail.load(Acquire);
            let len = src_tail.wrapping_sub(real);
            let n = len - len / 2;
            if n == 0 {
                return 0;
            }
            let next = pack(steal, real.wrapping_add(n));
            match self.0.head.compare_exchange(prev, next, AcqRel, Acquire) {
                Ok(_) => break (real, next),
                Err(actual) => prev = actual,
            }
        };
        let (_, end) = unpack(next);
        let n = end.wrapping_sub(first);
        for i in 0..n {
            // SAFETY: `[first, first + n)` is claimed by our CAS (steal != real keeps the owner
            // and other thieves out) and holds published tasks; the destination slots are free
            // because `dst` had room for `CAPACITY / 2 >= n` tasks and only its owner (us, via
            // `&mut`) writes there.
            unsafe {
                let t = self.0.take(first.wrapping_add(i));
                dst.inner.put(dst_tail.wrapping_add(i), t);
            }
        }
        // Release the claim: `steal = real`.
        let mut prev = next;
        loop {
            let (_, real) = unpack(prev);
            match self
                .0
                .head
                .compare_exchange(prev, pack(real, real), AcqRel, Acquire)
            {
                Ok(_) => return n,
                Err(actual) => {
                    debug_assert_ne!(unpack(actual).0, unpack(actual).1);
                    prev = actual;
                }
            }
        }
    }
}

impl<T: 'static> Clone for Steal<T> {
    fn clone(&self) -> Self {
        Steal(self.0.clone())
    }
}

impl<T: 'static> std::fmt::Debug for Local<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Local").field("len", &self.len()).finish()
    }
}

impl<T: 'static> std::fmt::Debug for Steal<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Steal").field("len", &self.len()).finish()
    }
}
