//! `select!` in a receive loop fed by other threads: no wake-up is lost when the futures are
//! created again on every iteration, closed channels disable their branch through a pattern
//! mismatch, and `else` ends the loop.

#[path = "select_util/mod.rs"]
mod util;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use util::block_on;
use weft_core::{join, select};

/// A minimal unbounded single-consumer channel. `recv` is cancellation safe: it takes a message
/// only in the poll that returns it.
struct Chan<T>(Arc<Mutex<State<T>>>);

struct State<T> {
    queue: VecDeque<T>,
    closed: bool,
    waker: Option<Waker>,
}

impl<T> Clone for Chan<T> {
    fn clone(&self) -> Self {
        Chan(self.0.clone())
    }
}

impl<T> Chan<T> {
    fn new() -> Self {
        Chan(Arc::new(Mutex::new(State {
            queue: VecDeque::new(),
            closed: false,
            waker: None,
        })))
    }
    fn send(&self, value: T) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.queue.push_back(value);
            state.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
    fn close(&self) {
        let waker = {
            let mut state = self.0.lock().unwrap();
            state.closed = true;
            state.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
    fn recv(&self) -> Recv<'_, T> {
        Recv(self)
    }
}

struct Recv<'a, T>(&'a Chan<T>);

impl<T> Future for Recv<'_, T> {
    type Output = Option<T>;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let mut state = (self.0).0.lock().unwrap();
        if let Some(v) = state.queue.pop_front() {
            return Poll::Ready(Some(v));
        }
        if state.closed {
            return Poll::Ready(None);
        }
        state.waker = Some(cx.waker().clone());
        Poll::Pending
    }
}

#[test]
fn receive_loop_over_two_threaded_producers() {
    const N: u32 = 2_000;
    let a = Chan::new();
    let b = Chan::new();
    let (ta, tb) = (a.clone(), b.clone());
    let pa = std::thread::spawn(move || {
        (0..N).for_each(|i| ta.send(i));
        ta.close();
    });
    let pb = std::thread::spawn(move || {
        (0..N).for_each(|i| tb.send(i + 1_000_000));
        tb.close();
    });
    let (from_a, from_b) = block_on(async {
        let (mut from_a, mut from_b) = (Vec::new(), Vec::new());
        loop {
            select! {
                Some(v) = a.recv() => from_a.push(v),
                Some(v) = b.recv() => from_b.push(v),
                else => break,
            }
        }
        (from_a, from_b)
    });
    pa.join().unwrap();
    pb.join().unwrap();
    assert_eq!(from_a, (0..N).collect::<Vec<_>>());
    assert_eq!(from_b, (0..N).map(|i| i + 1_000_000).collect::<Vec<_>>());
}

#[test]
fn precondition_stops_reading_a_channel() {
    let a = Chan::new();
    let b = Chan::new();
    for i in 0..10 {
        a.send(i);
        b.send(i);
    }
    a.close();
    b.close();
    let (got_a, got_b) = block_on(async {
        let (mut got_a, mut got_b) = (0, 0);
        loop {
            select! {
                Some(_) = a.recv(), if got_a < 3 => got_a += 1,
                Some(_) = b.recv() => got_b += 1,
                else => break,
            }
        }
        (got_a, got_b)
    });
    assert_eq!((got_a, got_b), (3, 10));
    // Nothing was lost from `a`: its futures were only created, never polled, once disabled.
    assert_eq!(a.0.lock().unwrap().queue.len(), 7);
}

#[test]
fn join_of_receivers_fed_by_threads() {
    let chans: Vec<Chan<u32>> = (0..3).map(|_| Chan::new()).collect();
    let producers: Vec<_> = chans
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, c)| std::thread::spawn(move || c.send(i as u32 * 10)))
        .collect();
    let out = block_on(async { join!(chans[0].recv(), chans[1].recv(), chans[2].recv()) });
    producers.into_iter().for_each(|p| p.join().unwrap());
    assert_eq!(out, (Some(0), Some(10), Some(20)));
}
