//! How the network types find their reactor, and how a runtime provides one.
//!
//! # The seam with the runtime
//!
//! A runtime owns one reactor ([`new_reactor`], picked by [`ReactorKind`]); the worker that
//! parks calls [`Reactor::turn`](weft_core::io::Reactor::turn) with the time until the next
//! timer, and a wake-up for that worker calls [`Reactor::unpark`](weft_core::io::Reactor::unpark).
//! Every runtime thread (workers, the `block_on` caller, blocking-pool threads) enters
//! [`set_current_io`] with the runtime's handle; socket constructors call [`current_io`] to
//! register with it, and keep the handle (so a socket moved to another thread still
//! deregisters from its own reactor). On shutdown the runtime calls
//! [`Reactor::shutdown`](weft_core::io::Reactor::shutdown), which fails all pending I/O with
//! [`shutdown_error`](weft_drivers::fd_reactor::shutdown_error) instead of leaving it hanging.
//!
//! ```
//! use std::time::Duration;
//! use weft::net::driver::{current_io, new_reactor, set_current_io, ReactorKind};
//!
//! let reactor = new_reactor(ReactorKind::Polling)?;
//! let _enter = set_current_io(reactor.clone());
//! assert!(std::sync::Arc::ptr_eq(&current_io(), &reactor));
//! assert_eq!(reactor.turn(Some(Duration::ZERO))?, 0); // what a parked worker does
//! # std::io::Result::Ok(())
//! ```

use std::cell::RefCell;
use std::fmt;
use std::io;
use std::marker::PhantomData;
use std::sync::Arc;
use std::task::{Context, Poll};

pub use weft_drivers::fd_reactor::{ReactorHandle, Registration};

/// A shared handle to a reactor: what the runtime stores and the sockets keep.
pub type IoHandle = Arc<dyn ReactorHandle>;

/// Which reactor implementation to use.
///
/// ```
/// use weft::net::driver::ReactorKind;
/// assert_eq!(ReactorKind::default(), ReactorKind::Mio);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ReactorKind {
    /// `mio` (epoll/kqueue): the default.
    #[default]
    Mio,
    /// `polling` (epoll/kqueue/event ports).
    Polling,
}

/// Creates a reactor of the given kind.
///
/// ```
/// use weft::net::driver::{new_reactor, ReactorKind};
/// let r = new_reactor(ReactorKind::Mio)?;
/// assert!(!r.is_shutdown());
/// # std::io::Result::Ok(())
/// ```
pub fn new_reactor(kind: ReactorKind) -> io::Result<IoHandle> {
    Ok(match kind {
        ReactorKind::Mio => Arc::new(weft_drivers::mio::MioReactor::new()?),
        ReactorKind::Polling => Arc::new(weft_drivers::polling::PollingReactor::new()?),
    })
}

thread_local! {
    static CURRENT: RefCell<Option<IoHandle>> = const { RefCell::new(None) };
}

/// Makes `handle` this thread's reactor until the guard is dropped (which restores the
/// previous one). The runtime calls this on every thread it runs tasks on.
///
/// ```
/// use weft::net::driver::{new_reactor, set_current_io, try_current_io, ReactorKind};
/// {
///     let _g = set_current_io(new_reactor(ReactorKind::Mio)?);
///     assert!(try_current_io().is_some());
/// }
/// assert!(try_current_io().is_none());
/// # std::io::Result::Ok(())
/// ```
pub fn set_current_io(handle: IoHandle) -> IoGuard {
    let prev = CURRENT.with(|c| c.borrow_mut().replace(handle));
    IoGuard {
        prev,
        _not_send: PhantomData,
    }
}

/// Restores the previous reactor of the thread when dropped; see [`set_current_io`].
///
/// ```
/// use weft::net::driver::{new_reactor, set_current_io, ReactorKind};
/// let guard: weft::net::driver::IoGuard = set_current_io(new_reactor(ReactorKind::Mio)?);
/// drop(guard);
/// # std::io::Result::Ok(())
/// ```
#[must_use = "the reactor is only current while the guard lives"]
pub struct IoGuard {
    prev: Option<IoHandle>,
    _not_send: PhantomData<*const ()>,
}

impl fmt::Debug for IoGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IoGuard").finish_non_exhaustive()
    }
}

impl Drop for IoGuard {
    fn drop(&mut self) {
        let prev = self.prev.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = prev);
    }
}

/// This thread's reactor, if a runtime (or [`set_current_io`]) provided one.
///
/// ```
/// assert!(weft::net::driver::try_current_io().is_none());
/// ```
pub fn try_current_io() -> Option<IoHandle> {
    CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
}

/// This thread's reactor.
///
/// # Panics
///
/// Outside a runtime, with a message that says what to do instead.
///
/// ```should_panic
/// // No runtime here:
/// weft::net::driver::current_io();
/// ```
pub fn current_io() -> IoHandle {
    try_current_io().expect(
        "no I/O reactor: create weft sockets inside a weft runtime \
         (Runtime::block_on, a spawned task, or #[weft::main])",
    )
}

/// The cooperative-budget hook every I/O operation calls before touching its socket: inside
/// a runtime task it spends one unit of the task's budget (and yields once the budget is
/// spent); the unit is given back if the operation then returns `Pending`.
#[inline]
pub(crate) fn coop_poll_proceed(cx: &mut Context<'_>) -> Poll<RestoreOnPending> {
    weft_core::task::coop::poll_proceed(cx)
}

pub(crate) use weft_core::task::coop::RestoreOnPending;
