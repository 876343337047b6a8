//! Shared helpers: every test runs against each flavor and several worker counts.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use weft::runtime::{Builder, Runtime};

/// Current-thread, then multi-thread with 1, 2 and 4 workers.
pub fn runtimes() -> Vec<(&'static str, Runtime)> {
    vec![
        (
            "current_thread",
            Builder::new_current_thread().build().unwrap(),
        ),
        (
            "multi_thread(1)",
            Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .unwrap(),
        ),
        (
            "multi_thread(2)",
            Builder::new_multi_thread()
                .worker_threads(2)
                .build()
                .unwrap(),
        ),
        (
            "multi_thread(4)",
            Builder::new_multi_thread()
                .worker_threads(4)
                .build()
                .unwrap(),
        ),
    ]
}

/// Multi-thread runtimes only.
pub fn multi_thread_runtimes() -> Vec<(&'static str, Runtime)> {
    runtimes().into_iter().skip(1).collect()
}

/// Counts drops of the values it hands out.
#[derive(Clone, Default)]
pub struct DropCounter(Arc<AtomicUsize>);

/// Increments its counter when dropped.
pub struct Tracked(Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

impl DropCounter {
    pub fn track(&self) -> Tracked {
        Tracked(self.0.clone())
    }
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
}

/// A one-shot gate: `wait().await` until `open()` (a tiny manual event, no sleeps).
#[derive(Clone, Default)]
pub struct Gate(Arc<GateInner>);

#[derive(Default)]
pub struct GateInner {
    open: std::sync::atomic::AtomicBool,
    wakers: std::sync::Mutex<Vec<std::task::Waker>>,
}

impl Gate {
    pub fn open(&self) {
        self.0.open.store(true, Ordering::SeqCst);
        for w in self.0.wakers.lock().unwrap().drain(..) {
            w.wake();
        }
    }
    pub fn is_open(&self) -> bool {
        self.0.open.load(Ordering::SeqCst)
    }
    pub async fn wait(&self) {
        std::future::poll_fn(|cx| {
            if self.is_open() {
                return std::task::Poll::Ready(());
            }
            self.0.wakers.lock().unwrap().push(cx.waker().clone());
            if self.is_open() {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await
    }
}

/// The message of a panic payload (`String` or `&str`), or `""`.
pub fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// On both flavors built with `UnhandledPanic::ShutdownRuntime`: `block_on` of a future that
/// calls `spawn_panicking` then waits forever must panic with the shutdown message.
pub fn assert_task_panic_shuts_down(spawn_panicking: impl Fn()) {
    use weft::runtime::UnhandledPanic;
    for mut b in [Builder::new_current_thread(), Builder::new_multi_thread()] {
        let rt = b
            .unhandled_panic(UnhandledPanic::ShutdownRuntime)
            .build()
            .unwrap();
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            rt.block_on(async {
                spawn_panicking();
                std::future::pending::<()>().await
            })
        }));
        let msg = panic_message(r.unwrap_err());
        assert!(msg.contains("shut down on unhandled panic"), "{msg}");
    }
}
