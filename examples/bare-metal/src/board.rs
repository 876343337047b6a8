//! The "board support" of this example: what a HAL provides on a microcontroller, written here
//! against the host's C library so the binary can run in CI.
//!
//! | microcontroller            | here                                              |
//! |----------------------------|---------------------------------------------------|
//! | interrupt (timer alarm)    | `SIGALRM`, armed one-shot with `setitimer`        |
//! | disable/enable interrupts  | block/unblock `SIGALRM` (`sigprocmask`)           |
//! | `WFI` with interrupts off  | `sigsuspend`: atomically unblock and wait         |
//! | monotonic timer peripheral | `clock_gettime(CLOCK_MONOTONIC)`                  |
//! | UART                       | `write(1, ..)`                                    |
//!
//! Nothing here allocates; the C library is used only as a system-call layer.

use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

#[allow(non_camel_case_types)]
type c_int = i32;

/// glibc's `sigset_t` (1024 bits).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SigSet([u64; 16]);

#[repr(C)]
struct SigAction {
    handler: usize,
    mask: SigSet,
    flags: c_int,
    restorer: usize,
}

#[repr(C)]
struct Timeval {
    sec: i64,
    usec: i64,
}

#[repr(C)]
struct Itimerval {
    interval: Timeval,
    value: Timeval,
}

#[repr(C)]
struct Timespec {
    sec: i64,
    nsec: i64,
}

#[link(name = "c")]
extern "C" {
    fn write(fd: c_int, buf: *const u8, len: usize) -> isize;
    fn _exit(code: c_int) -> !;
    fn clock_gettime(clock: c_int, ts: *mut Timespec) -> c_int;
    fn sigemptyset(set: *mut SigSet) -> c_int;
    fn sigaddset(set: *mut SigSet, sig: c_int) -> c_int;
    fn sigdelset(set: *mut SigSet, sig: c_int) -> c_int;
    fn sigismember(set: *const SigSet, sig: c_int) -> c_int;
    fn sigprocmask(how: c_int, set: *const SigSet, old: *mut SigSet) -> c_int;
    fn sigsuspend(mask: *const SigSet) -> c_int;
    fn sigaction(sig: c_int, act: *const SigAction, old: *mut SigAction) -> c_int;
    fn setitimer(which: c_int, new: *const Itimerval, old: *mut Itimerval) -> c_int;
}

const SIGALRM: c_int = 14;
const SIG_BLOCK: c_int = 0;
const SIG_UNBLOCK: c_int = 1;
const SIG_SETMASK: c_int = 2;
const SA_RESTART: c_int = 0x1000_0000;
const CLOCK_MONOTONIC: c_int = 1;
const ITIMER_REAL: c_int = 0;

fn alarm_set() -> SigSet {
    let mut s = SigSet([0; 16]);
    // SAFETY: `s` is a valid sigset_t.
    unsafe {
        sigemptyset(&mut s);
        sigaddset(&mut s, SIGALRM);
    }
    s
}

/// Masks the alarm "interrupt"; returns whether it was masked before.
pub fn interrupts_disable() -> bool {
    let set = alarm_set();
    let mut old = SigSet([0; 16]);
    // SAFETY: valid sets; sigprocmask only changes this thread's mask.
    unsafe {
        sigprocmask(SIG_BLOCK, &set, &mut old);
        sigismember(&old, SIGALRM) == 1
    }
}

/// Unmasks the alarm "interrupt" unless `was_disabled`.
pub fn interrupts_restore(was_disabled: bool) {
    if !was_disabled {
        let set = alarm_set();
        // SAFETY: as above.
        unsafe { sigprocmask(SIG_UNBLOCK, &set, core::ptr::null_mut()) };
    }
}

struct SignalCriticalSection;
critical_section::set_impl!(SignalCriticalSection);

// SAFETY: the program is single-threaded; masking SIGALRM excludes the only other context
// (the "interrupt handler"), which is exactly a critical section on a single-core MCU.
unsafe impl critical_section::Impl for SignalCriticalSection {
    unsafe fn acquire() -> bool {
        interrupts_disable()
    }
    unsafe fn release(was_disabled: bool) {
        interrupts_restore(was_disabled)
    }
}

/// The "interrupt handler" the board calls on each alarm.
static mut ALARM_HANDLER: Option<fn()> = None;

extern "C" fn on_sigalrm(_sig: c_int) {
    // SAFETY: written once in `init` before the alarm is ever armed.
    if let Some(h) = unsafe { ALARM_HANDLER } {
        h();
    }
}

/// Installs `handler` as the alarm interrupt handler.
pub fn init(handler: fn()) {
    // SAFETY: single-threaded, before any alarm is armed.
    unsafe { ALARM_HANDLER = Some(handler) };
    let act = SigAction {
        handler: on_sigalrm as *const () as usize,
        mask: alarm_set(),
        flags: SA_RESTART,
        restorer: 0,
    };
    // SAFETY: a valid sigaction for SIGALRM; glibc supplies the restorer.
    let rc = unsafe { sigaction(SIGALRM, &act, core::ptr::null_mut()) };
    assert!(rc == 0, "sigaction failed");
}

/// Arms the one-shot alarm to fire after `micros` microseconds (0 disarms it).
pub fn arm_alarm(micros: u64) {
    let t = Itimerval {
        interval: Timeval { sec: 0, usec: 0 },
        value: Timeval {
            sec: (micros / 1_000_000) as i64,
            usec: (micros % 1_000_000) as i64,
        },
    };
    // SAFETY: valid itimerval.
    unsafe { setitimer(ITIMER_REAL, &t, core::ptr::null_mut()) };
}

/// Microseconds since an arbitrary origin (monotonic).
pub fn now_micros() -> u64 {
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // SAFETY: valid out-pointer.
    unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
    ts.sec as u64 * 1_000_000 + ts.nsec as u64 / 1_000
}

/// The executor's park driver: `WFI` with interrupts masked around the check, so a wake-up
/// between "nothing to do" and "sleep" is never lost.
pub struct WfiPark {
    token: AtomicBool,
    /// Called with interrupts masked right before sleeping (arms the timer alarm).
    before_sleep: fn(),
}

impl WfiPark {
    pub const fn new(before_sleep: fn()) -> Self {
        WfiPark {
            token: AtomicBool::new(false),
            before_sleep,
        }
    }
}

impl weft_core::park::Park for WfiPark {
    fn park(&self) {
        let was = interrupts_disable();
        let mut wait_mask = SigSet([0; 16]);
        // SAFETY: reads the current mask into a valid set.
        unsafe { sigprocmask(SIG_SETMASK, core::ptr::null(), &mut wait_mask) };
        // SAFETY: valid set.
        unsafe { sigdelset(&mut wait_mask, SIGALRM) };
        while !self.token.swap(false, Ordering::Acquire) {
            (self.before_sleep)();
            // SAFETY: waits with SIGALRM unmasked, restores the mask when a handler ran.
            unsafe { sigsuspend(&wait_mask) };
        }
        interrupts_restore(was);
    }

    fn unpark(&self) {
        self.token.store(true, Ordering::Release);
    }
}

/// The UART: formatted output to stdout.
pub struct Uart;

impl fmt::Write for Uart {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let mut b = s.as_bytes();
        while !b.is_empty() {
            // SAFETY: valid buffer.
            let n = unsafe { write(1, b.as_ptr(), b.len()) };
            if n <= 0 {
                return Err(fmt::Error);
            }
            b = &b[n as usize..];
        }
        Ok(())
    }
}

/// Prints like `println!`, without std.
#[macro_export]
macro_rules! println {
    ($($t:tt)*) => {{
        use core::fmt::Write as _;
        let _ = writeln!($crate::board::Uart, $($t)*);
    }};
}

/// Ends the program.
pub fn exit(code: i32) -> ! {
    // SAFETY: terminates the process.
    unsafe { _exit(code) }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write as _;
    let _ = writeln!(Uart, "panic: {info}");
    exit(101)
}
