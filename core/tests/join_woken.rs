//! `join!`/`try_join!` with at least `MIN_BRANCHES` branches poll only the branches that were
//! woken, through the static wake set: per-branch polls, stale wakers after completion, drop and
//! slot reuse, table exhaustion, many threads. Also the threshold micro-benchmark (`--ignored`).
//!
//! Tests that look at the table (which is per process) hold `TABLE` so they do not see each
//! other's slots.

#[path = "select_util/mod.rs"]
mod util;

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use util::*;
use weft_core::macros::__private::wake_set_info::{claimed_slots, slot_of, MIN_BRANCHES, SLOTS};
use weft_core::{join, try_join};

static TABLE: Mutex<()> = Mutex::new(());

fn table() -> MutexGuard<'static, ()> {
    TABLE.lock().unwrap_or_else(|e| e.into_inner())
}

fn counting_waker() -> (Arc<CountingWaker>, Waker) {
    let inner = Arc::new(CountingWaker::default());
    (inner.clone(), Waker::from(inner))
}

fn wakes(w: &CountingWaker) -> usize {
    w.0.load(Ordering::SeqCst)
}

/// Pending until opened; keeps (a clone of) the last waker it was polled with, which a test can
/// take out to keep past the join.
#[derive(Clone, Default)]
struct Latch(Arc<LatchInner>);

#[derive(Default)]
struct LatchInner {
    open: AtomicBool,
    waker: Mutex<Option<Waker>>,
}

impl Latch {
    fn open(&self) {
        self.0.open.store(true, Ordering::SeqCst);
        if let Some(w) = self.0.waker.lock().unwrap().as_ref() {
            w.wake_by_ref();
        }
    }
    fn waker(&self) -> Waker {
        self.0.waker.lock().unwrap().clone().expect("polled once")
    }
    /// Counts its polls into `polls`.
    fn wait(&self, polls: &Arc<AtomicUsize>) -> LatchWait {
        LatchWait(self.clone(), polls.clone())
    }
}

struct LatchWait(Latch, Arc<AtomicUsize>);

impl Future for LatchWait {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.1.fetch_add(1, Ordering::SeqCst);
        let inner = &(self.0).0;
        *inner.waker.lock().unwrap() = Some(cx.waker().clone());
        if inner.open.load(Ordering::SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

fn latches<const N: usize>() -> ([Latch; N], [Arc<AtomicUsize>; N]) {
    (
        std::array::from_fn(|_| Latch::default()),
        std::array::from_fn(|_| counter()),
    )
}

fn polls<const N: usize>(counts: &[Arc<AtomicUsize>; N]) -> [usize; N] {
    std::array::from_fn(|i| get(&counts[i]))
}

#[test]
fn threshold_is_what_the_existing_tests_expect() {
    // join_basic and join_try pin poll-all behaviour for 3 branches.
    const { assert!(MIN_BRANCHES > 3 && MIN_BRANCHES <= 8) };
}

#[test]
fn polls_only_the_branch_woken_from_another_thread() {
    let _t = table();
    let (l, c) = latches::<8>();
    let (parent, waker) = counting_waker();
    let fut = async {
        join!(
            l[0].wait(&c[0]),
            l[1].wait(&c[1]),
            l[2].wait(&c[2]),
            l[3].wait(&c[3]),
            l[4].wait(&c[4]),
            l[5].wait(&c[5]),
            l[6].wait(&c[6]),
            l[7].wait(&c[7]),
        )
    };
    let mut fut = Box::pin(fut);
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(polls(&c), [1; 8], "the first poll polls every branch");
    assert_eq!(claimed_slots(), 1);

    let opener = l[3].clone();
    std::thread::spawn(move || opener.open()).join().unwrap();
    assert_eq!(wakes(&parent), 1, "a branch wake wakes the task");
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(polls(&c), [1, 1, 1, 2, 1, 1, 1, 1]);

    // A spurious poll polls nothing.
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(polls(&c), [1, 1, 1, 2, 1, 1, 1, 1]);

    // Two wakes before the next poll: the task is woken once, both branches are polled once.
    let (a, b) = (l[0].clone(), l[6].clone());
    std::thread::spawn(move || {
        a.open();
        b.open();
    })
    .join()
    .unwrap();
    assert_eq!(wakes(&parent), 2);
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(polls(&c), [2, 1, 1, 2, 1, 1, 2, 1]);

    for latch in &l {
        latch.open();
    }
    assert!(poll_once(fut.as_mut(), &waker).is_ready());
    // Branches 0, 3 and 6 had finished and are not polled again.
    assert_eq!(polls(&c), [2, 2, 2, 2, 2, 2, 2, 2]);
    drop(fut);
    assert_eq!(claimed_slots(), 0);
}

#[test]
fn self_waking_branch_does_not_poll_idle_ones() {
    let _t = table();
    let (l, c) = latches::<4>();
    let busy = counter();
    let drops = counter();
    let out = block_on(async {
        let (.., n) = join!(
            l[0].wait(&c[0]),
            l[1].wait(&c[1]),
            l[2].wait(&c[2]),
            l[3].wait(&c[3]),
            Tracked::counted(
                async {
                    yields(10).await;
                    for latch in &l {
                        latch.open();
                    }
                    7
                },
                &busy,
                &drops
            ),
        );
        n
    });
    assert_eq!(out, 7);
    assert_eq!(get(&busy), 11);
    assert_eq!(
        polls(&c),
        [2; 4],
        "idle branches: first poll and after their wake"
    );
}

#[test]
fn try_join_polls_only_woken_branches_and_short_circuits() {
    let _t = table();
    let (l, c) = latches::<6>();
    let (parent, waker) = counting_waker();
    let failing = Latch::default();
    let failing_polls = counter();
    let fut = async {
        try_join!(
            async {
                l[0].wait(&c[0]).await;
                Ok::<u8, &str>(0)
            },
            async {
                l[1].wait(&c[1]).await;
                Ok(1)
            },
            async {
                l[2].wait(&c[2]).await;
                Ok(2)
            },
            async {
                l[3].wait(&c[3]).await;
                Ok(3)
            },
            async {
                l[4].wait(&c[4]).await;
                Ok(4)
            },
            async {
                failing.wait(&failing_polls).await;
                Err::<u8, _>("boom")
            },
        )
    };
    let mut fut = Box::pin(fut);
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    let opener = l[2].clone();
    std::thread::spawn(move || opener.open()).join().unwrap();
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(polls(&c), [1, 1, 2, 1, 1, 0]);
    assert_eq!(get(&failing_polls), 1);
    failing.open();
    assert_eq!(wakes(&parent), 2);
    assert_eq!(poll_once(fut.as_mut(), &waker), Poll::Ready(Err("boom")));
    assert_eq!(polls(&c), [1, 1, 2, 1, 1, 0]);
    assert_eq!(get(&failing_polls), 2);
    drop(fut);
    assert_eq!(claimed_slots(), 0);
}

/// A join of `MIN_BRANCHES`-or-more branches where branch 0 waits on `latch` and the rest are
/// ready at once.
fn join_on<'a>(latch: &'a Latch, polls: &Arc<AtomicUsize>) -> impl Future<Output = ()> + use<'a> {
    let polls = polls.clone();
    async move {
        join!(
            latch.wait(&polls),
            async {},
            async {},
            async {},
            async {},
            async {},
        );
    }
}

#[test]
fn stale_waker_after_completion_and_slot_reuse_does_nothing() {
    let _t = table();
    let first = Latch::default();
    let (parent1, waker1) = counting_waker();
    let stale;
    {
        let mut fut = Box::pin(join_on(&first, &counter()));
        assert!(poll_once(fut.as_mut(), &waker1).is_pending());
        stale = first.waker();
        assert_eq!(slot_of(&stale), Some(0), "the lowest free slot");
        first.open();
        assert_eq!(wakes(&parent1), 1);
        assert!(poll_once(fut.as_mut(), &waker1).is_ready());
    }
    assert_eq!(claimed_slots(), 0);
    stale.wake_by_ref();
    assert_eq!(
        wakes(&parent1),
        1,
        "the join completed: its wakers are no-ops"
    );

    // A new join takes the same slot; the stale waker must neither wake its task nor make it
    // poll a branch.
    let second = Latch::default();
    let second_polls = counter();
    let (parent2, waker2) = counting_waker();
    let mut fut = Box::pin(join_on(&second, &second_polls));
    assert!(poll_once(fut.as_mut(), &waker2).is_pending());
    assert_eq!(slot_of(&second.waker()), Some(0), "the slot was reused");
    assert!(!stale.will_wake(&second.waker()));
    stale.wake_by_ref();
    let copy = stale.clone();
    copy.wake();
    assert_eq!(wakes(&parent2), 0);
    assert_eq!(wakes(&parent1), 1);
    assert!(poll_once(fut.as_mut(), &waker2).is_pending());
    assert_eq!(get(&second_polls), 1, "the stale wake set no bit");

    second.open();
    assert_eq!(wakes(&parent2), 1);
    assert!(poll_once(fut.as_mut(), &waker2).is_ready());
    assert_eq!(get(&second_polls), 2);
}

#[test]
fn stale_waker_after_drop_does_nothing() {
    let _t = table();
    let latch = Latch::default();
    let (parent1, waker1) = counting_waker();
    let mut fut = Box::pin(join_on(&latch, &counter()));
    assert!(poll_once(fut.as_mut(), &waker1).is_pending());
    let stale = latch.waker();
    drop(fut);
    assert_eq!(claimed_slots(), 0);

    let other = Latch::default();
    let (parent2, waker2) = counting_waker();
    let mut fut = Box::pin(join_on(&other, &counter()));
    assert!(poll_once(fut.as_mut(), &waker2).is_pending());
    assert_eq!(slot_of(&other.waker()), slot_of(&stale));
    // Woken from another thread, like a timer firing after its select! branch lost.
    std::thread::spawn(move || stale.wake()).join().unwrap();
    assert_eq!((wakes(&parent1), wakes(&parent2)), (0, 0));
    other.open();
    assert!(poll_once(fut.as_mut(), &waker2).is_ready());
}

#[test]
fn parent_waker_change_is_followed() {
    let _t = table();
    let latch = Latch::default();
    let (first, waker1) = counting_waker();
    let (second, waker2) = counting_waker();
    let mut fut = Box::pin(join_on(&latch, &counter()));
    assert!(poll_once(fut.as_mut(), &waker1).is_pending());
    // Polled by another task now (e.g. moved into a different select!).
    assert!(poll_once(fut.as_mut(), &waker2).is_pending());
    latch.open();
    assert_eq!((wakes(&first), wakes(&second)), (0, 1));
    assert!(poll_once(fut.as_mut(), &waker2).is_ready());
}

#[test]
fn full_table_falls_back_to_polling_every_branch() {
    let _t = table();
    assert_eq!(claimed_slots(), 0);
    let holders: Vec<Latch> = (0..SLOTS).map(|_| Latch::default()).collect();
    let mut held: Vec<_> = holders
        .iter()
        .map(|latch| Box::pin(join_on(latch, &counter())))
        .collect();
    let (_, waker) = counting_waker();
    for fut in &mut held {
        assert!(poll_once(fut.as_mut(), &waker).is_pending());
    }
    assert_eq!(claimed_slots() as usize, SLOTS);

    let (l, c) = latches::<5>();
    let (parent, waker) = counting_waker();
    let fut = async {
        join!(
            l[0].wait(&c[0]),
            l[1].wait(&c[1]),
            l[2].wait(&c[2]),
            l[3].wait(&c[3]),
            l[4].wait(&c[4]),
        )
    };
    let mut fut = std::pin::pin!(fut);
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    // No slot: the branches got the task's own waker.
    assert_eq!(slot_of(&l[0].waker()), None);
    assert!(l[0].waker().will_wake(&waker));
    l[1].open();
    assert_eq!(wakes(&parent), 1);
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(
        polls(&c),
        [2, 2, 2, 2, 2],
        "every unfinished branch is polled"
    );
    for latch in &l {
        latch.open();
    }
    assert!(poll_once(fut.as_mut(), &waker).is_ready());
    assert_eq!(polls(&c), [3, 2, 3, 3, 3]);

    // Freeing one slot makes the next join use it again.
    held.pop();
    let latch = Latch::default();
    let mut fut = Box::pin(join_on(&latch, &counter()));
    assert!(poll_once(fut.as_mut(), &waker).is_pending());
    assert_eq!(slot_of(&latch.waker()), Some(SLOTS - 1));
    drop(fut);
    drop(held);
    assert_eq!(claimed_slots(), 0);
}

#[test]
fn many_threads_join_concurrently_with_stale_wakers_flying() {
    let _t = table();
    const THREADS: usize = 6;
    const ROUNDS: usize = 150;
    // Wakers of finished joins, woken again and again by a hammer thread.
    let stale: Arc<Mutex<Vec<Waker>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let hammer = {
        let (stale, stop) = (stale.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut woken = 0usize;
            while !stop.load(Ordering::SeqCst) {
                let wakers = stale.lock().unwrap().clone();
                for w in &wakers {
                    w.wake_by_ref();
                    woken += 1;
                }
                std::thread::yield_now();
            }
            woken
        })
    };
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let stale = stale.clone();
            std::thread::spawn(move || {
                for round in 0..ROUNDS {
                    let (l, c) = latches::<4>();
                    let openers = l.clone();
                    let opener = std::thread::spawn(move || {
                        for latch in openers.iter().rev() {
                            latch.open();
                        }
                    });
                    let out = block_on(async {
                        join!(
                            async {
                                l[0].wait(&c[0]).await;
                                t
                            },
                            async {
                                l[1].wait(&c[1]).await;
                                round
                            },
                            async {
                                l[2].wait(&c[2]).await;
                                yields(round % 3).await;
                            },
                            l[3].wait(&c[3]),
                            yields(round % 5),
                        )
                    });
                    opener.join().unwrap();
                    assert_eq!((out.0, out.1), (t, round));
                    if round % 10 == 0 {
                        let mut stale = stale.lock().unwrap();
                        stale.push(l[0].waker());
                        stale.push(l[3].waker());
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    stop.store(true, Ordering::SeqCst);
    hammer.join().unwrap();
    assert_eq!(claimed_slots(), 0);
}

/// The micro-benchmark behind `MIN_BRANCHES`: run with
/// `cargo test -p weft-core --release --test join_woken -- --ignored --nocapture bench`.
///
/// Each round wakes one branch (round-robin) and polls the join once; the other branches are
/// pending leaf futures that load an atomic flag and check their stored waker with `will_wake`,
/// about the cheapest a real leaf (a channel receiver, a timer) gets, so the figures favour
/// polling everything.
#[test]
#[ignore = "benchmark; run in release"]
fn bench_poll_all_vs_woken_only() {
    use std::cell::RefCell;
    use std::time::Instant;
    use weft_core::macros::__private::JoinState;

    /// A pending leaf future: `locking` ones keep their waker behind a `Mutex` (like weft's
    /// channels and locks, which take a lock to register a waiter), the others in a `RefCell`
    /// (the cheapest a leaf gets).
    struct Leaf {
        ready: AtomicBool,
        locking: bool,
        cell: RefCell<Option<Waker>>,
        mutex: Mutex<Option<Waker>>,
    }
    impl Leaf {
        fn register(slot: &mut Option<Waker>, cx: &Context<'_>) {
            if !slot.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *slot = Some(cx.waker().clone());
            }
        }
        fn poll(&self, cx: &mut Context<'_>) -> Poll<()> {
            if self.ready.load(Ordering::Acquire) {
                return Poll::Ready(());
            }
            if self.locking {
                Self::register(&mut self.mutex.lock().unwrap(), cx);
            } else {
                Self::register(&mut self.cell.borrow_mut(), cx);
            }
            Poll::Pending
        }
        fn wake(&self) {
            if self.locking {
                self.mutex.lock().unwrap().as_ref().unwrap().wake_by_ref();
            } else {
                self.cell.borrow().as_ref().unwrap().wake_by_ref();
            }
        }
    }

    fn run(branches: u32, woken_only: bool, locking: bool, rounds: u32) -> f64 {
        let leaves: Vec<Leaf> = (0..branches)
            .map(|_| Leaf {
                ready: AtomicBool::new(false),
                locking,
                cell: RefCell::new(None),
                mutex: Mutex::new(None),
            })
            .collect();
        let mut state = JoinState::with_wake_set(branches, woken_only);
        let (_, waker) = counting_waker();
        let mut cx = Context::from_waker(&waker);
        let mut poll_join = |cx: &mut Context<'_>| {
            let mut round = state.start(cx);
            while let Some(b) = round.next_branch() {
                if round
                    .poll(b, cx, |cx| leaves[b as usize].poll(cx))
                    .is_ready()
                {
                    state.finished(b);
                }
            }
        };
        poll_join(&mut cx);
        let start = Instant::now();
        for r in 0..rounds {
            leaves[(r % branches) as usize].wake();
            poll_join(&mut cx);
        }
        start.elapsed().as_nanos() as f64 / f64::from(rounds)
    }

    const SIZES: [u32; 8] = [2, 3, 4, 5, 6, 8, 16, 64];
    // best[locking][woken_only][size]
    let mut best = [[[f64::MAX; SIZES.len()]; 2]; 2];
    for _ in 0..15 {
        for (i, &n) in SIZES.iter().enumerate() {
            for locking in [false, true] {
                for woken_only in [false, true] {
                    let t = run(n, woken_only, locking, 50_000);
                    let b = &mut best[locking as usize][woken_only as usize][i];
                    *b = b.min(t);
                }
            }
        }
    }
    let show = |row: [f64; SIZES.len()]| row.map(|x| (x * 10.0).round() / 10.0);
    println!("branches                {SIZES:?}");
    println!("poll all,   cell leaf   {:?}", show(best[0][0]));
    println!("woken only, cell leaf   {:?}", show(best[0][1]));
    println!("poll all,   mutex leaf  {:?}", show(best[1][0]));
    println!("woken only, mutex leaf  {:?}", show(best[1][1]));
}
