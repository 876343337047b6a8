//! Shared harness of the `net_*` test binaries: every test body is a function of a [`Cfg`]
//! (reactor kind × runtime flavor), and `both_reactors!` turns it into one `#[test]` per
//! combination, so the whole suite runs against `mio` and `polling`, on the multi-thread and
//! the current-thread runtime.
#![allow(dead_code)]

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::task::Poll;

pub use weft::net::driver::ReactorKind;
use weft::net::driver::{current_io, IoHandle};
use weft::runtime::{Builder, Runtime};

/// Which runtime flavor a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// `Builder::new_multi_thread()` with two workers (so tasks really move between threads).
    MultiThread,
    /// `Builder::new_current_thread()`.
    CurrentThread,
}

/// One combination a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cfg {
    pub kind: ReactorKind,
    pub flavor: Flavor,
}

impl Cfg {
    /// A fresh runtime of this flavor on a reactor of this kind.
    pub fn runtime(self) -> Runtime {
        let mut b = match self.flavor {
            Flavor::MultiThread => {
                let mut b = Builder::new_multi_thread();
                b.worker_threads(2);
                b
            }
            Flavor::CurrentThread => Builder::new_current_thread(),
        };
        b.reactor(self.kind).build().expect("build runtime")
    }
}

/// The reactor of `rt` (what sockets created inside it register with).
pub fn reactor_of(rt: &Runtime) -> IoHandle {
    rt.block_on(async { current_io() })
}

/// Generates one module per reactor kind × runtime flavor, each with `#[test] fn name()`
/// calling `name(cfg)`.
#[macro_export]
macro_rules! both_reactors {
    ($($name:ident),* $(,)?) => {
        $crate::both_reactors!(@one mio_multi_thread, Mio, MultiThread; $($name),*);
        $crate::both_reactors!(@one mio_current_thread, Mio, CurrentThread; $($name),*);
        $crate::both_reactors!(@one polling_multi_thread, Polling, MultiThread; $($name),*);
        $crate::both_reactors!(@one polling_current_thread, Polling, CurrentThread; $($name),*);
    };
    (@one $m:ident, $kind:ident, $flavor:ident; $($name:ident),*) => {
        mod $m {
            $( #[test] fn $name() {
                super::$name($crate::net_common::Cfg {
                    kind: $crate::net_common::ReactorKind::$kind,
                    flavor: $crate::net_common::Flavor::$flavor,
                })
            } )*
        }
    };
}

/// Runs `fut` on a fresh runtime of `cfg` and checks that every registration was released
/// when it returns.
pub fn run<F: Future>(cfg: Cfg, fut: F) -> F::Output {
    let rt = cfg.runtime();
    let io = reactor_of(&rt);
    let out = rt.block_on(fut);
    assert_eq!(
        io.registered(),
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
