//! Shared harness of the `net_*` test binaries: every test body is a function of the reactor
//! kind, and `both_reactors!` turns it into one `#[test]` per reactor, so the whole suite
//! runs against `mio` and `polling`.
//!
//! Until the runtime lands, tests drive a reactor on a background thread
//! (`TestReactor`) and run futures with a thread-park `block_on`.
#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

pub use weft::net::driver::__private::TestReactor;
pub use weft::net::driver::ReactorKind;

/// Generates `mod mio_reactor { #[test] fn name() }` and the same for `polling_reactor`,
/// each calling `name(kind)`.
#[macro_export]
macro_rules! both_reactors {
    ($($name:ident),* $(,)?) => {
        mod mio_reactor {
            $( #[test] fn $name() { super::$name($crate::net_common::ReactorKind::Mio) } )*
        }
        mod polling_reactor {
            $( #[test] fn $name() { super::$name($crate::net_common::ReactorKind::Polling) } )*
        }
    };
}

/// Runs `f` with a fresh reactor of `kind` on this thread and checks that every registration
/// was released when it returns.
pub fn run<F: Future>(kind: ReactorKind, fut: F) -> F::Output {
    let rt = TestReactor::new(kind);
    let out = rt.block_on(fut);
    assert_eq!(
        rt.handle().registered(),
        0,
        "a socket leaked its reactor registration"
    );
    out
}

/// Polls two futures concurrently on one task.
pub async fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let mut a = pin!(a);
    let mut b = pin!(b);
    let (mut ra, mut rb) = (None, None);
    poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}
