//! Loom models of the local run queue: push, pop, steal-half, overflow to the global queue.
//!
//! Run with `RUSTFLAGS="--cfg loom" cargo test -p weft --release --test loom_queue`.
#![cfg(loom)]

use loom::thread;
use weft::__loom::{local, Inject, Local, Steal, CAPACITY};

/// A thief: steals half of `steal`'s queue into a fresh local queue and runs all of it.
fn steal_all(steal: &Steal<usize>) -> Vec<usize> {
    let (_s, mut dst) = local::<usize>();
    let mut got = Vec::new();
    if let Some(t) = steal.steal_into(&mut dst) {
        got.push(t);
    }
    while let Some(t) = dst.pop() {
        got.push(t);
    }
    got
}

/// Everything left in the owner's queue, then in the global queue.
fn drain(owner: &mut Local<usize>, inject: &Inject<usize>, seen: &mut Vec<usize>) {
    while let Some(t) = owner.pop() {
        seen.push(t);
    }
    while let Some(t) = inject.pop() {
        seen.push(t);
    }
}

/// Every value must come out exactly once, wherever it went.
fn check_all_once(seen: &mut Vec<usize>, n: usize) {
    seen.sort_unstable();
    assert_eq!(
        *seen,
        (0..n).collect::<Vec<_>>(),
        "a task was lost or duplicated"
    );
}

#[test]
fn steal_while_owner_pushes_and_pops() {
    loom::model(|| {
        let (steal, mut owner) = local::<usize>();
        let inject = loom::sync::Arc::new(Inject::new());
        let th = {
            let inject = inject.clone();
            thread::spawn(move || {
                let got = steal_all(&steal);
                drop(inject);
                got
            })
        };
        let mut seen = Vec::new();
        for i in 0..3 {
            owner.push_back_or_overflow(i, &inject, |_| unreachable!("not closed"));
        }
        if let Some(t) = owner.pop() {
            seen.push(t);
        }
        seen.extend(th.join().unwrap());
        drain(&mut owner, &inject, &mut seen);
        check_all_once(&mut seen, 3);
    });
}

#[test]
fn overflow_races_with_steal() {
    loom::model(|| {
        let (steal, mut owner) = local::<usize>();
        let inject = loom::sync::Arc::new(Inject::new());
        // Fill the queue so the next push overflows.
        for i in 0..CAPACITY {
            owner.push_back_or_overflow(i, &inject, |_| unreachable!());
        }
        let th = thread::spawn(move || steal_all(&steal));
        owner.push_back_or_overflow(CAPACITY, &inject, |_| unreachable!());
        owner.push_back_or_overflow(CAPACITY + 1, &inject, |_| unreachable!());
        let mut seen = th.join().unwrap();
        drain(&mut owner, &inject, &mut seen);
        check_all_once(&mut seen, CAPACITY + 2);
    });
}

#[test]
fn two_thieves() {
    loom::model(|| {
        let (steal, mut owner) = local::<usize>();
        let inject = Inject::new();
        for i in 0..4 {
            owner.push_back_or_overflow(i, &inject, |_| unreachable!());
        }
        let thieves: Vec<_> = (0..2)
            .map(|_| {
                let steal = steal.clone();
                thread::spawn(move || steal_all(&steal))
            })
            .collect();
        let mut seen = Vec::new();
        if let Some(t) = owner.pop() {
            seen.push(t);
        }
        for t in thieves {
            seen.extend(t.join().unwrap());
        }
        while let Some(t) = owner.pop() {
            seen.push(t);
        }
        check_all_once(&mut seen, 4);
    });
}

#[test]
fn closed_inject_hands_tasks_back() {
    loom::model(|| {
        let inject = loom::sync::Arc::new(Inject::new());
        let i2 = inject.clone();
        let th = thread::spawn(move || i2.push(1usize).err());
        inject.close();
        let rejected = th.join().unwrap();
        let drained = inject.pop();
        // Either queued before the close (and drained) or refused: never both, never neither.
        assert!(rejected.is_some() ^ drained.is_some());
    });
}
