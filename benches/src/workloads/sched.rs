//! Scheduler workloads: spawning, yielding, message passing between tasks.

use super::{join_all, timed, Measure, Scale, Stopwatch};
use crate::gate::Gate;
use crate::rt::{Rt, RtSync};
use std::sync::Arc;

/// A task spawns `spawn_many` empty tasks and awaits every handle.
pub fn spawn_many<R: Rt>(rt: &R, s: &Scale) -> Measure {
    let (n, sp) = (s.spawn_many, rt.spawner());
    timed(
        rt,
        async move { join_all::<R, _>(&sp, n, |_| async {}).await },
    )
}

/// A thread outside the runtime spawns `spawn_many` empty tasks and awaits
/// them (with a plain `block_on` of its own, not the runtime's).
pub fn spawn_remote<R: Rt>(rt: &R, s: &Scale) -> Measure {
    let (n, sp) = (s.spawn_many, rt.spawner());
    let watch = Stopwatch::start();
    let handles: Vec<_> = (0..n).map(|_| R::spawn_remote(&sp, async {})).collect();
    futures_lite::future::block_on(async {
        for h in handles {
            h.await;
        }
    });
    watch.stop()
}

/// `yield_tasks` tasks each yield `yields` times.
pub fn yield_many<R: Rt>(rt: &R, s: &Scale) -> Measure {
    let (tasks, yields, sp) = (s.yield_tasks, s.yields, rt.spawner());
    timed(rt, async move {
        join_all::<R, _>(&sp, tasks, |_| async move {
            for _ in 0..yields {
                R::yield_now().await;
            }
        })
        .await
    })
}

/// A chain of `chain` tasks, each spawning the next; the last opens a gate.
pub fn chained_spawn<R: Rt>(rt: &R, s: &Scale) -> Measure {
    fn link<R: Rt>(sp: R::Spawner, gate: Arc<Gate>, left: usize) {
        if left == 0 {
            gate.open();
        } else {
            let next = sp.clone();
            R::detach(R::spawn(
                &sp,
                async move { link::<R>(next, gate, left - 1) },
            ));
        }
    }
    let (n, sp) = (s.chain, rt.spawner());
    timed(rt, async move {
        let gate = Arc::new(Gate::new(1));
        link::<R>(sp, gate.clone(), n);
        gate.wait().await;
    })
}

/// `pairs` pairs of tasks; in each, a message goes back and forth `rounds`
/// times over two channels of capacity 1. The pinging tasks are joined; each
/// ponger ends when its pinger drops its sender.
pub fn ping_pong<R: RtSync>(rt: &R, s: &Scale) -> Measure {
    let (pairs, rounds, sp) = (s.pairs, s.pair_rounds, rt.spawner());
    timed(rt, async move {
        join_all::<R, _>(&sp, pairs, |_| {
            let (ping_tx, mut ping_rx) = R::channel::<usize>(1);
            let (pong_tx, mut pong_rx) = R::channel::<usize>(1);
            R::detach(R::spawn(&sp, async move {
                while let Some(v) = R::recv(&mut ping_rx).await {
                    R::send(&pong_tx, v + 1).await;
                }
            }));
            async move {
                for i in 0..rounds {
                    R::send(&ping_tx, i).await;
                    assert_eq!(R::recv(&mut pong_rx).await, Some(i + 1));
                }
            }
        })
        .await
    })
}
