//! spawn / join / yield on every flavor.
mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use support::runtimes;

#[test]
fn block_on_returns_value() {
    for (name, rt) in runtimes() {
        assert_eq!(rt.block_on(async { 40 + 2 }), 42, "{name}");
    }
}

#[test]
fn spawn_and_join() {
    for (name, rt) in runtimes() {
        let v = rt.block_on(async {
            let hs: Vec<_> = (0..100u64)
                .map(|i| weft::spawn(async move { i * i }))
                .collect();
            let mut sum = 0;
            for h in hs {
                sum += h.await.unwrap();
            }
            sum
        });
        assert_eq!(v, (0..100u64).map(|i| i * i).sum::<u64>(), "{name}");
    }
}

#[test]
fn spawn_from_outside_runtime_via_handle() {
    for (name, rt) in runtimes() {
        let h = rt.spawn(async { 7 });
        assert_eq!(rt.block_on(h).unwrap(), 7, "{name}");
        let handle = rt.handle().clone();
        let h = std::thread::spawn(move || handle.spawn(async { 8 }))
            .join()
            .unwrap();
        assert_eq!(rt.block_on(h).unwrap(), 8, "{name}");
    }
}

#[test]
fn nested_spawn_chain() {
    fn chain(n: u32, counter: Arc<AtomicUsize>) -> weft::task::JoinHandle<()> {
        weft::spawn(async move {
            counter.fetch_add(1, Ordering::SeqCst);
            if n > 0 {
                chain(n - 1, counter).await.unwrap();
            }
        })
    }
    for (name, rt) in runtimes() {
        let c = Arc::new(AtomicUsize::new(0));
        let c2 = c.clone();
        rt.block_on(async move { chain(1000, c2).await.unwrap() });
        assert_eq!(c.load(Ordering::SeqCst), 1001, "{name}");
    }
}

#[test]
fn yield_many() {
    for (name, rt) in runtimes() {
        let n = rt.block_on(async {
            let hs: Vec<_> = (0..50)
                .map(|_| {
                    weft::spawn(async {
                        for _ in 0..100 {
                            weft::task::yield_now().await;
                        }
                        1u32
                    })
                })
                .collect();
            let mut n = 0;
            for h in hs {
                n += h.await.unwrap();
            }
            n
        });
        assert_eq!(n, 50, "{name}");
    }
}

#[test]
fn task_id_inside_task() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let h = weft::spawn(async { weft::task::id() });
            let id = h.id();
            assert_eq!(h.await.unwrap(), id, "{name}");
        });
    }
}
