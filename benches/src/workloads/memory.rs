//! Memory per idle task.

use super::{Measure, Scale};
use crate::alloc_count::Meter;
use crate::gate::Gate;
use crate::rt::Rt;
use std::sync::Arc;

/// Heap bytes per pending task: `idle_tasks` tasks park on a gate (a waker
/// pushed to a pre-sized `Vec`, the same cost on every runtime); the growth of
/// the heap from before the first spawn until all are parked, per task.
pub fn task_memory<R: Rt>(rt: &R, s: &Scale) -> Measure {
    let (n, sp) = (s.idle_tasks, rt.spawner());
    rt.block_on(async move {
        let gate = Arc::new(Gate::new(n));
        let mut handles = Vec::with_capacity(n);
        let meter = Meter::start();
        for _ in 0..n {
            let gate = gate.clone();
            handles.push(R::spawn(&sp, async move { gate.wait().await }));
        }
        while gate.parked() < n {
            R::yield_now().await;
        }
        let bytes = meter.grown() as f64 / n as f64;
        drop(meter);
        gate.open();
        for h in handles {
            h.await;
        }
        Measure::Bytes(bytes)
    })
}
