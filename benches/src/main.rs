//! # weft-bench: weft side by side with tokio and async-executor
//!
//! `cargo run --release -p weft-bench -- [--quick] [--filter NAME] [--rounds N] [--json PATH]`
//!
//! ## Method
//! Every workload runs on every runtime in the same process. After one
//! warm-up sample per runtime (discarded), each round takes one sample of each
//! runtime, and the order of the runtimes rotates from round to round, so that
//! noise from the (shared, 2-core) machine lands on all columns alike rather
//! than on whichever runs first or last. A sample builds a fresh runtime,
//! measures the workload from inside it (runtime start-up is not timed) and
//! drops it. The table gives the median of the rounds with [min-max]; the JSON
//! adds the quartiles. A ratio is weft's median over the other runtime's: below
//! 1.0 weft is faster (or, for the memory rows, smaller).
//!
//! ## Layout
//! - [`rt`]: one small trait per capability ([`rt::Rt`], [`rt::RtSync`], ...),
//!   implemented by each runtime with its own idiomatic calls;
//! - [`workloads`]: each workload written once, generic over the runtime, and
//!   the registry that instantiates it per runtime;
//! - [`alloc_count`]: the counting global allocator of the memory rows;
//! - [`report`]: table and JSON.
//!
//! weft's column is compiled only when the cargo features of the weft pieces
//! a workload uses are on (see `Cargo.toml`); until then it reads
//! "n/a (weft side not available yet)" and nothing is counted.

#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![deny(clippy::undocumented_unsafe_blocks)]

mod alloc_count;
mod cli;
mod gate;
mod report;
mod rt;
mod stats;
mod workloads;

use cli::Options;
use report::{Cell, Row};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use workloads::{Measure, RuntimeId, Scale, Slot, Workload};

/// What is running now, for the watchdog.
type Current = Arc<Mutex<Option<(String, Instant)>>>;

fn main() {
    keep_freed_memory();
    let opts = match Options::parse(std::env::args().skip(1)) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("error: {e}\n");
            }
            eprintln!("{}", cli::USAGE);
            std::process::exit(if e.is_empty() { 0 } else { 1 });
        }
    };
    let registry = workloads::registry();
    if opts.list {
        for w in &registry {
            println!("{:<22} {:?}  {}", w.name, w.flavor, w.what);
        }
        return;
    }
    let selected: Vec<&Workload> = registry.iter().filter(|w| opts.selects(w.name)).collect();
    if selected.is_empty() {
        eprintln!("no workload matches; --list shows them");
        std::process::exit(1);
    }
    let scale = if opts.quick {
        Scale::quick()
    } else {
        Scale::full()
    };
    let meta = meta(&opts);
    let rows: Arc<Mutex<Vec<Row>>> = Arc::default();
    let current: Current = Arc::default();
    watchdog(
        current.clone(),
        rows.clone(),
        Duration::from_secs(opts.timeout),
    );

    let started = Instant::now();
    for w in selected {
        eprint!("{:<22}", w.name);
        let row = measure(w, &opts, &scale, &current);
        eprintln!(" {:.1}s", started.elapsed().as_secs_f64());
        let mut rows = rows.lock().unwrap();
        rows.push(row);
        // Written after every workload, so that a run that dies (a runtime that
        // crashes the process) still leaves what it measured.
        if let Some(path) = &opts.json {
            write_json(path, &rows, &meta);
        }
    }
    let rows = rows.lock().unwrap();
    println!();
    for (k, v) in &meta {
        println!("{k}: {v}");
    }
    println!("\nwall-clock time (memory rows: heap bytes per task or connection)");
    print!("{}", report::table(&rows));
    let cpu_rows: Vec<Row> = rows.iter().filter(|r| !r.bytes).map(Row::cpu_row).collect();
    println!("\nCPU time of the process (user + system, all threads) over the same intervals");
    print!("{}", report::table(&cpu_rows));
    if let Some(path) = &opts.json {
        write_json(path, &rows, &meta);
        println!("wrote {}", path.display());
    }
}

fn write_json(path: &std::path::Path, rows: &[Row], meta: &[(&str, String)]) {
    std::fs::write(path, report::json(rows, meta))
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Runs one workload: a warm-up, then `rounds` interleaved rounds.
fn measure(w: &Workload, opts: &Options, scale: &Scale, current: &Current) -> Row {
    let mut cells: Vec<Cell> = w
        .slots
        .iter()
        .zip(RuntimeId::ALL)
        .map(|(slot, rt)| match slot {
            _ if !opts.selects_runtime(rt.name()) => Cell::Skipped,
            Slot::Run(_) => Cell::Done(stats::Summary::of(&[0.0])),
            Slot::NotYet => Cell::NotYet,
            Slot::NoEquivalent => Cell::NoEquivalent,
        })
        .collect();
    let active: Vec<usize> = (0..cells.len())
        .filter(|&i| matches!(cells[i], Cell::Done(_)))
        .collect();
    // Per runtime: wall-clock (or bytes) samples, and CPU-time samples.
    let mut samples: Vec<Vec<f64>> = vec![Vec::new(); cells.len()];
    let mut cpu: Vec<Vec<f64>> = vec![Vec::new(); cells.len()];
    let mut bytes = false;
    for round in 0..=opts.rounds {
        for k in 0..active.len() {
            let i = active[(k + round) % active.len()];
            let Slot::Run(run) = w.slots[i] else {
                unreachable!()
            };
            if matches!(cells[i], Cell::Failed(_)) {
                continue;
            }
            *current.lock().unwrap() = Some((
                format!("{} on {}", w.name, RuntimeId::ALL[i].name()),
                Instant::now(),
            ));
            let result = catch_unwind(AssertUnwindSafe(|| run(w.flavor, opts.threads, scale)));
            *current.lock().unwrap() = None;
            match result {
                Ok(Measure::Time { wall, cpu: c }) if round > 0 => {
                    samples[i].push(wall.as_secs_f64() * 1e3);
                    cpu[i].push(c.as_secs_f64() * 1e3);
                    if opts.samples {
                        eprintln!(
                            "\n  {} round {round}: {:.3} ms wall, {:.3} ms cpu",
                            RuntimeId::ALL[i].name(),
                            wall.as_secs_f64() * 1e3,
                            c.as_secs_f64() * 1e3
                        );
                    }
                }
                Ok(Measure::Bytes(b)) if round > 0 => {
                    bytes = true;
                    samples[i].push(b);
                }
                Ok(_) => {} // warm-up
                Err(p) => cells[i] = Cell::Failed(panic_message(&p)),
            }
        }
        eprint!(".");
    }
    let mut cpu_cells = cells.clone();
    for i in active {
        if !matches!(cells[i], Cell::Failed(_)) {
            cells[i] = Cell::Done(stats::Summary::of(&samples[i]));
            cpu_cells[i] = match bytes {
                true => Cell::NoEquivalent,
                false => Cell::Done(stats::Summary::of(&cpu[i])),
            };
        }
    }
    Row {
        workload: w.name,
        bytes,
        cpu: cpu_cells,
        cells,
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

/// Asks glibc's malloc to keep freed memory instead of returning it to the
/// kernel after every sample: otherwise each sample of the spawn-heavy rows
/// pays page faults for tens of megabytes, whose cost (and noise, on a shared
/// machine) drowns the differences between schedulers.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        /// Largest mmap threshold glibc accepts on 64-bit (HEAP_MAX / 2).
        const MMAP_THRESHOLD: libc::c_int = 32 << 20;
        // SAFETY: mallopt only changes malloc tuning parameters; called
        // before any other thread exists.
        unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, libc::c_int::MAX);
            libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
        }
    }
}

/// Ends the process (printing what was measured) if one sample hangs.
fn watchdog(current: Current, rows: Arc<Mutex<Vec<Row>>>, limit: Duration) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(500));
        if let Some((what, since)) = current.lock().unwrap().clone() {
            if since.elapsed() > limit {
                eprintln!("\nTIMEOUT: {what} ran longer than {limit:?}; results so far:");
                print!("{}", report::table(&rows.lock().unwrap()));
                std::process::exit(2);
            }
        }
    });
}

/// Facts printed above the table and stored in the JSON.
fn meta(opts: &Options) -> Vec<(&'static str, String)> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    vec![
        ("date", utc(secs)),
        ("command", std::env::args().collect::<Vec<_>>().join(" ")),
        ("mode", if opts.quick { "quick" } else { "full" }.into()),
        ("rounds", opts.rounds.to_string()),
        ("worker_threads", opts.threads.to_string()),
        (
            "cpus",
            std::thread::available_parallelism()
                .map_or(0, |n| n.get())
                .to_string(),
        ),
    ]
}

/// `YYYY-MM-DD HH:MM UTC` from Unix seconds (civil-from-days, proleptic Gregorian).
fn utc(secs: u64) -> String {
    let (days, rem) = ((secs / 86_400) as i64, secs % 86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn utc_dates() {
        assert_eq!(super::utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::utc(951_782_400 + 3_660), "2000-02-29 01:01 UTC");
    }
}
