//! `join!`: outputs, ordering, which branches are polled, wake-ups and drops.

#[path = "select_util/mod.rs"]
mod util;

use std::cell::RefCell;
use std::sync::Arc;
use std::task::{Poll, Waker};
use util::*;
use weft_core::join;

#[test]
fn returns_outputs_in_operand_order() {
    block_on(async {
        let (a, b, c) = join!(
            async {
                yields(3).await;
                'a'
            },
            async { 2u8 },
            async {
                yields(1).await;
                "c"
            },
        );
        assert_eq!((a, b, c), ('a', 2, "c"));
    });
}

#[test]
fn empty_and_single() {
    block_on(async {
        let () = join!();
        let (x,) = join!(async { 5 });
        assert_eq!(x, 5);
        // Trailing comma and IntoFuture operands.
        let (y, z) = join!(std::future::ready(1), async { 2 },);
        assert_eq!((y, z), (1, 2));
    });
}

#[test]
fn runs_branches_concurrently() {
    // Each branch waits for the other's gate: only concurrent polling finishes.
    let g1 = Gate::new();
    let g2 = Gate::new();
    block_on(async {
        let (a, b) = join!(
            async {
                g2.open();
                g1.wait().await;
                1
            },
            async {
                g1.open();
                g2.wait().await;
                2
            },
        );
        assert_eq!((a, b), (1, 2));
    });
}

#[test]
fn woken_from_another_thread() {
    let gate = Gate::new();
    let opener = gate.clone();
    let (ran, ()) = block_on(async {
        join!(
            async {
                let t = std::thread::spawn(move || opener.open());
                t.join().unwrap();
                true
            },
            gate.wait(),
        )
    });
    assert!(ran);
}

#[test]
fn finished_branch_is_not_polled_again_and_order_rotates() {
    let order = RefCell::new(Vec::new());
    let first_polls = counter();
    let drops = counter();
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    let fut = async {
        join!(
            Tracked::counted(
                std::future::poll_fn(|_| {
                    order.borrow_mut().push(0);
                    Poll::Ready(0)
                }),
                &first_polls,
                &drops
            ),
            std::future::poll_fn(|_| {
                order.borrow_mut().push(1);
                Poll::<()>::Pending
            }),
            std::future::poll_fn(|_| {
                order.borrow_mut().push(2);
                Poll::<()>::Pending
            }),
        )
    };
    let mut fut = std::pin::pin!(fut);
    for _ in 0..4 {
        assert!(poll_once(fut.as_mut(), &waker).is_pending());
    }
    assert_eq!(
        get(&first_polls),
        1,
        "a finished branch must not be polled again"
    );
    // Poll 1 starts at branch 0, poll 2 at branch 1, poll 3 at branch 2, poll 4 at branch 0.
    assert_eq!(*order.borrow(), vec![0, 1, 2, 1, 2, 2, 1, 1, 2]);
}

#[test]
fn dropping_join_drops_every_branch() {
    let drops = counter();
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    {
        let fut = async {
            join!(
                Tracked::new(async { 1 }, &drops),
                Tracked::new(never::<()>(), &drops),
                Tracked::new(yields(5), &drops),
            )
        };
        let mut fut = Box::pin(fut);
        assert!(poll_once(fut.as_mut(), &waker).is_pending());
        // A branch's future is dropped as soon as it finishes; its output waits in place.
        assert_eq!(get(&drops), 1);
    }
    assert_eq!(get(&drops), 3);
}

#[test]
fn all_futures_dropped_when_join_completes() {
    let drops = counter();
    block_on(async {
        let (a, b) = join!(
            Tracked::new(async { 1 }, &drops),
            Tracked::new(
                async {
                    yields(2).await;
                    2
                },
                &drops
            ),
        );
        assert_eq!((a, b), (1, 2));
        assert_eq!(get(&drops), 2);
    });
}

#[test]
#[rustfmt::skip]
fn sixty_four_operands() {
    block_on(async {
        let out = join!(
            async { 0 }, async { 1 }, async { 2 }, async { 3 }, async { 4 }, async { 5 },
            async { 6 }, async { 7 }, async { 8 }, async { 9 }, async { 10 }, async { 11 },
            async { 12 }, async { 13 }, async { 14 }, async { 15 }, async { 16 }, async { 17 },
            async { 18 }, async { 19 }, async { 20 }, async { 21 }, async { 22 }, async { 23 },
            async { 24 }, async { 25 }, async { 26 }, async { 27 }, async { 28 }, async { 29 },
            async { 30 }, async { 31 }, async { 32 }, async { 33 }, async { 34 }, async { 35 },
            async { 36 }, async { 37 }, async { 38 }, async { 39 }, async { 40 }, async { 41 },
            async { 42 }, async { 43 }, async { 44 }, async { 45 }, async { 46 }, async { 47 },
            async { 48 }, async { 49 }, async { 50 }, async { 51 }, async { 52 }, async { 53 },
            async { 54 }, async { 55 }, async { 56 }, async { 57 }, async { 58 }, async { 59 },
            async { 60 }, async { 61 }, async { 62 }, async { yields(1).await; 63 },
        );
        assert_eq!(out.0, 0);
        assert_eq!(out.31, 31);
        assert_eq!(out.63, 63);
    });
}

#[test]
fn non_unpin_and_borrowing_operands() {
    let mut data = vec![1, 2, 3];
    block_on(async {
        let (len, sum) = join!(async { data.len() }, async {
            yields(1).await;
            data.iter().sum::<i32>()
        });
        assert_eq!((len, sum), (3, 6));
    });
    data.push(4);
    assert_eq!(data.len(), 4);
}

#[test]
fn into_future_operands() {
    struct Deferred(u32);
    impl std::future::IntoFuture for Deferred {
        type Output = u32;
        type IntoFuture = std::future::Ready<u32>;
        fn into_future(self) -> Self::IntoFuture {
            std::future::ready(self.0 + 1)
        }
    }
    block_on(async {
        assert_eq!(join!(Deferred(1), Deferred(2)), (2, 3));
        assert_eq!(
            weft_core::try_join!(async { Ok::<_, ()>(0) }, async { Ok(Deferred(4).await) }),
            Ok((0, 5))
        );
        let v = weft_core::select! { v = Deferred(9) => v };
        assert_eq!(v, 10);
    });
}
