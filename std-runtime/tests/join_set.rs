//! JoinSet on every flavor.
mod support;

use support::{runtimes, DropCounter, Gate};

#[test]
fn join_next_in_completion_order() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let gate = Gate::default();
            let mut set = weft::task::JoinSet::new();
            let g = gate.clone();
            set.spawn(async move {
                g.wait().await;
                "slow"
            });
            set.spawn(async { "fast" });
            assert_eq!(set.join_next().await.unwrap().unwrap(), "fast", "{name}");
            gate.open();
            assert_eq!(set.join_next().await.unwrap().unwrap(), "slow", "{name}");
            assert!(set.join_next().await.is_none(), "{name}");
        });
    }
}

#[test]
fn many_members() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let mut set = weft::task::JoinSet::new();
            for i in 0..5000u64 {
                set.spawn(async move {
                    weft::task::yield_now().await;
                    i
                });
            }
            assert_eq!(set.len(), 5000);
            let mut sum = 0;
            while let Some(r) = set.join_next().await {
                sum += r.unwrap();
            }
            assert_eq!(sum, 5000 * 4999 / 2, "{name}");
            assert!(set.is_empty());
        });
    }
}

#[test]
fn abort_all_and_drop_cancel() {
    for (name, rt) in runtimes() {
        let drops = DropCounter::default();
        let d = drops.clone();
        rt.block_on(async move {
            let mut set = weft::task::JoinSet::new();
            for _ in 0..10 {
                let t = d.track();
                set.spawn(async move {
                    let _t = t;
                    std::future::pending::<()>().await
                });
            }
            set.abort_all();
            let mut cancelled = 0;
            while let Some(r) = set.join_next().await {
                assert!(r.unwrap_err().is_cancelled());
                cancelled += 1;
            }
            assert_eq!(cancelled, 10, "{name}");

            // Dropping a set aborts its members.
            let mut set = weft::task::JoinSet::new();
            let mut probes = Vec::new();
            for _ in 0..10 {
                let t = d.track();
                probes.push(set.spawn(async move {
                    let _t = t;
                    std::future::pending::<()>().await
                }));
            }
            drop(set);
            for p in probes {
                while !p.is_finished() {
                    weft::task::yield_now().await;
                }
            }
        });
        assert_eq!(drops.count(), 20, "{name}");
    }
}

#[test]
fn panics_reported_through_set() {
    for (name, rt) in runtimes() {
        rt.block_on(async {
            let mut set = weft::task::JoinSet::new();
            set.spawn(async { panic!("member") });
            let e = set.join_next().await.unwrap().unwrap_err();
            assert!(e.is_panic(), "{name}");
        });
    }
}
