//! weft on "bare metal": a `#![no_std]`, `#![no_main]` program with no allocator.
//!
//! Everything a microcontroller program would have is here, with POSIX signals standing in for
//! interrupts (see `board.rs`):
//!
//! * tasks in static pools made by `#[weft_core::task(pool_size = N)]`, whose outputs come back
//!   through `JoinHandle` (a full pool is an error, not a panic);
//! * the single-thread `Executor` with a WFI-style park driver;
//! * a hand-written time driver: a monotonic counter plus a one-shot alarm interrupt that
//!   advances weft's timer wheel, so `sleep`, `timeout`, `interval` and `select!` work;
//! * an interrupt handler handing data to a task through a `Signal`, and tasks talking over a
//!   static `mpsc::Channel`.
//!
//! The program checks its own results and prints `all checks passed` (CI greps for it).
#![no_std]
#![no_main]

mod board;

use core::future::pending;
use core::sync::atomic::{AtomicU32, Ordering};
use core::time::Duration;

use weft_core::executor::Executor;
use weft_core::sync::{mpsc, Signal};
use weft_core::time::driver::WheelDriver;
use weft_core::time::{self, Clock, Instant, TICK_HZ};
use weft_core::{join, select, task};

/// The board's monotonic counter, in weft ticks.
struct BoardClock;

impl Clock for BoardClock {
    fn now(&self) -> u64 {
        board::now_micros() * TICK_HZ / 1_000_000
    }
}

/// The time driver: weft's timer wheel over the board clock. The alarm interrupt advances it.
static TIME: WheelDriver<BoardClock> = WheelDriver::new(BoardClock);

/// Before the core sleeps, arm the alarm for the earliest timer (as a HAL arms a compare
/// register).
fn arm_for_next_timer() {
    if let Some(at) = TIME.next_deadline() {
        let now = TIME.now();
        let ticks = at.saturating_sub(now).max(1);
        board::arm_alarm((ticks * 1_000_000).div_ceil(TICK_HZ));
    }
}

static EXEC: Executor<board::WfiPark> = Executor::new(board::WfiPark::new(arm_for_next_timer));

/// Data an interrupt hands to a task.
static SENSOR: Signal<u32> = Signal::new();
static ALARMS: AtomicU32 = AtomicU32::new(0);

/// The alarm interrupt handler: advance the timer wheel (waking due tasks) and publish a
/// "sensor reading".
fn on_alarm() {
    TIME.turn();
    let n = ALARMS.fetch_add(1, Ordering::Relaxed) + 1;
    SENSOR.signal(n * 100);
}

/// How many requests have started.
static STARTED: AtomicU32 = AtomicU32::new(0);

/// One simulated request: sleeps `id * 20` ms; returns a value and how many requests had
/// started by the time this one finished (3 for every one of them if they ran concurrently).
#[task(pool_size = 3)]
async fn request(id: u32) -> (u32, u32) {
    STARTED.fetch_add(1, Ordering::Relaxed);
    time::sleep(Duration::from_millis(20 * id as u64)).await;
    (id * 10, STARTED.load(Ordering::Relaxed))
}

static CHANNEL: mpsc::Channel<u32, 4> = mpsc::Channel::new();

#[task]
async fn producer(tx: mpsc::Sender<u32>) -> u32 {
    let mut sent = 0;
    for v in 1..=10 {
        tx.send(v).await.ok();
        sent += 1;
    }
    sent
}

#[task]
async fn consumer(mut rx: mpsc::Receiver<u32>) -> u32 {
    let mut sum = 0;
    while let Some(v) = rx.recv().await {
        sum += v;
    }
    sum
}

#[task]
async fn sensor_reader() -> u32 {
    SENSOR.wait().await
}

macro_rules! check {
    ($ok:ident, $cond:expr, $($msg:tt)*) => {{
        let c = $cond;
        println!("[{}] {}", if c { "ok" } else { "FAIL" }, format_args!($($msg)*));
        $ok &= c;
    }};
}

/// Called by the board's reset vector; returns the exit code.
fn main() -> i32 {
    board::init(on_alarm);
    if time::driver::set_global(&TIME).is_err() {
        panic!("time driver registered twice");
    }

    let ok = EXEC.block_on_with(|spawner| async move {
        let mut ok = true;

        // Three requests from a static pool, concurrently; outputs through JoinHandle.
        let start = Instant::now();
        let h1 = spawner.spawn(request(1).unwrap());
        let h2 = spawner.spawn(request(2).unwrap());
        let h3 = spawner.spawn(request(3).unwrap());
        let full = request(4);
        check!(
            ok,
            full.is_err(),
            "4th spawn into a pool of 3: {:?}",
            full.as_ref().err()
        );
        drop(full);
        let (r1, r2, r3) = join!(h1, h2, h3);
        let elapsed = start.elapsed();
        let outs = (r1.unwrap(), r2.unwrap(), r3.unwrap());
        check!(
            ok,
            (outs.0 .0, outs.1 .0, outs.2 .0) == (10, 20, 30),
            "request outputs {:?}",
            outs
        );
        // Concurrency without a timing assertion: every request saw all three started before
        // it finished. (A sleep never ends early, so 60 ms is a lower bound.)
        check!(
            ok,
            (outs.0 .1, outs.1 .1, outs.2 .1) == (3, 3, 3) && elapsed >= Duration::from_millis(60),
            "3 requests of 20/40/60 ms overlapped (took {} ms, not 120)",
            elapsed.as_millis()
        );
        // The pool's slots are free again once the outputs were read.
        let again = request(1);
        check!(ok, again.is_ok(), "pool slot reused after completion");
        drop(again);

        // select!: a timer beats a future that never completes.
        let winner = select! {
            _ = time::sleep(Duration::from_millis(5)) => "timer",
            _ = pending::<()>() => "never",
        };
        check!(ok, winner == "timer", "select! winner: {}", winner);

        // timeout: the inner future is dropped when the deadline passes.
        let t = time::timeout(
            Duration::from_millis(5),
            time::sleep(Duration::from_secs(10)),
        )
        .await;
        check!(ok, t.is_err(), "timeout elapsed: {:?}", t);

        // interval: three ticks, 10 ms apart.
        let mut ticks = core::pin::pin!(time::interval(Duration::from_millis(10)));
        let first = ticks.as_mut().tick().await;
        ticks.as_mut().tick().await;
        let third = ticks.as_mut().tick().await;
        let span = third.duration_since(first);
        check!(
            ok,
            span == Duration::from_millis(20),
            "interval ticks span {} ms",
            span.as_millis()
        );

        // A task and an interrupt handler: the alarm ISR signals a reading.
        let reader = spawner.spawn(sensor_reader().unwrap());
        time::sleep(Duration::from_millis(3)).await; // the alarm for this sleep fires the ISR
        let reading = reader.await.unwrap();
        check!(
            ok,
            reading > 0 && reading % 100 == 0,
            "sensor reading from the ISR: {}",
            reading
        );

        // Tasks over a static channel (capacity 4, 10 messages: the producer waits for room).
        let (tx, rx) = CHANNEL.split();
        let p = spawner.spawn(producer(tx).unwrap());
        let c = spawner.spawn(consumer(rx).unwrap());
        let (sent, sum) = join!(p, c);
        check!(
            ok,
            sent.unwrap() == 10 && sum.unwrap() == 55,
            "channel: 10 messages, sum 55"
        );
        ok
    });

    println!(
        "alarm interrupts handled: {}",
        ALARMS.load(Ordering::Relaxed)
    );
    if ok {
        println!("all checks passed");
        0
    } else {
        println!("some checks failed");
        1
    }
}
