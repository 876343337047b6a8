//! The park driver: how an executor waits when no task is ready.
//!
//! On a microcontroller `park` is `WFI`/`WFE` (or a low-power mode) and `unpark` is called
//! from the interrupt handler that woke a task (or sets the event register). On a host it is a
//! condvar ([`ThreadPark`]) or, in the std runtime, the I/O reactor. The executor calls
//! `park` only after it found its run queue empty; every `schedule` calls `unpark`.
//!
//! **Contract:** an `unpark` that happens before `park` must make that `park` return
//! immediately (a saved token), otherwise a wake-up racing with the decision to sleep is lost.
//! Spurious returns from `park` are allowed.

/// Waits for and delivers wake-ups for an executor.
///
/// ```
/// use weft_core::park::Park;
/// use std::sync::atomic::{AtomicBool, Ordering};
///
/// /// A busy-waiting park, like `WFE` on a core without low-power states.
/// struct Spin(AtomicBool);
/// impl Park for Spin {
///     fn park(&self) {
///         while !self.0.swap(false, Ordering::Acquire) {
///             std::hint::spin_loop();
///         }
///     }
///     fn unpark(&self) {
///         self.0.store(true, Ordering::Release);
///     }
/// }
///
/// let p = Spin(AtomicBool::new(false));
/// p.unpark();
/// p.park(); // returns at once: the token was saved
/// ```
pub trait Park: Send + Sync {
    /// Blocks until [`unpark`](Park::unpark) is called (or returns spuriously). An earlier
    /// `unpark` whose token was not yet consumed makes it return at once.
    fn park(&self);

    /// Wakes the executor (or saves a token for its next `park`). Callable from any thread and,
    /// on bare metal, from interrupt handlers.
    fn unpark(&self);
}

#[cfg(feature = "std")]
pub use thread::ThreadPark;

#[cfg(feature = "std")]
mod thread {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;

    /// A park driver for host threads: a flag under a mutex and a condvar.
    ///
    /// ```
    /// use weft_core::park::{Park, ThreadPark};
    /// use std::sync::Arc;
    ///
    /// let park = Arc::new(ThreadPark::new());
    /// let p2 = park.clone();
    /// let t = std::thread::spawn(move || p2.unpark());
    /// park.park(); // returns once the other thread unparked us
    /// t.join().unwrap();
    /// ```
    #[derive(Debug, Default)]
    pub struct ThreadPark {
        notified: Mutex<bool>,
        cv: Condvar,
    }

    impl ThreadPark {
        /// A park driver with no saved token.
        ///
        /// ```
        /// static PARK: weft_core::park::ThreadPark = weft_core::park::ThreadPark::new();
        /// ```
        pub const fn new() -> ThreadPark {
            ThreadPark {
                notified: Mutex::new(false),
                cv: Condvar::new(),
            }
        }

        /// Like [`park`](super::Park::park), but returns after `timeout` at the latest.
        /// Returns `true` when it was unparked.
        ///
        /// ```
        /// let p = weft_core::park::ThreadPark::new();
        /// assert!(!p.park_timeout(std::time::Duration::from_millis(1)));
        /// ```
        pub fn park_timeout(&self, timeout: Duration) -> bool {
            let guard = self.notified.lock().unwrap_or_else(|e| e.into_inner());
            let (mut guard, _) = self
                .cv
                .wait_timeout_while(guard, timeout, |n| !*n)
                .unwrap_or_else(|e| e.into_inner());
            core::mem::replace(&mut *guard, false)
        }
    }

    impl super::Park for ThreadPark {
        fn park(&self) {
            let guard = self.notified.lock().unwrap_or_else(|e| e.into_inner());
            let mut guard = self
                .cv
                .wait_while(guard, |n| !*n)
                .unwrap_or_else(|e| e.into_inner());
            *guard = false;
        }

        fn unpark(&self) {
            *self.notified.lock().unwrap_or_else(|e| e.into_inner()) = true;
            self.cv.notify_one();
        }
    }
}
