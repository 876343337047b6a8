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
    /// Drops whatever the stage holds (output or future) and leaves it empty.
    pub(crate) drop_stage: unsafe fn(NonNull<Header>),
    /// Moves the output into `*dst`, a `Poll<Result<T, JoinError>>` (the caller saw COMPLETE).
    pub(crate) read_output: unsafe fn(NonNull<Header>, dst: *mut ()),
    /// Frees the storage: the heap allocation, or marks the static slot free.
    pub(crate) dealloc: unsafe fn(NonNull<Header>),
}

/// A task's identifier, unique among the tasks of this process.
///
/// ```
/// # weft_core::executor::__doc_block_on(async {
/// let token = weft_core::task::SpawnToken::new_boxed(async { 1 });
/// let id = token.id();
/// assert!(id.as_u64() > 0);
/// # });
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Id(pub(crate) u64);

impl Id {
    pub(crate) fn next() -> Id {
        // Ids need uniqueness only, not ordering with other memory: not loom-modelled.
        static NEXT: portable_atomic::AtomicU64 = portable_atomic::AtomicU64::new(1);
        Id(NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed))
    }

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

/// Links of the intrusive list a scheduler keeps of the tasks it owns (for shutdown).
///
/// They are protected by the scheduler's own lock; see [`OwnedList`](super::OwnedList).
pub struct OwnedLinks {
    pub(crate) prev: UnsafeCell<Option<NonNull<Header>>>,
    pub(crate) next: UnsafeCell<Option<NonNull<Header>>>,
}

impl fmt::Debug for OwnedLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OwnedLinks")
    }
}

impl OwnedLinks {
    pub(crate) const fn new() -> Self {
        OwnedLinks {
            prev: UnsafeCell::new(None),
            next: UnsafeCell::new(None),
        }
    }
}

/// The header every task starts with.
///
/// Schedulers see tasks only as `NonNull<Header>` (through [`Notified`](super::Notified) and
/// [`TaskRef`](super::TaskRef)): the run-queue link and the owned-list links live here so that
/// queues need no allocation.
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
    pub(crate) owned: OwnedLinks,
    /// Written when the slot is claimed, read-only afterwards.
    pub(crate) id: UnsafeCell<u64>,
}

// SAFETY: every field is either atomic or guarded by the state protocol documented in
// `state.rs` (scheduler/id: written before the task is shared; join_waker: ownership switched by
// JOIN_WAKER; owned: the scheduler's lock).
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
            owned: OwnedLinks::new(),
            id: UnsafeCell::new(0),
        }
    }
    }

    /// The task's id.
    pub fn id(&self) -> Id {
        // SAFETY: `id` is written only while the slot is claimed and unshared.
        Id(unsafe { *self.id.get() })
    }

    /// The intrusive run-queue link. A scheduler may use it for one queue at a time: a task is
    /// in at most one run queue because at most one `Notified` exists for it.
    pub fn queue_next(&self) -> &AtomicPtr<Header> {
        &self.queue_next
    }

    /// The intrusive owned-list links (see [`OwnedList`](super::OwnedList)).
    pub fn owned_links(&self) -> &OwnedLinks {
        &self.owned
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
