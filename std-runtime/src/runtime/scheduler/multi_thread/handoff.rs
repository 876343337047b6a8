//! [`CoreSlot`]: where a worker's core rests while it moves between threads.
//!
//! # The `block_in_place` hand-off
//!
//! A thread that holds a core and calls `block_in_place` [`hand_off`](CoreSlot::hand_off)s
//! the core into its worker's slot and starts a replacement thread. Two threads then race to
//! [`take`](CoreSlot::take) it: the replacement when it starts, and the caller when its closure
//! returns. The slot's lock makes exactly one of them win; the loser sees `None` and goes on
//! without a core (the replacement exits, the caller's run loop retires). So at every moment
//! the core is in exactly one place: a thread's context, this slot, or a running loop. A
//! replacement that itself calls `block_in_place` repeats the protocol on the same slot.
//!
//! The lock is the loom shim's, so `tests/loom_block_in_place.rs` checks this exact code.
use crate::loom::lock;
use crate::loom::sync::Mutex;

/// A core between threads. See the module docs.
pub struct CoreSlot<C> {
    slot: Mutex<Option<C>>,
}

impl<C> CoreSlot<C> {
    /// A slot holding the worker's first core, for the worker thread to take.
    pub fn new(core: C) -> CoreSlot<C> {
        CoreSlot {
            slot: Mutex::new(Some(core)),
        }
    }

    /// Leaves `core` for whichever thread takes it next.
    pub fn hand_off(&self, core: C) {
        let prev = lock(&self.slot).replace(core);
        debug_assert!(prev.is_none(), "a worker has one core");
    }

    /// Takes the core if it is here (the replacement starting, or the caller reclaiming it).
    pub fn take(&self) -> Option<C> {
        lock(&self.slot).take()
    }
}

impl<C> std::fmt::Debug for CoreSlot<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreSlot").finish_non_exhaustive()
    }
}
