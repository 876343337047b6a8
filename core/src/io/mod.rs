//! I/O readiness: the reactor driver trait and the readiness cell every driver shares.
//!
//! # Design
//!
//! weft's I/O is *readiness based*, like epoll and kqueue: a task tries a non-blocking
//! operation; on `WouldBlock` it waits until the reactor reports the source ready again, then
//! retries. The pieces:
//!
//! * [`Interest`] — what a source is registered for / a task waits for (read, write).
//! * [`Ready`] — what the reactor reported (readable, writable, read/write closed, error).
//! * [`ScheduledIo`] — one per registered source: the readiness bits, a **tick** and the
//!   waiting tasks, in one `AtomicUsize` plus a spin-locked waiter list, with no allocation
//!   (it is `const`-constructible, so an embedded driver can keep its cells in `static`s).
//!   The tick makes "clear readiness after `WouldBlock`" safe against an edge that arrives
//!   during the attempt: see [`scheduled_io`](self::ScheduledIo) for the algorithm.
//! * [`Reactor`] — the driving half of a driver: block for events up to a timeout, be
//!   unparked from another thread, shut down.
//!
//! The std reactors (on `mio` and on `polling`, both edge-triggered) are in `weft-drivers`;
//! the network types of the `weft` crate are built on them. A board with its own network
//! stack implements [`Reactor`] and calls [`ScheduledIo::dispatch`] from its event handler.
//!
//! The task protocol, in full:
//!
//! ```
//! use core::task::{Context, Poll, Waker};
//! use weft_core::io::{ClearOutcome, Direction, Ready, ScheduledIo};
//!
//! let io = ScheduledIo::new();
//! let mut cx = Context::from_waker(Waker::noop());
//! // 1. wait for readiness (Pending: the waker is stored; the reactor will wake us)
//! assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
//! io.dispatch(Ready::READABLE); // the reactor saw data arrive
//! // 2. take the event, 3. try the I/O; it returned WouldBlock (someone else drained it),
//! let Poll::Ready(ev) = io.poll_ready(&mut cx, Direction::Read) else { unreachable!() };
//! // 4. clear, guarded by the tick, and go back to 1.
//! assert_eq!(io.clear_readiness(ev), ClearOutcome::Cleared);
//! assert!(io.poll_ready(&mut cx, Direction::Read).is_pending());
//! ```

mod interest;
mod reactor;
mod scheduled_io;
mod spin;
mod waiters;

#[cfg(all(test, loom))]
mod loom_tests;

pub use interest::{Direction, Interest, Ready};
pub use reactor::Reactor;
pub use scheduled_io::{ClearOutcome, Readiness, ReadyEvent, ScheduledIo};
