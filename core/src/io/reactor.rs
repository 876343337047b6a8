//! The [`Reactor`] trait: the driving half of an I/O driver.

use core::time::Duration;

/// An I/O driver that waits for OS (or device) events and publishes them into
/// [`ScheduledIo`](super::ScheduledIo) cells, waking the tasks that wait on them.
///
/// The trait covers what a scheduler needs from any reactor, whatever its sources are:
/// block for events ([`turn`](Self::turn)), be interrupted from another thread
/// ([`unpark`](Self::unpark)) and shut down ([`shutdown`](Self::shutdown)). How a source is
/// registered depends on the platform (a file descriptor on Unix, a socket handle of an
/// embedded network stack) and is left to the implementation; what every implementation
/// shares is that each registration owns one `ScheduledIo`, on which the reactor calls
/// [`dispatch`](super::ScheduledIo::dispatch) for every event and
/// [`shutdown`](super::ScheduledIo::shutdown) when it shuts down.
///
/// The std implementations (`mio`, `polling`) live in `weft-drivers`.
///
/// ```
/// use core::time::Duration;
/// use weft_core::io::{Ready, Reactor, ScheduledIo};
///
/// /// A reactor for one "device" whose interrupt handler sets a flag.
/// struct OneDevice {
///     io: ScheduledIo,
///     irq: core::sync::atomic::AtomicBool,
/// }
///
/// impl Reactor for OneDevice {
///     type Error = core::convert::Infallible;
///     fn turn(&self, _timeout: Option<Duration>) -> Result<usize, Self::Error> {
///         if self.irq.swap(false, core::sync::atomic::Ordering::AcqRel) {
///             self.io.dispatch(Ready::READABLE);
///             return Ok(1);
///         }
///         Ok(0)
///     }
///     fn unpark(&self) {}
///     fn shutdown(&self) {
///         self.io.shutdown();
///     }
/// }
///
/// let r = OneDevice { io: ScheduledIo::new(), irq: true.into() };
/// assert_eq!(r.turn(None), Ok(1));
/// assert_eq!(r.turn(Some(Duration::ZERO)), Ok(0));
/// ```
pub trait Reactor: Send + Sync {
    /// The error a turn can fail with (`std::io::Error` for the OS reactors).
    type Error: core::fmt::Debug;

    /// Waits for events for at most `timeout` (`None`: until an event or an
    /// [`unpark`](Self::unpark); `Some(Duration::ZERO)`: poll without blocking), records the
    /// readiness of every source that had one and wakes their tasks. Returns the number of
    /// events dispatched. Only one thread turns a reactor at a time.
    fn turn(&self, timeout: Option<Duration>) -> Result<usize, Self::Error>;

    /// Makes a concurrent or the next [`turn`](Self::turn) return promptly. Callable from any
    /// thread.
    fn unpark(&self);

    /// Shuts the reactor down: every registered source is marked shut down and its waiters
    /// are woken (their I/O fails instead of hanging); later registrations fail.
    fn shutdown(&self);
}
