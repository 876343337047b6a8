//! `block_on` for the loom models: parks on a `loom::sync::Notify`, so loom sees the wake-up
//! (a lost wake-up shows up as a deadlock in the model).

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};

struct LoomWaker(loom::sync::Notify);

impl Wake for LoomWaker {
    fn wake(self: Arc<Self>) {
        self.0.notify();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.0.notify();
    }
}

pub fn block_on<F: Future>(fut: F) -> F::Output {
    let w = Arc::new(LoomWaker(loom::sync::Notify::new()));
    let waker = Waker::from(w.clone());
    let mut cx = Context::from_waker(&waker);
    let mut fut = pin!(fut);
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        w.0.wait();
    }
}
