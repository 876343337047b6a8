//! Channels and locks for tasks: runtime-agnostic, no `std` needed, most need no allocator.
//!
//! Everything here only uses [`Waker`](core::task::Waker)s, so it works with any executor
//! (weft's, another runtime's, a hand-written `block_on`) and from several threads at once.
//!
//! | primitive | storage | what it is for |
//! |---|---|---|
//! | [`oneshot`] | static/stack (`oneshot::Channel`) or heap (`oneshot::channel`) | one value, request/reply |
//! | [`mpsc`] | static/stack (`mpsc::Channel<T, N>`) or heap (`mpsc::channel`, `mpsc::unbounded_channel`) | a queue with many senders and one receiver |
//! | `broadcast` (`alloc`) | heap | every receiver sees every message; slow receivers get `Lagged(n)` |
//! | `watch` (`alloc`) | heap | the latest value, with change notification |
//! | [`Mutex`], [`RwLock`] | inline, `const` | async, FIFO-fair locks whose guards may be held across `.await` |
//! | [`Semaphore`] | inline, `const` | limit concurrency; `acquire_many(n)`; owned permits with `alloc` |
//! | [`Notify`] | inline, `const` | wake one task or all waiting tasks |
//! | [`Signal`] | inline, `const` | hand a value from an interrupt handler or another thread to one task |
//!
//! ## How they are built
//!
//! * **One lock per primitive.** The state of each primitive sits behind an internal `Lock`,
//!   held only for a few pointer updates, never across user code and never while a waker is
//!   woken. (One exception on the hot path: the receiver of a bounded `mpsc` channel pops its
//!   ring without the lock, so that senders and receiver on different cores do not pass the
//!   lock's cache line back and forth for every message; see `mpsc.rs`.) What the lock is
//!   depends on the target, picked once in `lock/`:
//!
//!   | build | `Lock` is | why |
//!   |---|---|---|
//!   | `std` feature | `std::sync::Mutex` | futex-based: a contended thread sleeps instead of spinning, and primitives do not share one lock (the `critical-section` std implementation is a single global lock that all primitives and all threads would contend on) |
//!   | no `std` | `critical_section::Mutex` | masks interrupts on a microcontroller, so primitives work from interrupt handlers; an atomic spin lock would deadlock when an interrupt preempts the holder on the same core |
//!   | `cfg(loom)` | `loom::sync::Mutex` | the model checker sees every acquisition |
//!
//! * **Intrusive waiters.** A task that must wait links a node that lives *inside its pinned
//!   future* into the primitive's FIFO wait list (`wait_list.rs`), so waiting allocates nothing
//!   and works without `alloc`. The notifier writes the outcome ("granted", "notified",
//!   "sent") into the node before waking it, so a wake-up can't be lost between the check and
//!   the wait: both happen under the same lock.
//! * **Cancellation.** A future that is dropped while waiting unlinks its node; if it had
//!   already been handed something (a permit, a notification, the lock) it passes it to the
//!   next waiter. See the table below.
//! * **User code runs outside the lock.** Wakers are collected and woken after the lock is
//!   released; values dropped by a channel (e.g. when the receiver goes away) are dropped
//!   outside the lock too, so a message that owns a `Sender` of the same channel is fine.
//!
//! ## Cancellation safety
//!
//! "Cancellation-safe" means: if the future is dropped before it completes (the losing branch
//! of a `select!`, a timeout), nothing is lost — no message, permit or notification disappears,
//! and the next waiter gets what this one would have got.
//!
//! | operation | cancellation-safe? | what happens when the future is dropped |
//! |---|---|---|
//! | `oneshot::Receiver` (await) | yes | the value stays in the channel; await the receiver again (or `try_recv`) |
//! | `mpsc::Receiver::recv`, `recv_many` | yes | a message is only removed when `recv` (or `recv_many`, into your buffer) returns it |
//! | `mpsc::Sender::closed` | yes | it only waits; nothing is taken from the channel |
//! | `mpsc::Sender::send` | no (like tokio) | the value is either already in the channel (it will be received) or dropped with the future; never both. The place in the queue of waiting senders is lost |
//! | `mpsc::Sender::reserve` | yes | a slot reserved for the dropped future goes to the next waiting sender; use `reserve` + `Permit::send` inside `select!` |
//! | `broadcast::Receiver::recv` | yes | the receiver's position only moves when `recv` returns |
//! | `watch::Receiver::changed` | yes | the change stays unseen until observed |
//! | `Semaphore::acquire`, `acquire_many`, `*_owned` | yes | granted-but-unobserved permits go back to the semaphore (and on to the next waiter) |
//! | `Mutex::lock`, `RwLock::read`, `RwLock::write` | yes | a lock granted to the dropped future passes to the next waiter |
//! | `Notify::notified` | yes | a `notify_one` delivered to the dropped future is passed on to the next waiter (or stored as the permit) |
//! | `oneshot::Sender::closed` | yes | nothing to lose: it only observes the receiver |
//! | `Signal::wait` | yes | the value stays in the signal; a waiter woken for it but dropped passes the wake-up to the next waiter |
//!
//! Each "yes" row is exercised by `core/tests/sync_cancel.rs` (drop a future that was already
//! handed something, check that the next waiter gets it), by the abandoned-wait stress tests
//! in `core/tests/sync_stress.rs`, and for the mutex and `Notify` by loom models.
//!
//! ## Waking from interrupts
//!
//! Without `std`, the lock is a critical section, so `Signal::signal`, `Notify::notify_one`,
//! `notify_waiters`, `mpsc::Sender::try_send`, `oneshot::Sender::send` and
//! `Semaphore::add_permits` may be called from an interrupt handler.
//! Never `.await` in an interrupt handler, of course.

#[cfg_attr(loom, path = "lock/loom.rs")]
#[cfg_attr(all(not(loom), feature = "std"), path = "lock/std.rs")]
#[cfg_attr(all(not(loom), not(feature = "std")), path = "lock/cs.rs")]
mod lock;
mod shared;
mod wait_list;

pub mod mpsc;
pub mod oneshot;

#[cfg(feature = "alloc")]
pub mod broadcast;
#[cfg(feature = "alloc")]
pub mod watch;

mod mutex;
mod notify;
mod rwlock;
mod semaphore;
mod signal;

#[cfg(feature = "alloc")]
pub use mutex::OwnedMutexGuard;
pub use mutex::{Mutex, MutexGuard, TryLockError};
pub use notify::{Notified, Notify};
pub use rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
#[cfg(feature = "alloc")]
pub use semaphore::OwnedSemaphorePermit;
pub use semaphore::{
    Acquire, AcquireError, Semaphore, SemaphorePermit, TryAcquireError, MAX_PERMITS,
};
pub use signal::{Signal, Wait};

/// Declares a function that is `const` except under `cfg(loom)`, where loom's atomics and
/// mutexes cannot be built in a `const` context.
macro_rules! loom_const_fn {
    ($(#[$m:meta])* $vis:vis fn $name:ident $($rest:tt)*) => {
        #[cfg(not(loom))]
        $(#[$m])* $vis const fn $name $($rest)*
        #[cfg(loom)]
        $(#[$m])* $vis fn $name $($rest)*
    };
}
pub(crate) use loom_const_fn;
