//! The task model: one task type from bare metal to servers.
//!
//! A task is a [`Header`] followed by a *stage* that holds first the future and then its
//! output (one enum, so they share storage). The storage is either a `static`
//! ([`TaskStorage`], [`TaskPool`]: spawning never allocates and fails with [`SpawnError`] when
//! the pool is full) or one heap allocation ([`SpawnToken::new_boxed`], feature `alloc`).
//! Every scheduler — the bare-metal [`Executor`](crate::executor::Executor) and the std
//! runtime's work-stealing workers — handles tasks only through the header, so there is no
//! second task type.
//!
//! ```text
//!   TaskPool::spawn / SpawnToken::new_boxed        (claim storage, place the future)
//!            │  SpawnToken<T>
//!            v
//!   token.bind(RawScheduler) ──> (Notified, JoinHandle<T>)
//!            │ Notified: the scheduler queues it, later calls run()
//!            v
//!   run(): poll once ─ Pending ─> idle ─ waker.wake() ─> Schedule::schedule(Notified)
//!            └─ Ready ─> output stored in the stage ─> JoinHandle reads it
//! ```
//!
//! * The state word, its bits and every legal transition are documented in `state.rs`
//!   (transitions return enums, never bools).
//! * How a poll, a completion, an abort and a shutdown proceed is in `harness.rs`.
//! * The join-waker hand-off is in `join.rs`.
//!
//! ## Layout choices
//!
//! The header is 48 bytes on 64-bit targets: state (8), run-queue link (8), vtable (8),
//! scheduler handle (8), join waker (16). Three choices keep it there:
//!
//! * The scheduler handle is one word, not a `&dyn Schedule`: the vtable reference lives once
//!   in the scheduler object ([`SchedulerCell`]) instead of in every task.
//! * The id is the task's address ([`Id`]), unique among the tasks that exist, as tokio
//!   promises for its ids; storing a counter would cost a word per task.
//! * No owned-list links. A runtime that must find every task at shutdown keeps its own set
//!   of task addresses (the std runtime uses sharded hash sets, see its `owned.rs`): that
//!   costs memory only where the runtime has an allocator anyway, never in a static task. The
//!   bare-metal [`Executor`](crate::executor::Executor) lives in a `static` and never shuts
//!   down, so it needs no such set.
//!
//! * The stage that holds the future and then the output is a union, not a tagged enum: the
//!   task state already says which half is live (see `cell.rs`), and an `async` block offers
//!   no spare bit patterns for a tag to hide in, so a tag would cost another word.
//!
//! So a static task costs exactly the header on top of its future: 48 bytes on x86_64
//! (`per_task_overhead` in `tests/task.rs` asserts it).
//!
//! An earlier layout (80 bytes plus an 8-byte stage tag: a two-word scheduler handle,
//! intrusive owned-list links and a stored id) bought O(1) unlinking without hashing. Measured
//! side by side with tokio in the bench harness (medians of 15 rounds, two runs each),
//! replacing the links by the hash sets left `spawn_many` within its run-to-run noise and made
//! `spawn_remote` (many tasks spawned from outside the runtime, so the sets grow large) about
//! 8% slower, 0.65 → 0.70 of tokio's time; heap bytes per idle task fell from 123 to 97.

mod cell;
pub mod coop;
mod error;
mod harness;
mod header;
mod join;
#[cfg(not(loom))]
mod pool_raw; // static pool storage for #[task] (MACROS engineer)
pub(crate) mod schedule;
mod state;
#[cfg(not(loom))]
mod storage;
mod token;
#[cfg_attr(feature = "std", path = "unwind.rs")]
#[cfg_attr(not(feature = "std"), path = "unwind_abort.rs")]
mod unwind;
mod yield_now;

pub use error::{JoinError, SpawnError};
pub use harness::{Notified, TaskRef};
pub use header::{Header, Id};
pub use join::{AbortHandle, JoinHandle};
#[cfg(not(loom))]
#[doc(hidden)]
pub use pool_raw::{task_pool_align, task_pool_size, AlignTo, Alignment, TaskPoolRaw};
pub use schedule::{RawScheduler, Schedule, SchedulerCell};
#[cfg(not(loom))]
pub use storage::{TaskPool, TaskStorage};
pub use token::SpawnToken;
pub use yield_now::{yield_now, YieldNow};
