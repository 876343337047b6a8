//! Property test: the timer wheel against an ordered-set model.
//!
//! Random inserts (near, on level boundaries, far beyond the wheel's 2^36-tick range, up to
//! `u64::MAX`), cancels and advances (by random amounts, or to the wheel's reported next
//! deadline) must fire exactly the entries the model says, and when the driver wakes at every
//! `next_deadline()`, each entry fires at exactly its deadline tick.

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable, Waker};

use proptest::prelude::*;
use weft_core::time::wheel::{Advance, TimerEntry, TimerWheel};

// A waker whose data pointer is the entry id (never dereferenced).
static VTABLE: RawWakerVTable =
    RawWakerVTable::new(|p| RawWaker::new(p, &VTABLE), |_| {}, |_| {}, |_| {});

fn id_waker(id: usize) -> Waker {
    // SAFETY: the vtable functions never dereference the data pointer.
    unsafe { Waker::new(id as *const (), &VTABLE) }
}

#[derive(Debug, Clone)]
enum Op {
    Insert(u64),
    Cancel(usize),
    Advance(u64),
    StepToNext,
    /// Advance in interrupted batches of at most N wakers.
    AdvanceBatched(u64, usize),
}

fn delta() -> impl Strategy<Value = u64> {
    prop_oneof![
        4 => 0u64..130,
        3 => 0u64..(1 << 20),
        2 => (1u32..=6).prop_flat_map(|k| {
            let b = 1u64 << (6 * k);
            (b - 2)..(b + 2)
        }),
        2 => (1u64 << 36)..(1u64 << 44),
        1 => Just(u64::MAX),
        1 => any::<u64>(),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => delta().prop_map(Op::Insert),
        2 => any::<usize>().prop_map(Op::Cancel),
        2 => delta().prop_map(Op::Advance),
        3 => Just(Op::StepToNext),
        1 => (delta(), 1usize..4).prop_map(|(d, n)| Op::AdvanceBatched(d, n)),
    ]
}

struct Harness {
    wheel: TimerWheel,
    entries: Vec<Pin<Box<TimerEntry>>>,
    /// (deadline, id) of linked entries.
    model: BTreeSet<(u64, usize)>,
    deadline_of: HashMap<usize, u64>,
}

impl Harness {
    fn new(start: u64) -> Self {
        Harness {
            wheel: TimerWheel::starting_at(start),
            entries: Vec::new(),
            model: BTreeSet::new(),
            deadline_of: HashMap::new(),
        }
    }

    fn ptr(&self, id: usize) -> NonNull<TimerEntry> {
        NonNull::from(&*self.entries[id])
    }

    fn insert(&mut self, delta: u64) {
        let deadline = self.wheel.elapsed().saturating_add(delta);
        let id = self.entries.len();
        self.entries.push(Box::pin(TimerEntry::new(deadline)));
        // SAFETY: boxed and pinned entries outlive the wheel (cancelled in Drop).
        let r = unsafe { self.wheel.insert(self.ptr(id), id_waker(id)) };
        if deadline <= self.wheel.elapsed() {
            assert!(r.is_err(), "insert of a due deadline must be refused");
        } else {
            assert!(r.is_ok());
            self.model.insert((deadline, id));
            self.deadline_of.insert(id, deadline);
        }
    }

    fn cancel(&mut self, pick: usize) {
        if self.entries.is_empty() {
            return;
        }
        let id = pick % self.entries.len();
        let linked = self.deadline_of.get(&id).map(|d| (*d, id));
        // SAFETY: the entry is alive and only ever linked into this wheel.
        let r = unsafe { self.wheel.cancel(self.ptr(id)) };
        match linked {
            Some(key) if self.model.remove(&key) => {
                assert!(r.is_some(), "cancel of a linked entry returns its waker");
                self.deadline_of.remove(&id);
            }
            _ => assert!(r.is_none(), "cancel of an unlinked entry returns None"),
        }
        assert!(!self.entries[id].is_linked());
    }

    fn check_next_deadline(&self) {
        let next = self.wheel.next_deadline();
        match self.model.first() {
            None => assert_eq!(next, None),
            Some(&(min, _)) => {
                let next = next.expect("non-empty wheel reports a deadline");
                assert!(
                    next <= min,
                    "next_deadline {next} later than earliest timer {min}"
                );
                assert!(next >= self.wheel.elapsed());
            }
        }
        assert_eq!(self.wheel.len(), self.model.len());
    }

    /// Advances to `now` (in batches of `batch` if given) and checks the fired set.
    fn advance(&mut self, now: u64, batch: Option<usize>) -> Vec<usize> {
        self.check_next_deadline();
        let mut fired = Vec::new();
        loop {
            let mut n = 0;
            let r = self.wheel.advance(now, |w| {
                fired.push(w.data() as usize);
                n += 1;
                match batch {
                    Some(b) if n >= b => ControlFlow::Break(()),
                    _ => ControlFlow::Continue(()),
                }
            });
            if r == Advance::Done {
                break;
            }
        }
        let expected: Vec<(u64, usize)> = self
            .model
            .iter()
            .take_while(|(d, _)| *d <= now)
            .copied()
            .collect();
        let mut got: Vec<(u64, usize)> =
            fired.iter().map(|id| (self.deadline_of[id], *id)).collect();
        // Fired in deadline order.
        assert!(
            got.windows(2).all(|w| w[0].0 <= w[1].0),
            "fired out of order: {got:?}"
        );
        got.sort();
        assert_eq!(got, expected, "advance({now}) fired the wrong entries");
        for (d, id) in expected {
            self.model.remove(&(d, id));
            self.deadline_of.remove(&id);
            assert!(self.entries[id].has_fired());
        }
        assert!(self.wheel.elapsed() >= now.min(self.wheel.elapsed().max(now)));
        self.check_next_deadline();
        fired
    }

    fn step_to_next(&mut self) {
        let Some(next) = self.wheel.next_deadline() else {
            return;
        };
        let fired = self.advance(next, None);
        // Waking at every reported deadline makes every timer fire at exactly its tick.
        for id in fired {
            let d = self.entries[id].deadline();
            assert_eq!(d, next, "entry {id} with deadline {d} fired at tick {next}");
        }
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for id in 0..self.entries.len() {
            // SAFETY: alive, only linked into this wheel.
            drop(unsafe { self.wheel.cancel(self.ptr(id)) });
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn wheel_matches_ordered_set_model(
        start in prop_oneof![Just(0u64), 0u64..(1 << 40), Just(u64::MAX - (1 << 37))],
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let mut h = Harness::new(start);
        for op in ops {
            match op {
                Op::Insert(d) => h.insert(d),
                Op::Cancel(i) => h.cancel(i),
                Op::Advance(d) => {
                    let now = h.wheel.elapsed().saturating_add(d);
                    h.advance(now, None);
                }
                Op::AdvanceBatched(d, n) => {
                    let now = h.wheel.elapsed().saturating_add(d);
                    h.advance(now, Some(n));
                }
                Op::StepToNext => h.step_to_next(),
            }
        }
        // Drain: every remaining entry fires exactly at its deadline.
        let mut guard = 0;
        while !h.model.is_empty() {
            h.step_to_next();
            guard += 1;
            prop_assert!(guard < 100_000, "wheel did not drain");
        }
        prop_assert!(h.wheel.is_empty());
    }
}

#[test]
fn far_future_fires_exactly_across_epochs() {
    let mut h = Harness::new(0);
    for d in [
        1 << 36,
        (1 << 36) + 1,
        (1 << 40) + 12345,
        (3 << 36) - 1,
        u64::MAX,
    ] {
        h.insert(d);
    }
    let mut steps = 0;
    while !h.model.is_empty() {
        h.step_to_next();
        steps += 1;
    }
    // Overflow epochs are jumped, not walked: a few cascade steps per timer.
    assert!(steps <= 5 * 7, "{steps} steps");
}

#[test]
fn cascade_keeps_exact_ticks_on_level_boundaries() {
    let mut h = Harness::new(5);
    for k in 1..=6u32 {
        let b = 1u64 << (6 * k);
        for d in [b - 6, b - 5, b - 4, b + 1] {
            h.insert(d);
        }
    }
    while !h.model.is_empty() {
        h.step_to_next();
    }
}
