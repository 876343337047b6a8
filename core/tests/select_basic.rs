//! `select!`: winners, handlers, drops of losers, `biased;`, preconditions, pattern mismatch,
//! `else`, the all-disabled panic and control flow out of handlers.

#[path = "select_util/mod.rs"]
mod util;

use std::cell::{Cell, RefCell};
use std::future::ready;
use std::sync::Arc;
use std::task::{Poll, Waker};
use util::*;
use weft_core::select;

#[test]
fn first_to_finish_wins_and_handler_value_is_returned() {
    let out = block_on(async {
        select! {
            _ = yields(5) => "slow",
            v = async { yields(1).await; 7 } => if v == 7 { "fast" } else { "wrong" },
            () = never() => "never",
        }
    });
    assert_eq!(out, "fast");
}

#[test]
fn losers_are_dropped_before_the_handler_runs() {
    let drops = counter();
    block_on(async {
        select! {
            _ = Tracked::new(never::<()>(), &drops) => unreachable!(),
            _ = Tracked::new(yields(3), &drops) => unreachable!(),
            v = Tracked::new(async { yields(1).await; 1 }, &drops) => {
                assert_eq!(v, 1);
                assert_eq!(get(&drops), 3, "all futures are dropped before the handler");
            }
        }
    });
    assert_eq!(get(&drops), 3);
}

#[test]
fn handler_can_reuse_what_the_futures_borrowed() {
    let mut queue = vec![1, 2, 3];
    block_on(async {
        select! {
            n = async { queue.len() } => queue.push(n as i32),
        }
    });
    assert_eq!(queue, [1, 2, 3, 3]);
}

#[test]
fn biased_polls_in_written_order() {
    for _ in 0..200 {
        let order = RefCell::new(Vec::new());
        let out = block_on(async {
            select! {
                biased;
                v = async { order.borrow_mut().push(0); 0 } => v,
                v = async { order.borrow_mut().push(1); 1 } => v,
                v = async { order.borrow_mut().push(2); 2 } => v,
            }
        });
        assert_eq!(out, 0);
        assert_eq!(*order.borrow(), [0], "the first ready branch stops polling");
    }
}

#[test]
fn biased_skips_pending_branches_in_order() {
    let order = RefCell::new(Vec::new());
    let out = block_on(async {
        select! {
            biased;
            () = async { order.borrow_mut().push(0); never::<()>().await } => 0,
            () = async { order.borrow_mut().push(1); never::<()>().await } => 1,
            v = async { order.borrow_mut().push(2); 2 } => v,
        }
    });
    assert_eq!(out, 2);
    assert_eq!(*order.borrow(), [0, 1, 2]);
}

#[test]
fn unbiased_start_is_fair() {
    const ROUNDS: usize = 3_000;
    let mut wins = [0usize; 3];
    for _ in 0..ROUNDS {
        let w = block_on(async {
            select! {
                v = ready(0) => v,
                v = ready(1) => v,
                v = ready(2) => v,
            }
        });
        wins[w] += 1;
    }
    // Expected 1000 each; 600 is more than 14 standard deviations away.
    assert!(wins.iter().all(|&w| w > 600), "unfair: {wins:?}");
}

#[test]
fn fair_over_many_polls_of_one_select() {
    // Two branches that are always ready, raced in a loop: each wins a share.
    let mut wins = [0usize; 2];
    block_on(async {
        for _ in 0..2_000 {
            select! {
                () = ready(()) => wins[0] += 1,
                () = ready(()) => wins[1] += 1,
            }
        }
    });
    assert!(wins.iter().all(|&w| w > 600), "unfair: {wins:?}");
}

#[test]
fn false_precondition_disables_branch_but_future_is_still_created() {
    let created = Cell::new(false);
    let polls = counter();
    let drops = counter();
    let out = block_on(async {
        select! {
            v = { created.set(true); Tracked::counted(ready(1), &polls, &drops) }, if false => v,
            v = async { yields(2).await; 2 }, if true => v,
        }
    });
    assert_eq!(out, 2);
    assert!(created.get());
    assert_eq!(get(&polls), 0, "a disabled branch is never polled");
    assert_eq!(get(&drops), 1);
}

#[test]
fn preconditions_are_evaluated_before_futures() {
    let log = RefCell::new(Vec::new());
    block_on(async {
        select! {
            biased;
            _ = { log.borrow_mut().push("future 0"); ready(()) },
                if { log.borrow_mut().push("condition 0"); true } => {}
            _ = { log.borrow_mut().push("future 1"); ready(()) },
                if { log.borrow_mut().push("condition 1"); true } => {}
        }
    });
    assert_eq!(
        *log.borrow(),
        ["condition 0", "condition 1", "future 0", "future 1"]
    );
}

#[test]
fn mismatch_disables_branch_and_others_keep_racing() {
    let out = block_on(async {
        select! {
            biased;
            Some(v) = ready(None::<u32>) => v,
            Ok(v) = async { yields(2).await; Err::<u32, ()>(()) } => v,
            v = async { yields(4).await; 30 } => v,
        }
    });
    assert_eq!(out, 30);
}

#[test]
fn mismatched_output_is_dropped_and_future_not_polled_again() {
    let polls = counter();
    let drops = counter();
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    let fut = async {
        select! {
            biased;
            Some(v) = Tracked::counted(ready(None::<u8>), &polls, &drops) => v,
            v = std::future::poll_fn(|_| Poll::<u8>::Pending) => v,
        }
    };
    let mut fut = std::pin::pin!(fut);
    for _ in 0..3 {
        assert!(poll_once(fut.as_mut(), &waker).is_pending());
    }
    assert_eq!(get(&polls), 1);
}

#[test]
fn else_runs_when_all_disabled() {
    block_on(async {
        let a = select! {
            Some(v) = ready(None::<i32>) => v,
            Some(v) = ready(None::<i32>) => v,
            else => -1,
        };
        assert_eq!(a, -1);
        let b = select! {
            v = ready(1), if false => v,
            else => { 2 }
        };
        assert_eq!(b, 2);
        // else is not taken while a branch can still win.
        let c = select! {
            v = async { yields(3).await; 3 } => v,
            else => 0,
        };
        assert_eq!(c, 3);
    });
}

#[test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
fn panics_when_all_disabled_without_else() {
    block_on(async {
        select! {
            Some(v) = ready(None::<i32>) => v,
            v = ready(1), if false => v,
        }
    });
}

#[test]
#[should_panic(expected = "all branches are disabled and there is no else branch")]
fn panics_when_all_preconditions_false() {
    block_on(async {
        select! {
            v = ready(1), if false => v,
        }
    });
}

#[test]
fn binding_modes_and_complex_patterns() {
    #[derive(Debug, PartialEq)]
    enum Msg {
        Data { id: u32, body: String },
        Stop,
    }
    block_on(async {
        let s = select! {
            Some(mut s) = ready(Some(String::from("a"))) => { s.push('b'); s }
        };
        assert_eq!(s, "ab");

        let body = select! {
            Msg::Data { id: 1..=5, ref body } = ready(Msg::Data { id: 3, body: "x".into() }) => body.clone(),
        };
        assert_eq!(body, "x");

        let either = select! {
            biased;
            Msg::Stop = ready(Msg::Data { id: 0, body: String::new() }) => "stop",
            Ok(n) | Err(n) = ready(Err::<u8, u8>(4)) => if n == 4 { "four" } else { "?" },
        };
        assert_eq!(either, "four");
        assert_ne!(
            Msg::Stop,
            Msg::Data {
                id: 0,
                body: String::new()
            }
        );

        let refd = select! {
            &(mut a, b) = ready(&(1, 2)) => { a += b; a }
        };
        assert_eq!(refd, 3);

        let at = select! {
            whole @ (1, _) = ready((1, "one")) => whole.1,
        };
        assert_eq!(at, "one");
    });
}

#[test]
fn control_flow_in_handlers_reaches_the_enclosing_code() {
    async fn find() -> Result<u32, &'static str> {
        let mut i = 0;
        loop {
            i += 1;
            select! {
                () = ready(()), if i < 3 => continue,
                () = ready(()), if i == 3 => break,
                else => return Err("unreachable"),
            }
        }
        let v: u32 = select! {
            r = ready("12".parse::<u32>()) => r.map_err(|_| "parse")?,
        };
        Ok(v + i)
    }
    assert_eq!(block_on(find()), Ok(15));

    async fn early(go: bool) -> u8 {
        select! {
            () = ready(()), if go => return 1,
            else => {}
        }
        2
    }
    assert_eq!(block_on(early(true)), 1);
    assert_eq!(block_on(early(false)), 2);
}

#[test]
fn racing_a_borrowed_future_keeps_its_progress() {
    let job_polls = counter();
    let drops = counter();
    block_on(async {
        let mut job = std::pin::pin!(Tracked::counted(
            async {
                yields(5).await;
                "done"
            },
            &job_polls,
            &drops
        ));
        let mut ticks = 0;
        let out = loop {
            select! {
                biased;
                v = &mut job => break v,
                () = yields(1) => ticks += 1,
            }
        };
        assert_eq!(out, "done");
        assert!(ticks >= 1);
        assert_eq!(
            get(&drops),
            0,
            "the borrowed future is not dropped by select!"
        );
    });
    assert_eq!(
        get(&job_polls),
        6,
        "5 pending polls and one ready poll, never restarted"
    );
    assert_eq!(get(&drops), 1);
}

#[test]
fn woken_from_another_thread() {
    let gate = Gate::new();
    let opener = gate.clone();
    let t = std::thread::spawn(move || opener.open());
    let out = block_on(async {
        select! {
            () = gate.wait() => "gate",
            () = never() => "never",
        }
    });
    t.join().unwrap();
    assert_eq!(out, "gate");
}

#[test]
fn nested_select_and_join() {
    let out = block_on(async {
        select! {
            (a, b) = async { weft_core::join!(ready(1), ready(2)) } => {
                select! {
                    c = ready(a + b) => c * 10,
                }
            }
            () = never() => 0,
        }
    });
    assert_eq!(out, 30);
}

#[test]
fn sixty_four_branches() {
    for _ in 0..20 {
        let out = block_on(async {
            select! {
                () = never() => 0, () = never() => 1, () = never() => 2, () = never() => 3,
                () = never() => 4, () = never() => 5, () = never() => 6, () = never() => 7,
                () = never() => 8, () = never() => 9, () = never() => 10, () = never() => 11,
                () = never() => 12, () = never() => 13, () = never() => 14, () = never() => 15,
                () = never() => 16, () = never() => 17, () = never() => 18, () = never() => 19,
                () = never() => 20, () = never() => 21, () = never() => 22, () = never() => 23,
                () = never() => 24, () = never() => 25, () = never() => 26, () = never() => 27,
                () = never() => 28, () = never() => 29, () = never() => 30, () = never() => 31,
                () = never() => 32, () = never() => 33, () = never() => 34, () = never() => 35,
                () = never() => 36, () = never() => 37, () = never() => 38, () = never() => 39,
                () = never() => 40, () = never() => 41, () = never() => 42, () = never() => 43,
                () = never() => 44, () = never() => 45, () = never() => 46, () = never() => 47,
                () = never() => 48, () = never() => 49, () = never() => 50, () = never() => 51,
                () = never() => 52, () = never() => 53, () = never() => 54, () = never() => 55,
                () = never() => 56, () = never() => 57, () = never() => 58, () = never() => 59,
                () = never() => 60, () = never() => 61, () = never() => 62,
                v = async { yields(2).await; 63 } => v,
            }
        });
        assert_eq!(out, 63);
    }
}

#[test]
fn sixty_four_disabled_branches_take_else() {
    let out = block_on(async {
        select! {
            biased;
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None) => v, Some(v) = ready(None) => v, Some(v) = ready(None) => v,
            Some(v) = ready(None::<u64>) => v,
            else => 99,
        }
    });
    assert_eq!(out, 99);
}
