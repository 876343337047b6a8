//! A global allocator that counts live heap bytes, for the memory workloads.
//!
//! Counting is off unless a memory workload turns it on, so that the timed
//! workloads pay only one relaxed load per allocation (and no shared-counter
//! contention between worker threads). While on, every allocation and free in
//! the process, on any thread, moves one signed counter, so the difference of
//! two readings is the heap growth in between, whichever thread allocated.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};

/// The counting allocator (wraps [`System`]).
#[derive(Debug)]
pub struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);

#[global_allocator]
static GLOBAL: Counting = Counting;

// SAFETY: every method forwards to `System` with the same arguments, so the
// `GlobalAlloc` contract is `System`'s; the counting has no effect on memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size as isize - layout.size() as isize);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[inline]
fn count(delta: isize) {
    if ON.load(Ordering::Relaxed) {
        LIVE.fetch_add(delta, Ordering::Relaxed);
    }
}

/// Counts heap bytes while alive; [`Meter::grown`] is the growth since `start`.
#[derive(Debug)]
pub struct Meter {
    start: isize,
}

impl Meter {
    /// Starts counting.
    pub fn start() -> Meter {
        ON.store(true, Ordering::SeqCst);
        Meter {
            start: LIVE.load(Ordering::SeqCst),
        }
    }

    /// Heap bytes allocated and not freed since [`Meter::start`].
    pub fn grown(&self) -> isize {
        LIVE.load(Ordering::SeqCst) - self.start
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        ON.store(false, Ordering::SeqCst);
    }
}
