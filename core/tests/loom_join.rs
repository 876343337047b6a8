//! Loom models of the `join!` wake set: a branch wake racing the join's poll (no lost wake-up),
//! two branch wakes racing each other (the task is woken once, both are polled), and a branch
//! wake racing the join's drop and the slot's reuse by another join (the stale waker does
//! nothing). Run with
//! `RUSTFLAGS="--cfg loom" cargo test -p weft-core --release --test loom_join`.
#![cfg(loom)]

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Wake, Waker};

use loom::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use loom::sync::{Arc, Mutex};
use loom::thread;
use weft_core::join;

/// A one-shot event: `wait()` is pending until `set()`, which wakes the last waker.
#[derive(Default)]
struct Flag {
    set: AtomicBool,
    polls: AtomicUsize,
    waker: Mutex<Option<Waker>>,
}

impl Flag {
    fn set(&self) {
        self.set.store(true, SeqCst);
        let waker = self.waker.lock().unwrap().take();
        if let Some(w) = waker {
            w.wake();
        }
    }
    fn wait(&self) -> Wait<'_> {
        Wait(self)
    }
    fn polls(&self) -> usize {
        self.polls.load(SeqCst)
    }
}

struct Wait<'a>(&'a Flag);

impl Future for Wait<'_> {
    type Output = ();
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.0.polls.fetch_add(1, SeqCst);
        *self.0.waker.lock().unwrap() = Some(cx.waker().clone());
        if self.0.set.load(SeqCst) {
            Poll::Ready(())
        } else {
            Poll::Pending
        }
    }
}

/// A task waker that counts its wake-ups (a std `Arc` around a loom atomic: `Waker::from`
/// needs the std one).
struct Count(AtomicUsize);

impl Wake for Count {
    fn wake(self: std::sync::Arc<Self>) {
        self.0.fetch_add(1, SeqCst);
    }
}

fn task_waker() -> (std::sync::Arc<Count>, Waker) {
    let count = std::sync::Arc::new(Count(AtomicUsize::new(0)));
    (count.clone(), Waker::from(count))
}

fn poll<F: Future + ?Sized>(fut: Pin<&mut F>, waker: &Waker) -> Poll<F::Output> {
    fut.poll(&mut Context::from_waker(waker))
}

/// Four branches (the wake-set threshold): `a` and `b` wait, two are ready at once.
async fn join_two(a: &Flag, b: &Flag) {
    join!(a.wait(), b.wait(), async {}, async {});
}

#[test]
fn wake_racing_poll_is_not_lost() {
    loom::model(|| {
        let a = Arc::new(Flag::default());
        let b = Flag::default();
        b.set.store(true, SeqCst);
        let (count, waker) = task_waker();
        let mut fut = Box::pin(join_two(&a, &b));
        assert!(poll(fut.as_mut(), &waker).is_pending());

        let setter = {
            let a = a.clone();
            thread::spawn(move || a.set())
        };
        // A spurious poll racing the wake.
        let second = poll(fut.as_mut(), &waker);
        setter.join().unwrap();
        if second.is_pending() {
            // The wake came after this poll took the woken set: it must have woken the task
            // and left branch 0's bit for the next poll.
            assert_eq!(count.0.load(SeqCst), 1);
            assert!(poll(fut.as_mut(), &waker).is_ready());
        }
    });
}

#[test]
fn two_wakes_racing_a_poll_wake_the_task_and_poll_both() {
    // Two threads only: with three, loom explores two spinning waiters handing the processor to
    // each other for ever while the lock holder never runs, an execution that does not end.
    loom::model(|| {
        let a = Arc::new(Flag::default());
        let b = Arc::new(Flag::default());
        let (count, waker) = task_waker();
        let mut fut = Box::pin(join_two(&a, &b));
        assert!(poll(fut.as_mut(), &waker).is_pending());

        let setter = {
            let b = b.clone();
            thread::spawn(move || b.set())
        };
        // This thread's wake races the other one; the poll races the other one too.
        a.set();
        let mut seen = 0;
        let mut done = poll(fut.as_mut(), &waker).is_ready();
        setter.join().unwrap();
        while !done {
            // Pending: a wake-up must have arrived since the poll that returned it.
            let now = count.0.load(SeqCst);
            assert!(now > seen, "lost wake-up");
            seen = now;
            done = poll(fut.as_mut(), &waker).is_ready();
        }
        // Each branch is polled at the start and once after its own wake-up, never for the
        // other branch's.
        assert_eq!((a.polls(), b.polls()), (2, 2));
    });
}

#[test]
fn stale_wake_racing_drop_and_reuse_does_nothing() {
    loom::model(|| {
        let a = Arc::new(Flag::default());
        let ready = Flag::default();
        ready.set.store(true, SeqCst);
        let (_, waker1) = task_waker();
        let mut first = Box::pin(join_two(&a, &ready));
        assert!(poll(first.as_mut(), &waker1).is_pending());

        // The branch waker is woken while its join future is dropped and the slot reused.
        let setter = {
            let a = a.clone();
            thread::spawn(move || a.set())
        };
        drop(first);
        let c = Flag::default();
        let (count2, waker2) = task_waker();
        let mut second = Box::pin(join_two(&c, &ready));
        assert!(poll(second.as_mut(), &waker2).is_pending());
        setter.join().unwrap();

        assert_eq!(
            count2.0.load(SeqCst),
            0,
            "a stale waker woke an unrelated join"
        );
        assert!(poll(second.as_mut(), &waker2).is_pending());
        assert_eq!(c.polls(), 1, "a stale waker set a bit of an unrelated join");
        c.set();
        assert_eq!(count2.0.load(SeqCst), 1);
        assert!(poll(second.as_mut(), &waker2).is_ready());
    });
}
