//! The one task header shared by static and heap tasks.
//!
//! Every task, whatever its storage, starts with a [`Header`] (`#[repr(C)]`, so a pointer to
//! the storage is a pointer to the header). Schedulers, wakers and join handles only ever hold
//! `NonNull<Header>`; everything that depends on the future's type goes through the
//! `&'static Vtable`, so the scheduling code is compiled once, not once per future type.

use core::cell::UnsafeCell;
use core::fmt;
use core::ptr::NonNull;
use core::task::Waker;

use super::schedule::RawScheduler;
use super::state::State;
use crate::loom::sync::atomic::AtomicPtr;

/// The functions that depend on the future's type.
pub(crate) struct Vtable {
    /// Polls the future once (the caller holds RUNNING). `true` when it completed; the output
    /// (or the panic as a `JoinError`) is then stored in the stage.
    pub(crate) poll: unsafe fn(NonNull<Header>, &Waker) -> bool,
    /// Drops the future and stores a cancelled `JoinError` (the caller holds RUNNING).
    pub(crate) cancel: unsafe fn(NonNull<Header>),
    /// Drops the future of an unbound task (its `SpawnToken` was dropped).
    pub(crate) drop_future: unsafe fn(NonNull<Header>),
    /// Drops an output nobody will read (the caller owns the completed stage).
    pub(crate) drop_output: unsafe fn(NonNull<Header>),
    /// Moves the output into `*dst`, a `Poll<Result<T, JoinError>>` (the caller saw COMPLETE
    /// and had not read it before).
    pub(crate) read_output: unsafe fn(NonNull<Header>, dst: *mut ()),
    /// Frees the storage: the heap allocation, or marks the static slot free.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
}

/// A task's identifier: unique among the tasks that exist.
///
/// An id is the address of the task's storage, so it costs the header nothing. It stays the
/// same for as long as anything refers to the task (a `JoinHandle`, an `AbortHandle`, a waker)
/// and can be given to a later task only after every such reference is gone: a static slot
/// reused for a new task, or a heap address reused by the allocator. That is the guarantee
/// tokio documents for its task ids too ("unique relative to other currently running tasks").
/// Keep the `JoinHandle` if you need the id to stay unambiguous. Ids compare and hash, so they
/// can key a map of live tasks, but their order says nothing about which task was spawned
/// first, and the number (printed by `Display`) is an address: fine in logs, not a secret.
///
/// ```
/// # weft_core::executor::__doc_block_on(async {
/// let a = weft_core::task::SpawnToken::new_boxed(async { 1 });
/// let b = weft_core::task::SpawnToken::new_boxed(async { 2 });
/// assert_ne!(a.id(), b.id());
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Id(pub(crate) u64);

impl Id {
    /// The id as a number.
    ///
    /// ```
    /// let token = weft_core::task::SpawnToken::new_boxed(async {});
    /// println!("task {}", token.id().as_u64());
    /// ```
    pub fn as_u64(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The header every task starts with.
///
/// Schedulers see tasks only as `NonNull<Header>` (through [`Notified`](super::Notified) and
/// [`TaskRef`](super::TaskRef)): the run-queue link lives here so that queues need no
/// allocation. Six words on 64-bit targets: state, run-queue link, vtable, scheduler, and the
/// two-word join waker.
#[repr(C)]
pub struct Header {
    pub(crate) state: State,
    /// Intrusive run-queue link: a task is in at most one run queue (see `state`).
    pub(crate) queue_next: AtomicPtr<Header>,
    pub(crate) vtable: &'static Vtable,
    /// Written once in `bind` (before the task is shared), read-only until dealloc.
    pub(crate) scheduler: UnsafeCell<Option<RawScheduler>>,
    /// Owned by the JoinHandle while JOIN_WAKER is clear, by the completer once it is set.
    pub(crate) join_waker: UnsafeCell<Option<Waker>>,
}

// SAFETY: every field is either atomic or guarded by the state protocol documented in
// `state.rs` (scheduler: written before the task is shared; join_waker: ownership switched by
// JOIN_WAKER).
unsafe impl Send for Header {}
// SAFETY: as above.
unsafe impl Sync for Header {}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Header")
            .field("id", &self.id())
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl Header {
    crate::maybe_const_fn! {
    pub(crate) fn new(vtable: &'static Vtable) -> Header {
        Header {
            state: State::new(),
            queue_next: AtomicPtr::new(core::ptr::null_mut()),
            vtable,
            scheduler: UnsafeCell::new(None),
            join_waker: UnsafeCell::new(None),
        }
    }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        Id(self as *const Header as usize as u64)
    }

    /// The intrusive run-queue link. A scheduler may use it for one queue at a time: a task is
    /// in at most one run queue because at most one `Notified` exists for it.
    pub fn queue_next(&self) -> &AtomicPtr<Header> {
        &self.queue_next
    }

    /// The scheduler the task is bound to.
    ///
    /// # Safety
    /// The task must be bound (true for every `Notified`/`TaskRef`).
    pub(crate) unsafe fn scheduler(&self) -> &RawScheduler {
        // SAFETY: written once in bind before the task was shared (caller's contract).
        unsafe { (*self.scheduler.get()).as_ref().expect("task is bound") }
    }
}
