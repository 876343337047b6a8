//! Static task storage: [`TaskStorage`] (one slot) and [`TaskPool`] (N slots).
//!
//! Both are `const`-constructible, so they sit in a `static` and spawning never allocates. A
//! slot is free when its state word is `0`; `spawn` claims it with one CAS, and the slot is
//! free again when the last reference to its task is gone (the task completed and its
//! `JoinHandle` read the output or was dropped).

use core::fmt;
use core::future::Future;
use core::ptr::NonNull;

use super::cell::{Cell, Fns};
use super::header::Header;
use super::{SpawnError, SpawnToken};

/// Storage for one task running future type `F`, for a `static`.
///
/// ```
/// use weft_core::{executor::Executor, park::ThreadPark, task::TaskStorage};
/// use core::future::Ready;
///
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
/// static SLOT: TaskStorage<Ready<u32>> = TaskStorage::new();
///
/// let handle = EXEC.spawn(SLOT.spawn(|| core::future::ready(9)).unwrap());
/// assert_eq!(EXEC.block_on(handle).unwrap(), 9);
/// // The output was read, so the slot is free again.
/// assert!(SLOT.spawn(|| core::future::ready(10)).is_ok());
/// ```
pub struct TaskStorage<F: Future> {
    cell: Cell<F>,
}

// SAFETY: the cell is shared only through the state protocol.
unsafe impl<F: Future> Sync for TaskStorage<F> {}

impl<F: Future + 'static> fmt::Debug for TaskStorage<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskStorage")
            .field("busy", &self.is_busy())
            .finish()
    }
}

impl<F: Future + 'static> Default for TaskStorage<F> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Future + 'static> TaskStorage<F> {
    /// An empty slot.
    ///
    /// ```
    /// # use weft_core::task::TaskStorage;
    /// static SLOT: TaskStorage<core::future::Pending<()>> = TaskStorage::new();
    /// assert!(!SLOT.is_busy());
    /// ```
    pub const fn new() -> Self {
        TaskStorage {
            cell: Cell::new(&Fns::<F>::STATIC),
        }
    }

    /// Claims the slot and builds the future in place with `make`. Fails without calling
    /// `make` when the slot is busy.
    ///
    /// See [`TaskStorage`] for an example.
    pub fn spawn(
        &'static self,
        make: impl FnOnce() -> F,
    ) -> Result<SpawnToken<F::Output, F>, SpawnError> {
        self.try_claim(make).ok_or(SpawnError::full(1))
    }

    /// `true` while a task occupies the slot.
    ///
    /// ```
    /// # use weft_core::task::TaskStorage;
    /// static SLOT: TaskStorage<core::future::Pending<()>> = TaskStorage::new();
    /// let t = SLOT.spawn(core::future::pending).unwrap();
    /// assert!(SLOT.is_busy());
    /// drop(t);
    /// assert!(!SLOT.is_busy());
    /// ```
    pub fn is_busy(&self) -> bool {
        self.cell.header.state.load().0 != 0
    }

    pub(crate) fn try_claim(
        &'static self,
        make: impl FnOnce() -> F,
    ) -> Option<SpawnToken<F::Output, F>> {
        let header = &self.cell.header;
        if !header.state.try_claim() {
            return None;
        }
        /// Frees the slot again if `make` panics.
        struct Unclaim<'a>(&'a Header);
        impl Drop for Unclaim<'_> {
            fn drop(&mut self) {
                self.0.state.store_free();
            }
        }
        let guard = Unclaim(header);
        let future = make();
        core::mem::forget(guard);
        // SAFETY: the claim gives us the unshared slot, whose stage is empty.
        unsafe { self.cell.put_future(future) };
        // SAFETY: claimed static task of future type F.
        // The pointer comes from the whole cell, not from `&header`, so it may reach the stage.
        Some(unsafe { SpawnToken::from_raw(NonNull::from(&self.cell).cast::<Header>()) })
    }
}

/// `N` slots for tasks running future type `F`, for a `static`.
///
/// ```
/// use weft_core::{executor::Executor, park::ThreadPark, task::TaskPool};
/// use core::future::Pending;
///
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
/// static POOL: TaskPool<Pending<()>, 2> = TaskPool::new();
///
/// let a = EXEC.spawn(POOL.spawn(core::future::pending).unwrap());
/// let _b = EXEC.spawn(POOL.spawn(core::future::pending).unwrap());
/// assert!(POOL.spawn(core::future::pending).is_err()); // full
/// a.abort();
/// assert!(EXEC.block_on(a).unwrap_err().is_cancelled());
/// assert!(POOL.spawn(core::future::pending).is_ok()); // a slot was freed
/// ```
pub struct TaskPool<F: Future, const N: usize> {
    slots: [TaskStorage<F>; N],
}

impl<F: Future, const N: usize> fmt::Debug for TaskPool<F, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let busy = self
            .slots
            .iter()
            .filter(|s| s.cell.header.state.load().0 != 0)
            .count();
        f.debug_struct("TaskPool")
            .field("capacity", &N)
            .field("busy", &busy)
            .finish()
    }
}

impl<F: Future + 'static, const N: usize> Default for TaskPool<F, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<F: Future + 'static, const N: usize> TaskPool<F, N> {
    /// An empty pool.
    ///
    /// ```
    /// # use weft_core::task::TaskPool;
    /// static POOL: TaskPool<core::future::Pending<()>, 4> = TaskPool::new();
    /// assert_eq!(POOL.capacity(), 4);
    /// ```
    pub const fn new() -> Self {
        TaskPool {
            slots: [const { TaskStorage::new() }; N],
        }
    }

    /// Claims a free slot and builds the future in place with `make`; fails with
    /// [`SpawnError`] (without calling `make`) when all `N` are busy.
    ///
    /// See [`TaskPool`] for an example.
    pub fn spawn(
        &'static self,
        make: impl FnOnce() -> F,
    ) -> Result<SpawnToken<F::Output, F>, SpawnError> {
        let mut make = Some(make);
        for slot in &self.slots {
            if slot.cell.header.state.load().0 != 0 {
                continue;
            }
            if let Some(t) = slot.try_claim(|| (make.take().expect("called once"))()) {
                return Ok(t);
            }
        }
        Err(SpawnError::full(N))
    }

    /// The number of slots.
    ///
    /// See [`TaskPool::new`] for an example.
    pub const fn capacity(&self) -> usize {
        N
    }
}
