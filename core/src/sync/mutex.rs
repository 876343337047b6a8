//! An async, FIFO-fair mutex.
//!
//! A [`Mutex`] is a [`Semaphore`] with one permit plus an `UnsafeCell` for the data: `lock()`
//! acquires the permit (queueing in FIFO order behind earlier waiters, so no task starves) and
//! the guard releases it on drop. Because the semaphore hands a released permit straight to the
//! head waiter (it never becomes "available" for a newcomer to barge in while someone is
//! queued), the lock is passed in arrival order. The guard may be held across `.await`.
//!
//! Cancellation: dropping a `lock()` future that was already granted the lock (woken but not
//! yet polled) releases the permit to the next waiter; see the semaphore docs.

use core::cell::UnsafeCell;
use core::fmt;
use core::ops::{Deref, DerefMut};

#[cfg(feature = "alloc")]
use alloc::sync::Arc;

use super::semaphore::Semaphore;

/// An async mutual-exclusion lock; the guard can be held across `.await` points.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::Mutex;
///
/// static COUNTER: Mutex<u32> = Mutex::const_new(0);
/// block_on(async {
///     *COUNTER.lock().await += 1;
///     assert_eq!(*COUNTER.lock().await, 1);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    sem: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the mutex hands out access to `T` to one holder at a time, which may be on any thread.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as above; `&Mutex<T>` only gives `&mut T` to the single permit holder.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// The error returned by [`Mutex::try_lock`] and the `RwLock::try_*` methods when the lock is
/// held (or other tasks are queued for it).
///
/// ```
/// use weft_core::sync::Mutex;
/// let m = Mutex::new(());
/// let _g = m.try_lock().unwrap();
/// assert_eq!(m.try_lock().unwrap_err().to_string(), "operation would block");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(crate) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("operation would block")
    }
}

#[cfg(feature = "std")]
impl std::error::Error for TryLockError {}

impl<T> Mutex<T> {
    super::loom_const_fn! {
        /// Creates an unlocked mutex; usable in a `static`.
        ///
        /// ```
        /// use weft_core::sync::Mutex;
        /// static M: Mutex<Vec<u8>> = Mutex::const_new(Vec::new());
        /// assert!(M.try_lock().unwrap().is_empty());
        /// ```
        pub fn const_new(value: T) -> Self {
            Mutex {
                sem: Semaphore::const_new(1),
                value: UnsafeCell::new(value),
            }
        }
    }

    super::loom_const_fn! {
        /// Creates an unlocked mutex.
        ///
        /// ```
        /// use weft_core::sync::Mutex;
        /// let m = Mutex::new(5);
        /// assert_eq!(*m.try_lock().unwrap(), 5);
        /// ```
        pub fn new(value: T) -> Self {
            Self::const_new(value)
        }
    }

    /// Consumes the mutex and returns the data.
    ///
    /// ```
    /// use weft_core::sync::Mutex;
    /// assert_eq!(Mutex::new(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, in FIFO order with other waiters, and returns its guard.
    ///
    /// Cancellation-safe: if the future is dropped after the lock was handed to it, the lock
    /// passes on to the next waiter.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::Mutex;
    /// let m = Mutex::new(vec![1]);
    /// block_on(async {
    ///     m.lock().await.push(2);
    ///     assert_eq!(*m.lock().await, [1, 2]);
    /// });
    /// ```
    pub async fn lock(&self) -> MutexGuard<'_, T> {
        match self.sem.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => unreachable!("a Mutex's semaphore is never closed"),
        }
        MutexGuard { lock: self }
    }

    /// Takes the lock if it is free and no one is queued for it.
    ///
    /// ```
    /// use weft_core::sync::Mutex;
    /// let m = Mutex::new(1);
    /// let g = m.try_lock().unwrap();
    /// assert!(m.try_lock().is_err());
    /// drop(g);
    /// assert!(m.try_lock().is_ok());
    /// ```
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        self.sem
            .try_take(1)
            .map(|()| MutexGuard { lock: self })
            .map_err(|_| TryLockError(()))
    }

    /// A mutable reference to the data; no locking needed since `&mut self` is exclusive.
    ///
    /// ```
    /// use weft_core::sync::Mutex;
    /// let mut m = Mutex::new(1);
    /// *m.get_mut() = 2;
    /// assert_eq!(*m.try_lock().unwrap(), 2);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }

    /// Waits for the lock and returns a guard that holds an `Arc` of the mutex (no borrow),
    /// so it can be moved into a spawned task.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use std::sync::Arc;
    /// use weft_core::sync::Mutex;
    /// let m = Arc::new(Mutex::new(0));
    /// let mut g = block_on(m.clone().lock_owned());
    /// *g += 1;
    /// std::thread::spawn(move || drop(g)).join().unwrap();
    /// assert_eq!(*m.try_lock().unwrap(), 1);
    /// ```
    #[cfg(feature = "alloc")]
    pub async fn lock_owned(self: Arc<Self>) -> OwnedMutexGuard<T> {
        match self.sem.acquire().await {
            Ok(permit) => permit.forget(),
            Err(_) => unreachable!("a Mutex's semaphore is never closed"),
        }
        OwnedMutexGuard { lock: self }
    }

    /// Takes the lock now, returning a guard that holds an `Arc` of the mutex.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Mutex;
    /// let m = Arc::new(Mutex::new(0));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(m.clone().try_lock_owned().is_err());
    /// drop(g);
    /// ```
    #[cfg(feature = "alloc")]
    pub fn try_lock_owned(self: Arc<Self>) -> Result<OwnedMutexGuard<T>, TryLockError> {
        self.sem.try_take(1).map_err(|_| TryLockError(()))?;
        Ok(OwnedMutexGuard { lock: self })
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The guard of a locked [`Mutex`]; unlocks on drop.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::{Mutex, MutexGuard};
/// let m = Mutex::new(1);
/// block_on(async {
///     let mut g: MutexGuard<'_, i32> = m.lock().await;
///     *g = 2;
/// });
/// assert_eq!(m.into_inner(), 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    lock: &'a Mutex<T>,
}

// SAFETY: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the only permit, so no other reference to the data exists.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the only permit, and `&mut self` is exclusive.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for MutexGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// The guard of a [`Mutex`] locked through an `Arc`; unlocks on drop.
///
/// ```
/// # use weft_core::executor::block_on;
/// use std::sync::Arc;
/// use weft_core::sync::{Mutex, OwnedMutexGuard};
/// let m = Arc::new(Mutex::new(1));
/// let g: OwnedMutexGuard<i32> = block_on(m.clone().lock_owned());
/// assert_eq!(*g, 1);
/// ```
#[cfg(feature = "alloc")]
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct OwnedMutexGuard<T: ?Sized> {
    lock: Arc<Mutex<T>>,
}

// SAFETY: sharing the guard shares `&T`.
#[cfg(feature = "alloc")]
unsafe impl<T: ?Sized + Sync> Sync for OwnedMutexGuard<T> {}

#[cfg(feature = "alloc")]
impl<T: ?Sized> OwnedMutexGuard<T> {
    /// The mutex this guard locks.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use weft_core::sync::Mutex;
    /// let m = Arc::new(Mutex::new(1));
    /// let g = m.clone().try_lock_owned().unwrap();
    /// assert!(Arc::ptr_eq(g.mutex(), &m));
    /// ```
    pub fn mutex(&self) -> &Arc<Mutex<T>> {
        &self.lock
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized> Deref for OwnedMutexGuard<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the only permit.
        unsafe { &*self.lock.value.get() }
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized> DerefMut for OwnedMutexGuard<T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the guard holds the only permit, and `&mut self` is exclusive.
        unsafe { &mut *self.lock.value.get() }
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized> Drop for OwnedMutexGuard<T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

#[cfg(feature = "alloc")]
impl<T: ?Sized + fmt::Debug> fmt::Debug for OwnedMutexGuard<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
