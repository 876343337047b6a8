//! `try_join!`: the `Ok` tuple, short-circuit on the first `Err`, and drops of the rest.

#[path = "select_util/mod.rs"]
mod util;

use std::sync::Arc;
use std::task::{Poll, Waker};
use util::*;
use weft_core::try_join;

#[test]
fn ok_tuple_in_operand_order() {
    let out: Result<(u8, &str, char), ()> = block_on(async {
        try_join!(
            async {
                yields(2).await;
                Ok(1)
            },
            async { Ok("two") },
            async {
                yields(1).await;
                Ok('3')
            },
        )
    });
    assert_eq!(out, Ok((1, "two", '3')));
}

#[test]
fn empty_and_single() {
    block_on(async {
        assert_eq!(try_join!(), Ok(()));
        assert_eq!(try_join!(async { Ok::<_, ()>(7) }), Ok((7,)));
        assert_eq!(try_join!(async { Err::<u8, _>("e") }), Err("e"));
    });
}

#[test]
fn short_circuits_and_drops_the_rest_before_returning() {
    let drops = counter();
    let slow_polls = counter();
    let done_polls = counter();
    let result = block_on(async {
        let r = try_join!(
            Tracked::counted(async { Ok::<u32, &str>(1) }, &done_polls, &drops),
            Tracked::counted(
                async {
                    yields(2).await;
                    Err::<u32, &str>("boom")
                },
                &counter(),
                &drops
            ),
            Tracked::counted(never::<Result<u32, &str>>(), &slow_polls, &drops),
        );
        // Every branch, finished or not, is gone by the time try_join! returns.
        assert_eq!(get(&drops), 3);
        r
    });
    assert_eq!(result, Err("boom"));
    assert_eq!(get(&done_polls), 1);
    assert_eq!(
        get(&slow_polls),
        3,
        "polled once per wake-up until the error"
    );
}

#[test]
fn error_stops_polling_immediately() {
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    let after_polls = counter();
    let drops = counter();
    let fut = async {
        try_join!(
            async { Err::<(), u8>(9) },
            Tracked::counted(never::<Result<(), u8>>(), &after_polls, &drops),
        )
    };
    let mut fut = std::pin::pin!(fut);
    assert_eq!(poll_once(fut.as_mut(), &waker), Poll::Ready(Err(9)));
    // The first poll starts at branch 0, which fails: branch 1 is never polled.
    assert_eq!(get(&after_polls), 0);
    assert_eq!(get(&drops), 1);
}

#[test]
fn first_failure_polled_wins() {
    let waker = Waker::from(Arc::new(CountingWaker::default()));
    let fut = async { try_join!(async { Err::<(), u8>(1) }, async { Err::<(), u8>(2) }) };
    let mut fut = std::pin::pin!(fut);
    assert_eq!(poll_once(fut.as_mut(), &waker), Poll::Ready(Err(1)));
}

#[test]
fn later_failure_after_others_finished() {
    let drops = counter();
    let gate = Gate::new();
    let opener = gate.clone();
    let out = block_on(async {
        try_join!(
            Tracked::new(async { Ok::<_, String>(1) }, &drops),
            Tracked::new(async { Ok::<_, String>(2) }, &drops),
            async {
                std::thread::spawn(move || opener.open()).join().unwrap();
                gate.wait().await;
                Err::<(), String>("late".to_owned())
            },
        )
    });
    assert_eq!(out, Err("late".to_owned()));
    assert_eq!(get(&drops), 2);
}

#[test]
fn works_with_question_mark() {
    async fn both() -> Result<u32, &'static str> {
        let (a, b) = try_join!(async { Ok(1) }, async { Ok(2) })?;
        Ok(a + b)
    }
    async fn fails() -> Result<u32, &'static str> {
        let (a, b) = try_join!(async { Ok(1) }, async { Err::<u32, _>("no") })?;
        Ok(a + b)
    }
    assert_eq!(block_on(both()), Ok(3));
    assert_eq!(block_on(fails()), Err("no"));
}
