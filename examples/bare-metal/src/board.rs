//! The "board support" of this example: what a HAL provides on a microcontroller, written here
//! with raw Linux system calls (x86_64) so the binary can run in CI. No C library, no C start
//! files: `_start` below is the reset vector.
//!
//! | microcontroller            | here                                                   |
//! |----------------------------|--------------------------------------------------------|
//! | reset vector               | `_start` (aligns the stack, calls `main`, exits)       |
//! | interrupt (timer alarm)    | `SIGALRM`, armed one-shot with `setitimer`             |
//! | disable/enable interrupts  | block/unblock `SIGALRM` (`rt_sigprocmask`)             |
//! | `WFI` with interrupts off  | `rt_sigsuspend`: atomically unblock and wait           |
//! | monotonic timer peripheral | `clock_gettime(CLOCK_MONOTONIC)`                       |
//! | UART                       | `write(1, ..)`                                         |
//!
//! Nothing here allocates.

use core::arch::{asm, global_asm};
use core::fmt;
use core::sync::atomic::{AtomicBool, Ordering};

#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
compile_error!("this board support is written for x86_64 Linux system calls");

const SYS_WRITE: usize = 1;
const SYS_RT_SIGACTION: usize = 13;
const SYS_RT_SIGPROCMASK: usize = 14;
const SYS_SETITIMER: usize = 38;
const SYS_RT_SIGSUSPEND: usize = 130;
const SYS_CLOCK_GETTIME: usize = 228;
const SYS_EXIT_GROUP: usize = 231;

const SIGALRM: u64 = 14;
const ALARM_MASK: u64 = 1 << (SIGALRM - 1);
const SIG_BLOCK: usize = 0;
const SIG_UNBLOCK: usize = 1;
const SA_RESTORER: u64 = 0x0400_0000;
const SA_RESTART: u64 = 0x1000_0000;
const CLOCK_MONOTONIC: usize = 1;
const ITIMER_REAL: usize = 0;
/// The kernel's signal set is 64 bits on x86_64.
const SIGSET_SIZE: usize = 8;

/// # Safety
/// The arguments must be valid for system call `n`.
unsafe fn syscall4(n: usize, a: usize, b: usize, c: usize, d: usize) -> isize {
    let ret: isize;
    // SAFETY: the x86_64 Linux system call convention; rcx and r11 are clobbered by `syscall`.
    unsafe {
        asm!(
            "syscall",
            inlateout("rax") n as isize => ret,
            in("rdi") a,
            in("rsi") b,
            in("rdx") c,
            in("r10") d,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack)
        );
    }
    ret
}

// The reset vector: the kernel enters with the stack pointing at argc, 16-byte aligned; the C
// ABI wants it aligned before the `call`, which pushes the return address.
global_asm!(
    ".globl _start",
    "_start:",
    "xor rbp, rbp",
    "and rsp, -16",
    "call {main}",
    "ud2",
    main = sym reset,
);

// The signal-return trampoline the kernel jumps to after a handler (SA_RESTORER).
global_asm!(
    ".globl weft_board_sigreturn",
    "weft_board_sigreturn:",
    "mov rax, 15",
    "syscall",
    "ud2",
);

extern "C" {
    fn weft_board_sigreturn();
}

extern "C" fn reset() -> ! {
    exit(crate::main())
}

// The compiler may emit calls to these; without a C library the board provides them. Byte
// loops through volatile accesses, so they are not turned back into calls to themselves.

/// # Safety
/// As C `memcpy`.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: the caller guarantees both ranges are valid.
        unsafe { dst.add(i).write_volatile(src.add(i).read_volatile()) };
    }
    dst
}

/// # Safety
/// As C `memmove`.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    if (dst as usize) <= (src as usize) {
        // SAFETY: forward copy is correct when dst precedes src.
        unsafe { memcpy(dst, src, n) }
    } else {
        for i in (0..n).rev() {
            // SAFETY: the caller guarantees both ranges are valid.
            unsafe { dst.add(i).write_volatile(src.add(i).read_volatile()) };
        }
        dst
    }
}

/// # Safety
/// As C `memset`.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    for i in 0..n {
        // SAFETY: the caller guarantees the range is valid.
        unsafe { dst.add(i).write_volatile(c as u8) };
    }
    dst
}

/// # Safety
/// As C `memcmp`.
#[no_mangle]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    for i in 0..n {
        // SAFETY: the caller guarantees both ranges are valid.
        let (x, y) = unsafe { (a.add(i).read_volatile(), b.add(i).read_volatile()) };
        if x != y {
            return x as i32 - y as i32;
        }
    }
    0
}

/// # Safety
/// As C `bcmp`.
#[no_mangle]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract.
    unsafe { memcmp(a, b, n) }
}

fn sigprocmask(how: usize, set: u64) -> u64 {
    let mut old: u64 = 0;
    // SAFETY: valid pointers to 8-byte signal sets.
    unsafe {
        syscall4(
            SYS_RT_SIGPROCMASK,
            how,
            &set as *const u64 as usize,
            &mut old as *mut u64 as usize,
            SIGSET_SIZE,
        )
    };
    old
}

/// Masks the alarm "interrupt"; returns whether it was masked before.
pub fn interrupts_disable() -> bool {
    sigprocmask(SIG_BLOCK, ALARM_MASK) & ALARM_MASK != 0
}

/// Unmasks the alarm "interrupt" unless `was_disabled`.
pub fn interrupts_restore(was_disabled: bool) {
    if !was_disabled {
        sigprocmask(SIG_UNBLOCK, ALARM_MASK);
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

/// The kernel's `struct sigaction` on x86_64.
#[repr(C)]
struct KernelSigaction {
    handler: usize,
    flags: u64,
    restorer: usize,
    mask: u64,
}

/// The "interrupt handler" the board calls on each alarm.
static mut ALARM_HANDLER: Option<fn()> = None;

extern "C" fn on_sigalrm(_sig: i32) {
    // SAFETY: written once in `init` before the alarm is ever armed.
    if let Some(h) = unsafe { ALARM_HANDLER } {
        h();
    }
}

/// Installs `handler` as the alarm interrupt handler.
pub fn init(handler: fn()) {
    // SAFETY: single-threaded, before any alarm is armed.
    unsafe { ALARM_HANDLER = Some(handler) };
    let act = KernelSigaction {
        handler: on_sigalrm as *const () as usize,
        flags: SA_RESTORER | SA_RESTART,
        restorer: weft_board_sigreturn as *const () as usize,
        // The handler runs with the alarm masked, like an interrupt that is not re-entrant.
        mask: ALARM_MASK,
    };
    // SAFETY: a valid kernel sigaction with a restorer that calls rt_sigreturn.
    let rc = unsafe {
        syscall4(
            SYS_RT_SIGACTION,
            SIGALRM as usize,
            &act as *const KernelSigaction as usize,
            0,
            SIGSET_SIZE,
        )
    };
    assert!(rc == 0, "rt_sigaction failed: {rc}");
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
    unsafe {
        syscall4(
            SYS_SETITIMER,
            ITIMER_REAL,
            &t as *const Itimerval as usize,
            0,
            0,
        )
    };
}

/// Microseconds since an arbitrary origin (monotonic).
pub fn now_micros() -> u64 {
    let mut ts = [0i64; 2];
    // SAFETY: valid out-pointer to a timespec.
    unsafe {
        syscall4(
            SYS_CLOCK_GETTIME,
            CLOCK_MONOTONIC,
            ts.as_mut_ptr() as usize,
            0,
            0,
        )
    };
    ts[0] as u64 * 1_000_000 + ts[1] as u64 / 1_000
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
        // The mask to wait with: the current one, alarm unmasked.
        let wait_mask = sigprocmask(SIG_BLOCK, 0) & !ALARM_MASK;
        while !self.token.swap(false, Ordering::Acquire) {
            (self.before_sleep)();
            // SAFETY: waits with SIGALRM unmasked; the old mask is back when a handler ran.
            unsafe {
                syscall4(
                    SYS_RT_SIGSUSPEND,
                    &wait_mask as *const u64 as usize,
                    SIGSET_SIZE,
                    0,
                    0,
                )
            };
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
            let n = unsafe { syscall4(SYS_WRITE, 1, b.as_ptr() as usize, b.len(), 0) };
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
    unsafe { syscall4(SYS_EXIT_GROUP, code as usize, 0, 0, 0) };
    // exit_group does not return; if it somehow did, stop here.
    loop {
        core::hint::spin_loop();
    }
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    use core::fmt::Write as _;
    let _ = writeln!(Uart, "panic: {info}");
    exit(101)
}
