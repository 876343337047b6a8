//! Loom models of the `block_in_place` hand-off (`CoreSlot`, see `handoff.rs`): the caller
//! leaves its core in the worker's slot and starts a replacement; the replacement's start and
//! the caller's reclaim race. Exactly one thread ends up with the core, it is never lost or
//! duplicated, and it is dropped exactly once.
//!
//! Run with `RUSTFLAGS="--cfg loom" LOOM_MAX_PREEMPTIONS=3 cargo test -p weft --release --test loom_block_in_place`.
#![cfg(loom)]

use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::sync::Arc;
use loom::thread;
use weft::__loom::CoreSlot;

/// Stands in for a worker's core: counts its drops.
struct Core(Arc<AtomicUsize>);

impl Drop for Core {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// What a thread that ran the worker loop with a core does at the end: the core goes to the
/// shutdown hand-off (here: counted, then dropped).
fn run_loop(core: Core, ran: &AtomicUsize) {
    ran.fetch_add(1, SeqCst);
    drop(core);
}

/// `block_in_place` on a thread holding `core`: hand it off, start a replacement (which, while
/// `nested > 0`, blocks in place in turn), run the closure, try to take the core back.
fn block_in_place(slot: &Arc<CoreSlot<Core>>, ran: &Arc<AtomicUsize>, core: Core, nested: u32) {
    slot.hand_off(core);
    let replacement = {
        let (slot, ran) = (slot.clone(), ran.clone());
        thread::spawn(move || {
            let Some(core) = slot.take() else { return };
            if nested > 0 {
                block_in_place(&slot, &ran, core, nested - 1);
            } else {
                run_loop(core, &ran);
            }
        })
    };
    // The closure ran; the caller tries to take the core back.
    if let Some(core) = slot.take() {
        run_loop(core, ran);
    }
    replacement.join().unwrap();
}

/// One model: a worker thread blocks in place (with `nested` levels of replacements blocking
/// in place in turn); exactly one thread ends up running with the core, dropped once.
fn model(nested: u32) {
    loom::model(move || {
        let drops = Arc::new(AtomicUsize::new(0));
        let ran = Arc::new(AtomicUsize::new(0));
        // The worker thread took its first core from the slot when it started.
        let slot = Arc::new(CoreSlot::new(Core(drops.clone())));
        let core = slot.take().expect("the worker's first core");
        block_in_place(&slot, &ran, core, nested);
        assert_eq!(ran.load(SeqCst), 1, "exactly one thread ran with the core");
        assert_eq!(drops.load(SeqCst), 1, "the core is dropped exactly once");
        assert!(slot.take().is_none(), "nothing left behind");
    });
}

#[test]
fn caller_and_replacement_race_for_the_core() {
    model(0);
}

#[test]
fn nested_hand_off_from_the_replacement() {
    // The replacement itself calls block_in_place: a second hand-off on the same slot, racing
    // with the first caller's reclaim and the second replacement's start.
    model(1);
}
