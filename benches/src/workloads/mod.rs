//! The workloads and their registry.
//!
//! A workload is one generic function `fn(&R, &Scale) -> Measure`, written
//! once and instantiated for every runtime that implements the traits it needs
//! (see [`crate::rt`]). [`registry`] lists them with the flavor they run on.
//! The weft column of a workload exists only when the cargo features of every
//! weft piece it uses are on; otherwise it is [`Slot::NotYet`] and prints
//! "n/a (weft side not available yet)".

mod blocking;
mod memory;
mod net;
mod sched;
mod sync;
mod time;

use crate::rt::async_executor_rt::AsyncExecutor;
use crate::rt::tokio_rt::Tokio;
use crate::rt::{Flavor, Rt};
use std::future::Future;
use std::time::{Duration, Instant};

/// The result of one sample.
#[derive(Clone, Copy, Debug)]
pub enum Measure {
    /// Wall-clock time and process CPU time (user + system, every thread) of
    /// the measured part.
    Time {
        /// Wall-clock time.
        wall: Duration,
        /// CPU time of the whole process over the same interval.
        cpu: Duration,
    },
    /// Heap bytes per unit (task, connection).
    Bytes(f64),
}

/// Problem sizes. [`Scale::full`] follows the sizes named in the issues;
/// [`Scale::quick`] shrinks only the slow workloads.
#[derive(Clone, Debug)]
pub struct Scale {
    /// Tasks in `spawn_many` and `spawn_remote`.
    pub spawn_many: usize,
    /// Tasks in `yield_many`.
    pub yield_tasks: usize,
    /// Yields per task in `yield_many`.
    pub yields: usize,
    /// Task pairs in `ping_pong`.
    pub pairs: usize,
    /// Round trips per pair in `ping_pong`.
    pub pair_rounds: usize,
    /// Tasks in `chained_spawn`.
    pub chain: usize,
    /// Parked tasks in `task_memory`.
    pub idle_tasks: usize,
    /// Sender tasks in `mpsc_throughput`.
    pub senders: usize,
    /// Messages in `mpsc_throughput` (all senders together).
    pub messages: usize,
    /// Channel capacity in `mpsc_throughput`.
    pub mpsc_cap: usize,
    /// Client tasks in `oneshot_reqrep`.
    pub clients: usize,
    /// Requests per client in `oneshot_reqrep`.
    pub requests: usize,
    /// Tasks sharing `timer_insert_cancel`.
    pub timer_tasks: usize,
    /// Sleeps created and cancelled in `timer_insert_cancel`.
    pub timers: usize,
    /// Tasks in `timers_fire`.
    pub sleepers: usize,
    /// 1 ms sleeps per task in `timers_fire`.
    pub sleeps: usize,
    /// Closures in `spawn_blocking`.
    pub blocking: usize,
    /// Calls in `block_in_place`.
    pub in_place: usize,
    /// Connections in `echo`.
    pub conns: usize,
    /// Round trips per connection in `echo`.
    pub trips: usize,
    /// Connections in `idle_connections`.
    pub idle_conns: usize,
}

impl Scale {
    /// The sizes named in the issues.
    pub fn full() -> Scale {
        Scale {
            spawn_many: 100_000,
            yield_tasks: 200,
            yields: 1_000,
            pairs: 1_000,
            pair_rounds: 100,
            chain: 10_000,
            idle_tasks: 100_000,
            senders: 4,
            messages: 100_000,
            mpsc_cap: 256,
            clients: 10,
            requests: 5_000,
            timer_tasks: 4,
            timers: 100_000,
            sleepers: 10_000,
            sleeps: 5,
            blocking: 10_000,
            in_place: 5_000,
            conns: 50,
            trips: 1_000,
            idle_conns: 1_000,
        }
    }

    /// Tiny sizes, for the test that runs every workload once.
    #[cfg(test)]
    pub fn tiny() -> Scale {
        Scale {
            spawn_many: 100,
            yield_tasks: 4,
            yields: 10,
            pairs: 4,
            pair_rounds: 10,
            chain: 10,
            idle_tasks: 100,
            senders: 2,
            messages: 100,
            mpsc_cap: 4,
            clients: 2,
            requests: 10,
            timer_tasks: 2,
            timers: 20,
            sleepers: 4,
            sleeps: 2,
            blocking: 10,
            in_place: 10,
            conns: 2,
            trips: 10,
            idle_conns: 10,
        }
    }

    /// Smaller sizes for the slow workloads, so `--quick` stays short.
    pub fn quick() -> Scale {
        Scale {
            requests: 2_000,
            blocking: 2_000,
            in_place: 1_000,
            trips: 200,
            ..Scale::full()
        }
    }
}

/// Measures wall-clock and process CPU time from `start` to `stop`.
#[derive(Debug)]
pub struct Stopwatch {
    wall: Instant,
    cpu: Duration,
}

impl Stopwatch {
    /// Starts measuring.
    pub fn start() -> Stopwatch {
        Stopwatch {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }

    /// The time since [`Stopwatch::start`].
    pub fn stop(&self) -> Measure {
        let wall = self.wall.elapsed();
        Measure::Time {
            wall,
            cpu: process_cpu().saturating_sub(self.cpu),
        }
    }
}

/// User plus system CPU time of this process (all threads) so far.
fn process_cpu() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value of this plain C struct.
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `ru` is a valid, writable `rusage`; RUSAGE_SELF is a valid `who`.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) };
    assert_eq!(rc, 0, "getrusage failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1_000);
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Runs `f` on `rt` and measures it from inside the runtime (so runtime start
/// and `block_on` entry are not timed).
pub fn timed<R: Rt, F>(rt: &R, f: F) -> Measure
where
    F: Future<Output = ()> + Send + 'static,
{
    rt.block_on(async move {
        let watch = Stopwatch::start();
        f.await;
        watch.stop()
    })
}

/// Spawns `n` tasks, the `i`-th being `task(i)`, and awaits them all.
pub async fn join_all<R: Rt, F>(sp: &R::Spawner, n: usize, task: impl Fn(usize) -> F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let handles: Vec<_> = (0..n).map(|i| R::spawn(sp, task(i))).collect();
    for h in handles {
        h.await;
    }
}

/// The runtimes of the harness, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuntimeId {
    /// weft's std runtime.
    Weft,
    /// tokio.
    Tokio,
    /// async-executor.
    AsyncExecutor,
    /// A hand-written single-threaded mio event loop (`echo` only): the floor.
    MioLoop,
}

impl RuntimeId {
    /// Every runtime, in table order.
    pub const ALL: [RuntimeId; 4] = [
        RuntimeId::Weft,
        RuntimeId::Tokio,
        RuntimeId::AsyncExecutor,
        RuntimeId::MioLoop,
    ];

    /// Short name for ratio column heads.
    pub fn short(self) -> &'static str {
        match self {
            RuntimeId::AsyncExecutor => "a-e",
            RuntimeId::MioLoop => "mio",
            other => other.name(),
        }
    }

    /// Name in tables and JSON.
    pub fn name(self) -> &'static str {
        match self {
            RuntimeId::Weft => "weft",
            RuntimeId::Tokio => "tokio",
            RuntimeId::AsyncExecutor => "async-executor",
            RuntimeId::MioLoop => "mio-loop",
        }
    }
}

/// Builds a runtime, runs one sample of a workload on it, and drops it.
pub type Runner = fn(Flavor, usize, &Scale) -> Measure;

/// Whether a runtime has a column for a workload.
#[derive(Clone, Copy, Debug)]
pub enum Slot {
    /// Measured with this runner.
    Run(Runner),
    /// weft's piece for this workload is not on main yet (cargo feature off).
    /// Constructed only while one of the `weft-*` features is off.
    #[allow(dead_code)]
    NotYet,
    /// The runtime has no equivalent (async-executor has no timers/sockets).
    NoEquivalent,
}

/// One workload of the registry.
#[derive(Debug)]
pub struct Workload {
    /// Name (as given to `--filter`).
    pub name: &'static str,
    /// Flavor it runs on.
    pub flavor: Flavor,
    /// One line on what it does.
    pub what: &'static str,
    /// Columns, in [`RuntimeId::ALL`] order.
    pub slots: [Slot; 4],
}

fn sample<R: Rt>(
    flavor: Flavor,
    threads: usize,
    s: &Scale,
    body: fn(&R, &Scale) -> Measure,
) -> Measure {
    let rt = R::build(flavor, threads);
    body(&rt, s)
}

/// Registry entry: `$body` generic over the runtime, weft's column gated on
/// `$feat`, async-executor's column present with `ae` and absent with `-`.
/// `weft = Type` picks another weft runtime variant (default `Weft`).
macro_rules! workload {
    ($name:literal, $flavor:ident, $body:path, $feat:literal, $ae:tt, $what:literal) => {
        workload!($name, $flavor, $body, $feat, $ae, $what, weft = Weft)
    };
    ($name:literal, $flavor:ident, $body:path, $feat:literal, $ae:tt, $what:literal, weft = $weft:ident) => {
        Workload {
            name: $name,
            flavor: Flavor::$flavor,
            what: $what,
            slots: [
                {
                    #[cfg(feature = $feat)]
                    let slot = Slot::Run(|f, t, s| sample::<crate::rt::weft_rt::$weft>(f, t, s, $body));
                    #[cfg(not(feature = $feat))]
                    let slot = Slot::NotYet;
                    slot
                },
                Slot::Run(|f, t, s| sample::<Tokio>(f, t, s, $body)),
                workload!(@ae $ae, $body),
                Slot::NoEquivalent,
            ],
        }
    };
    (@ae ae, $body:path) => {
        Slot::Run(|f, t, s| sample::<AsyncExecutor>(f, t, s, $body))
    };
    (@ae -, $body:path) => {
        Slot::NoEquivalent
    };
}

/// Every workload, in table order.
pub fn registry() -> Vec<Workload> {
    let mut list = vec![
        workload!(
            "spawn_many",
            MultiThread,
            sched::spawn_many,
            "weft-rt",
            ae,
            "a task spawns N empty tasks, awaits all"
        ),
        workload!(
            "spawn_many_ct",
            CurrentThread,
            sched::spawn_many,
            "weft-rt",
            ae,
            "spawn_many, current-thread"
        ),
        workload!(
            "spawn_remote",
            MultiThread,
            sched::spawn_remote,
            "weft-rt",
            ae,
            "an outside thread spawns N tasks, awaits all"
        ),
        workload!(
            "yield_many",
            MultiThread,
            sched::yield_many,
            "weft-rt",
            ae,
            "200 tasks x 1000 yield_now"
        ),
        workload!(
            "yield_many_ct",
            CurrentThread,
            sched::yield_many,
            "weft-rt",
            ae,
            "yield_many, current-thread"
        ),
        workload!(
            "chained_spawn",
            MultiThread,
            sched::chained_spawn,
            "weft-rt",
            ae,
            "10k tasks, each spawns the next"
        ),
        workload!(
            "chained_spawn_ct",
            CurrentThread,
            sched::chained_spawn,
            "weft-rt",
            ae,
            "chained_spawn, current-thread"
        ),
        workload!(
            "ping_pong",
            MultiThread,
            sched::ping_pong,
            "weft-sync",
            ae,
            "1000 pairs x 100 round trips, mpsc cap 1"
        ),
        workload!(
            "ping_pong_ct",
            CurrentThread,
            sched::ping_pong,
            "weft-sync",
            ae,
            "ping_pong, current-thread"
        ),
        workload!(
            "mpsc_throughput",
            MultiThread,
            sync::mpsc_throughput,
            "weft-sync",
            ae,
            "4 senders -> 1 receiver, 100k msgs, cap 256"
        ),
        workload!(
            "mpsc_throughput_ct",
            CurrentThread,
            sync::mpsc_throughput,
            "weft-sync",
            ae,
            "mpsc_throughput, current-thread"
        ),
        workload!(
            "oneshot_reqrep",
            MultiThread,
            sync::oneshot_reqrep,
            "weft-sync",
            ae,
            "10 clients, request over mpsc, reply on oneshot"
        ),
        workload!("timer_insert_cancel", MultiThread, time::timer_insert_cancel, "weft-time", -, "100k sleeps polled once, dropped"),
        workload!("timers_fire", MultiThread, time::timers_fire, "weft-time", -, "10k tasks x 5 sleeps of 1 ms"),
        workload!("spawn_blocking", MultiThread, blocking::spawn_blocking, "weft-blocking", -, "N tiny closures on the blocking pool"),
        workload!("block_in_place", MultiThread, blocking::block_in_place, "weft-blocking", -, "N block_in_place round trips"),
        workload!("echo", MultiThread, net::echo, "weft-net", -, "50 TCP clients, 64-byte round trips, loopback"),
        workload!("echo_ct", CurrentThread, net::echo, "weft-net", -, "echo, current-thread (vs the 1-thread mio loop)"),
        workload!(
            "echo_polling",
            MultiThread,
            net::echo,
            "weft-net",
            -,
            "echo, weft on its `polling` reactor",
            weft = WeftPolling
        ),
        workload!(
            "task_memory",
            MultiThread,
            memory::task_memory,
            "weft-rt",
            ae,
            "heap bytes per parked task (100k tasks)"
        ),
        workload!("idle_connections", MultiThread, net::idle_connections, "weft-net", -, "heap bytes per idle server connection"),
    ];
    for w in list.iter_mut().filter(|w| w.name.starts_with("echo")) {
        w.slots[RuntimeId::MioLoop as usize] = Slot::Run(|_, _, s| crate::rt::mio_loop::echo(s));
    }
    list
}

#[cfg(test)]
mod tests {
    use super::{registry, Measure, RuntimeId, Scale, Slot};
    use std::time::Duration;

    /// Every measured column of every workload runs to completion and yields
    /// the kind of value its row prints. Each sample runs on its own thread
    /// with a deadline, so a runtime that hangs (a worker that panicked, a
    /// shutdown that never returns) fails the test instead of hanging it.
    #[test]
    fn every_workload_runs_at_tiny_scale() {
        const DEADLINE: Duration = Duration::from_secs(60);
        for w in registry() {
            for (slot, rt) in w.slots.iter().zip(RuntimeId::ALL) {
                let Slot::Run(run) = *slot else { continue };
                let what = format!("{} on {}", w.name, rt.name());
                let flavor = w.flavor;
                let (tx, rx) = std::sync::mpsc::channel();
                std::thread::spawn(move || {
                    let _ = tx.send(run(flavor, 2, &Scale::tiny()));
                });
                let m = match rx.recv_timeout(DEADLINE) {
                    Ok(m) => m,
                    Err(e) => {
                        panic!("{what}: no result within {DEADLINE:?} ({e:?}); see any panic above")
                    }
                };
                let memory = w.name.ends_with("memory") || w.name.starts_with("idle");
                match m {
                    Measure::Time { wall, .. } => assert!(!memory && wall.as_nanos() > 0, "{what}"),
                    Measure::Bytes(b) => assert!(memory && b > 0.0, "{what}: {b} bytes"),
                }
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let names: Vec<_> = registry().iter().map(|w| w.name).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), names.len());
    }
}
