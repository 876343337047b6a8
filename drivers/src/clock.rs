//! The std clock ([`StdClock`]) and a standalone timer thread ([`TimerThread`]).
//!
//! [`StdClock`] counts ticks of [`TICK_HZ`](weft_core::time::TICK_HZ) since an origin `std::time::Instant`; the std
//! runtime pairs it with a [`WheelDriver`] and drives the wheel from the worker that parks,
//! using [`StdClock::duration_until`] as the park timeout.
//!
//! For the core single-thread executor there are two standalone options:
//!
//! * [`TimerPark`] — a park driver (`Executor<TimerPark>`) that owns a wheel driver over the
//!   const-constructible [`ProcessClock`]: when the executor has nothing to run it parks the
//!   thread *until the next deadline* and fires due timers when it wakes. No extra thread.
//! * [`TimerThread`] — a thread that owns a wheel driver and sleeps on a condvar until the next
//!   deadline, fires due timers, and is woken early when a sooner timer is registered. Works
//!   with any executor, from any number of threads.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::task::{RawWaker, RawWakerVTable, Wake, Waker};
use std::thread::JoinHandle;
use std::time::Duration;

use std::sync::OnceLock;

use weft_core::park::{Park, ThreadPark};
use weft_core::time::driver::{self, CurrentGuard, Handle, WheelDriver};
use weft_core::time::{duration_to_ticks_floor, ticks_to_duration_ceil, Clock};

/// Ticks of [`TICK_HZ`](weft_core::time::TICK_HZ) elapsed since an origin, read from `std::time::Instant` (monotonic).
///
/// ```
/// use weft_core::time::Clock;
/// use weft_drivers::clock::StdClock;
///
/// let clock = StdClock::new();
/// let a = clock.now();
/// let b = clock.now();
/// assert!(b >= a);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct StdClock {
    origin: std::time::Instant,
}

impl Default for StdClock {
    fn default() -> Self {
        StdClock::new()
    }
}

impl StdClock {
    /// A clock whose tick 0 is now.
    ///
    /// ```
    /// use weft_core::time::Clock;
    /// assert!(weft_drivers::clock::StdClock::new().now() < 60 * weft_core::time::TICK_HZ);
    /// ```
    pub fn new() -> StdClock {
        StdClock::with_origin(std::time::Instant::now())
    }

    /// A clock whose tick 0 is `origin`.
    ///
    /// ```
    /// let origin = std::time::Instant::now();
    /// let clock = weft_drivers::clock::StdClock::with_origin(origin);
    /// assert_eq!(clock.origin(), origin);
    /// ```
    pub fn with_origin(origin: std::time::Instant) -> StdClock {
        StdClock { origin }
    }

    /// The `std::time::Instant` of tick 0.
    ///
    /// ```
    /// let clock = weft_drivers::clock::StdClock::new();
    /// assert!(clock.origin() <= std::time::Instant::now());
    /// ```
    pub fn origin(&self) -> std::time::Instant {
        self.origin
    }

    /// The `std::time::Instant` of a tick (saturating far in the future).
    ///
    /// ```
    /// use weft_core::time::TICK_HZ;
    /// use std::time::Duration;
    /// let clock = weft_drivers::clock::StdClock::new();
    /// assert_eq!(clock.instant_at(TICK_HZ) - clock.origin(), Duration::from_secs(1));
    /// ```
    pub fn instant_at(&self, ticks: u64) -> std::time::Instant {
        let d = ticks_to_duration_ceil(ticks);
        self.origin
            .checked_add(d)
            .unwrap_or_else(|| self.origin + Duration::from_secs(100 * 365 * 86_400))
    }

    /// How long to park to reach tick `deadline` (rounded up; zero if it has passed). This is
    /// the park timeout a runtime computes from `WheelDriver::next_deadline()`.
    ///
    /// ```
    /// use std::time::Duration;
    /// let clock = weft_drivers::clock::StdClock::new();
    /// assert_eq!(clock.duration_until(0), Duration::ZERO);
    /// assert!(clock.duration_until(u64::MAX) > Duration::from_secs(3600));
    /// ```
    pub fn duration_until(&self, deadline: u64) -> Duration {
        self.instant_at(deadline)
            .saturating_duration_since(std::time::Instant::now())
    }
}

static PROCESS_ORIGIN: OnceLock<std::time::Instant> = OnceLock::new();

/// A [`StdClock`] whose origin is shared by the whole process (fixed on first use), and which
/// is a unit value, so drivers built on it can be `const` (in a `static`).
///
/// ```
/// use weft_core::time::Clock;
/// use weft_drivers::clock::ProcessClock;
/// static CLOCK: ProcessClock = ProcessClock;
/// let a = CLOCK.now();
/// assert!(ProcessClock.now() >= a);
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessClock;

impl ProcessClock {
    /// The equivalent [`StdClock`] (same origin).
    ///
    /// ```
    /// use weft_drivers::clock::ProcessClock;
    /// assert_eq!(ProcessClock.std_clock().origin(), ProcessClock.std_clock().origin());
    /// ```
    pub fn std_clock(&self) -> StdClock {
        StdClock::with_origin(*PROCESS_ORIGIN.get_or_init(std::time::Instant::now))
    }

    /// How long to park to reach tick `deadline` (see [`StdClock::duration_until`]).
    ///
    /// ```
    /// use std::time::Duration;
    /// assert_eq!(weft_drivers::clock::ProcessClock.duration_until(0), Duration::ZERO);
    /// ```
    pub fn duration_until(&self, deadline: u64) -> Duration {
        self.std_clock().duration_until(deadline)
    }
}

impl Clock for ProcessClock {
    fn now(&self) -> u64 {
        self.std_clock().now()
    }
}

/// A park driver with timers for the core single-thread executor: a [`ThreadPark`] plus a
/// [`WheelDriver`] over [`ProcessClock`]. When the executor parks, it sleeps until the next
/// timer deadline (or until a task is woken), then fires the timers that are due.
///
/// Timers are normally registered by the executor's own tasks, just before it parks. Once
/// [`handle`](Self::handle) or [`enter`](Self::enter) has been called (they need the
/// `&'static` a `static EXEC` provides), a timer registered from another thread with an earlier
/// deadline also unparks the executor so it re-arms its timeout.
///
/// ```
/// use weft_core::executor::Executor;
/// use weft_core::time::{sleep, timeout, Duration};
/// use weft_drivers::clock::TimerPark;
///
/// static EXEC: Executor<TimerPark> = Executor::new(TimerPark::new());
///
/// let _time = EXEC.park_driver().enter(); // make its timers current on this thread
/// let out = EXEC.block_on(async {
///     sleep(Duration::from_millis(1)).await;
///     timeout(Duration::from_millis(1), std::future::pending::<()>()).await
/// });
/// assert!(out.is_err());
/// ```
#[derive(Debug)]
pub struct TimerPark {
    park: ThreadPark,
    time: WheelDriver<ProcessClock>,
    unpark_installed: AtomicBool,
}

impl Default for TimerPark {
    fn default() -> Self {
        TimerPark::new()
    }
}

impl TimerPark {
    /// A park driver with an empty wheel.
    ///
    /// ```
    /// static PARK: weft_drivers::clock::TimerPark = weft_drivers::clock::TimerPark::new();
    /// assert_eq!(PARK.time().next_deadline(), None);
    /// ```
    pub const fn new() -> TimerPark {
        TimerPark {
            park: ThreadPark::new(),
            time: WheelDriver::new(ProcessClock),
            unpark_installed: AtomicBool::new(false),
        }
    }

    /// The time driver.
    ///
    /// ```
    /// let park = weft_drivers::clock::TimerPark::new();
    /// assert!(park.time().queue().is_empty());
    /// ```
    pub fn time(&self) -> &WheelDriver<ProcessClock> {
        &self.time
    }

    /// A handle to the time driver.
    ///
    /// ```
    /// static PARK: weft_drivers::clock::TimerPark = weft_drivers::clock::TimerPark::new();
    /// let _ = PARK.handle().now();
    /// ```
    pub fn handle(&'static self) -> Handle {
        if !self.unpark_installed.swap(true, Ordering::AcqRel) {
            self.time.set_unpark(Some(static_unpark_waker(&self.park)));
        }
        Handle::from_static(&self.time)
    }

    /// Makes the time driver current on this thread until the guard is dropped.
    ///
    /// ```
    /// static PARK: weft_drivers::clock::TimerPark = weft_drivers::clock::TimerPark::new();
    /// let _guard = PARK.enter();
    /// assert!(weft_core::time::driver::try_current().is_some());
    /// ```
    pub fn enter(&'static self) -> CurrentGuard {
        driver::set_current(self.handle())
    }
}

/// A waker that unparks a `'static` [`ThreadPark`]; no allocation, no reference count.
fn static_unpark_waker(park: &'static ThreadPark) -> Waker {
    const VTABLE: RawWakerVTable = RawWakerVTable::new(
        |p| RawWaker::new(p, &VTABLE),
        unpark_raw,
        unpark_raw,
        |_| {},
    );
    fn unpark_raw(p: *const ()) {
        // SAFETY: `p` was made from a `&'static ThreadPark` below and is never freed.
        unsafe { &*(p as *const ThreadPark) }.unpark();
    }
    let data = park as *const ThreadPark as *const ();
    // SAFETY: the vtable treats `data` as a `&'static ThreadPark`, which it is; cloning copies
    // the pointer and dropping does nothing, which is sound for a `'static` reference.
    unsafe { Waker::from_raw(RawWaker::new(data, &VTABLE)) }
}

impl Park for TimerPark {
    fn park(&self) {
        // Timers due already: fire them (their wakers unpark us, so the park below returns).
        self.time.turn();
        match self.time.next_deadline() {
            None => self.park.park(),
            Some(deadline) => {
                let timeout = self.time.clock().duration_until(deadline);
                if !timeout.is_zero() {
                    self.park.park_timeout(timeout);
                }
            }
        }
        self.time.turn();
    }

    fn unpark(&self) {
        self.park.unpark();
    }
}

impl Clock for StdClock {
    fn now(&self) -> u64 {
        // Rounds down: the clock never runs ahead of real time, so a timer never fires early.
        duration_to_ticks_floor(self.origin.elapsed())
    }
}

#[derive(Default)]
struct SignalState {
    notified: bool,
    shutdown: bool,
}

/// Condvar + flag: the unpark "token" of the timer thread.
#[derive(Default)]
struct Signal {
    state: Mutex<SignalState>,
    cv: Condvar,
}

impl Signal {
    fn notify(&self, shutdown: bool) {
        let mut st = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        st.notified = true;
        st.shutdown |= shutdown;
        drop(st);
        self.cv.notify_one();
    }
}

impl Wake for Signal {
    fn wake(self: Arc<Self>) {
        self.notify(false);
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.notify(false);
    }
}

/// A std time driver on its own thread: a [`WheelDriver`]`<`[`StdClock`]`>` plus a thread that
/// sleeps until the next deadline and fires due timers. Use it with an executor that has no
/// time driver of its own (such as the core single-thread executor). Dropping it stops the
/// thread; timers still pending then never fire.
///
/// ```
/// use std::{future::Future, pin::pin, sync::{Arc, atomic::{AtomicBool, Ordering}}, task::{Context, Poll, Wake, Waker}};
/// use weft_core::time::{sleep, Duration};
/// use weft_drivers::clock::TimerThread;
///
/// // A minimal block_on: park the thread until the waker unparks it.
/// struct Unpark(std::thread::Thread, AtomicBool);
/// impl Wake for Unpark {
///     fn wake(self: Arc<Self>) { self.1.store(true, Ordering::SeqCst); self.0.unpark(); }
/// }
/// fn block_on<F: Future>(f: F) -> F::Output {
///     let unpark = Arc::new(Unpark(std::thread::current(), AtomicBool::new(false)));
///     let waker = Waker::from(unpark.clone());
///     let mut f = pin!(f);
///     loop {
///         if let Poll::Ready(v) = f.as_mut().poll(&mut Context::from_waker(&waker)) { return v; }
///         while !unpark.1.swap(false, Ordering::SeqCst) { std::thread::park(); }
///     }
/// }
///
/// let timers = TimerThread::start();
/// let _guard = timers.enter();
/// block_on(sleep(Duration::from_millis(1)));
/// ```
pub struct TimerThread {
    driver: Arc<WheelDriver<StdClock>>,
    signal: Arc<Signal>,
    thread: Option<JoinHandle<()>>,
}

impl TimerThread {
    /// Starts the thread (named `weft-timer`).
    ///
    /// # Panics
    ///
    /// If the thread cannot be spawned.
    ///
    /// ```
    /// let timers = weft_drivers::clock::TimerThread::start();
    /// assert_eq!(timers.driver().next_deadline(), None);
    /// ```
    pub fn start() -> TimerThread {
        let driver = Arc::new(WheelDriver::new(StdClock::new()));
        let signal = Arc::new(Signal::default());
        driver.set_unpark(Some(Waker::from(signal.clone())));
        let thread = {
            let driver = driver.clone();
            let signal = signal.clone();
            std::thread::Builder::new()
                .name("weft-timer".into())
                .spawn(move || run(&driver, &signal))
                .expect("failed to spawn the weft-timer thread")
        };
        TimerThread {
            driver,
            signal,
            thread: Some(thread),
        }
    }

    /// The driver (for `next_deadline`, `queue().len()`, a `Handle`).
    ///
    /// ```
    /// let timers = weft_drivers::clock::TimerThread::start();
    /// assert!(timers.driver().queue().is_empty());
    /// ```
    pub fn driver(&self) -> &Arc<WheelDriver<StdClock>> {
        &self.driver
    }

    /// A handle to the driver, to create timers on it or install it elsewhere.
    ///
    /// ```
    /// use weft_core::time::Duration;
    /// let timers = weft_drivers::clock::TimerThread::start();
    /// let _sleep = timers.handle().sleep(Duration::from_secs(1));
    /// ```
    pub fn handle(&self) -> Handle {
        Handle::from_arc(self.driver.clone())
    }

    /// Makes this driver the current one on the calling thread until the guard is dropped.
    ///
    /// ```
    /// let timers = weft_drivers::clock::TimerThread::start();
    /// let _guard = timers.enter();
    /// assert!(weft_core::time::driver::try_current().is_some());
    /// ```
    pub fn enter(&self) -> CurrentGuard {
        driver::set_current(self.handle())
    }
}

fn run(driver: &WheelDriver<StdClock>, signal: &Signal) {
    loop {
        driver.turn();
        let deadline = driver.next_deadline();
        let mut st = signal.state.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if st.shutdown {
                return;
            }
            if st.notified {
                st.notified = false;
                break;
            }
            match deadline {
                None => st = signal.cv.wait(st).unwrap_or_else(PoisonError::into_inner),
                Some(d) => {
                    let timeout = driver.clock().duration_until(d);
                    if timeout.is_zero() {
                        break;
                    }
                    st = signal
                        .cv
                        .wait_timeout(st, timeout)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        }
    }
}

impl Drop for TimerThread {
    fn drop(&mut self) {
        self.driver.set_unpark(None);
        self.signal.notify(true);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl std::fmt::Debug for TimerThread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TimerThread")
            .field("driver", &self.driver)
            .finish_non_exhaustive()
    }
}
