//! A runtime-neutral gate: tasks wait until it opens. Used where a workload
//! needs tasks to park, or needs one completion signal, without measuring a
//! particular runtime's channel (the waiting costs the same on every runtime:
//! one `Waker` clone pushed to a pre-sized `Vec`).

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// The gate.
#[derive(Debug)]
pub struct Gate {
    state: Mutex<State>,
    parked: AtomicUsize,
}

#[derive(Debug)]
struct State {
    open: bool,
    waiters: Vec<Waker>,
}

impl Gate {
    /// A closed gate with room for `waiters` wakers without reallocating.
    pub fn new(waiters: usize) -> Gate {
        Gate {
            state: Mutex::new(State {
                open: false,
                waiters: Vec::with_capacity(waiters),
            }),
            parked: AtomicUsize::new(0),
        }
    }

    /// How many waits have parked (registered a waker) so far.
    pub fn parked(&self) -> usize {
        self.parked.load(Ordering::Acquire)
    }

    /// Opens the gate and wakes every waiter.
    pub fn open(&self) {
        let waiters = {
            let mut st = self.state.lock().unwrap();
            st.open = true;
            std::mem::take(&mut st.waiters)
        };
        waiters.into_iter().for_each(Waker::wake);
    }

    /// Resolves once the gate is open.
    pub fn wait(&self) -> Wait<'_> {
        Wait {
            gate: self,
            registered: false,
        }
    }
}

/// Future of [`Gate::wait`].
#[derive(Debug)]
pub struct Wait<'a> {
    gate: &'a Gate,
    registered: bool,
}

impl Future for Wait<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let mut st = self.gate.state.lock().unwrap();
        if st.open {
            return Poll::Ready(());
        }
        // Woken only by `open`, so one registration is enough; a spurious
        // poll before that finds the gate closed and stays registered.
        if !self.registered {
            st.waiters.push(cx.waker().clone());
            drop(st);
            self.registered = true;
            self.gate.parked.fetch_add(1, Ordering::Release);
        }
        Poll::Pending
    }
}
