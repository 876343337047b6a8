//! An async, FIFO-fair reader-writer lock.
//!
//! Built on a [`Semaphore`] with `max_readers` permits: a reader takes one permit, a writer
//! takes all of them. Since the semaphore serves waiters strictly in arrival order, a queued
//! writer blocks readers that arrive after it (no writer starvation), and readers queued behind
//! a writer all proceed together when it unlocks. Downgrading a write guard releases all
//! permits but one.

use core::cell::UnsafeCell;
use core::fmt;
use core::marker::PhantomData;
use core::ops::{Deref, DerefMut};

use super::mutex::TryLockError;
use super::semaphore::Semaphore;

/// The default maximum number of concurrent readers (`u32::MAX >> 3`, as tokio).
const DEFAULT_MAX_READERS: u32 = u32::MAX >> 3;

/// An async reader-writer lock: many readers or one writer, served in FIFO order.
///
/// ```
/// # use weft_core::executor::block_on;
/// use weft_core::sync::RwLock;
///
/// static CONFIG: RwLock<u32> = RwLock::const_new(1);
/// block_on(async {
///     {
///         let a = CONFIG.read().await;
///         let b = CONFIG.read().await; // readers share
///         assert_eq!(*a + *b, 2);
///     }
///     *CONFIG.write().await = 5;
///     assert_eq!(*CONFIG.read().await, 5);
/// });
/// ```
pub struct RwLock<T: ?Sized> {
    max_readers: u32,
    sem: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the lock hands `&mut T` to one writer or `&T` to several readers, on any thread.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: readers on several threads share `&T` (so `T: Sync`), writers get `&mut T` (`T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    super::loom_const_fn! {
        /// Creates an unlocked lock; usable in a `static`.
        ///
        /// ```
        /// use weft_core::sync::RwLock;
        /// static L: RwLock<u8> = RwLock::const_new(0);
        /// assert_eq!(*L.try_read().unwrap(), 0);
        /// ```
        pub fn const_new(value: T) -> Self {
            Self::const_with_max_readers(value, DEFAULT_MAX_READERS)
        }
    }

    super::loom_const_fn! {
        /// Creates an unlocked lock.
        ///
        /// ```
        /// use weft_core::sync::RwLock;
        /// let l = RwLock::new(String::from("hi"));
        /// assert_eq!(&*l.try_read().unwrap(), "hi");
        /// ```
        pub fn new(value: T) -> Self {
            Self::const_new(value)
        }
    }

    super::loom_const_fn! {
        /// Creates a lock that admits at most `max_readers` readers at once.
        ///
        /// Panics if `max_readers` is 0.
        ///
        /// ```
        /// use weft_core::sync::RwLock;
        /// let l = RwLock::const_with_max_readers(0, 2);
        /// let _a = l.try_read().unwrap();
        /// let _b = l.try_read().unwrap();
        /// assert!(l.try_read().is_err());
        /// ```
        pub fn const_with_max_readers(value: T, max_readers: u32) -> Self {
            assert!(max_readers > 0, "an RwLock needs max_readers >= 1");
            RwLock {
                max_readers,
                sem: Semaphore::const_new(max_readers as usize),
                value: UnsafeCell::new(value),
            }
        }
    }

    /// Consumes the lock and returns the data.
    ///
    /// ```
    /// use weft_core::sync::RwLock;
    /// assert_eq!(RwLock::new(3).into_inner(), 3);
    /// ```
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access (in FIFO order: behind any queued writer).
    ///
    /// Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::RwLock;
    /// let l = RwLock::new(1);
    /// assert_eq!(*block_on(l.read()), 1);
    /// ```
    pub async fn read(&self) -> RwLockReadGuard<'_, T> {
        match self.sem.acquire().await {
            Ok(p) => p.forget(),
            Err(_) => unreachable!("an RwLock's semaphore is never closed"),
        }
        RwLockReadGuard {
            lock: self,
            _not_send_unless_sync: PhantomData,
        }
    }

    /// Waits for exclusive write access (in FIFO order).
    ///
    /// Cancellation-safe.
    ///
    /// ```
    /// # use weft_core::executor::block_on;
    /// use weft_core::sync::RwLock;
    /// let l = RwLock::new(1);
    /// block_on(async { *l.write().await += 1 });
    /// assert_eq!(l.into_inner(), 2);
    /// ```
    pub async fn write(&self) -> RwLockWriteGuard<'_, T> {
        match self.sem.acquire_many(self.max_readers).await {
            Ok(p) => p.forget(),
            Err(_) => unreachable!("an RwLock's semaphore is never closed"),
        }
        RwLockWriteGuard { lock: self }
    }

    /// Takes read access now if no writer holds or awaits the lock.
    ///
    /// ```
    /// use weft_core::sync::RwLock;
    /// let l = RwLock::new(1);
    /// let w = l.try_write().unwrap();
    /// assert!(l.try_read().is_err());
    /// drop(w);
    /// assert!(l.try_read().is_ok());
    /// ```
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        self.sem.try_take(1).map_err(|_| TryLockError(()))?;
        Ok(RwLockReadGuard {
            lock: self,
            _not_send_unless_sync: PhantomData,
        })
    }

    /// Takes write access now if the lock is free and no one is queued.
    ///
    /// ```
    /// use weft_core::sync::RwLock;
    /// let l = RwLock::new(1);
    /// let r = l.try_read().unwrap();
    /// assert!(l.try_write().is_err());
    /// drop(r);
    /// assert!(l.try_write().is_ok());
    /// ```
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        self.sem
            .try_take(self.max_readers as usize)
            .map_err(|_| TryLockError(()))?;
        Ok(RwLockWriteGuard { lock: self })
    }

    /// A mutable reference to the data; no locking needed since `&mut self` is exclusive.
    ///
    /// ```
    /// use weft_core::sync::RwLock;
    /// let mut l = RwLock::new(1);
    /// *l.get_mut() = 4;
    /// assert_eq!(l.into_inner(), 4);
    /// ```
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(g) => d.field("data", &&*g),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// Shared read access to an [`RwLock`]; released on drop.
///
/// ```
/// use weft_core::sync::{RwLock, RwLockReadGuard};
/// let l = RwLock::new(2);
/// let g: RwLockReadGuard<'_, i32> = l.try_read().unwrap();
/// assert_eq!(*g, 2);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// A read guard only gives `&T`, so it may move between threads when `T: Sync`.
    _not_send_unless_sync: PhantomData<&'a T>,
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: holding a read permit excludes writers.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(1);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

/// Exclusive write access to an [`RwLock`]; released on drop.
///
/// ```
/// use weft_core::sync::{RwLock, RwLockWriteGuard};
/// let l = RwLock::new(2);
/// let mut g: RwLockWriteGuard<'_, i32> = l.try_write().unwrap();
/// *g = 3;
/// drop(g);
/// assert_eq!(*l.try_read().unwrap(), 3);
/// ```
#[must_use = "the lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
}

// SAFETY: sharing the write guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    /// Turns write access into read access without letting a writer in between. Queued
    /// readers may then proceed too.
    ///
    /// ```
    /// use weft_core::sync::RwLock;
    /// let l = RwLock::new(1);
    /// let mut w = l.try_write().unwrap();
    /// *w = 2;
    /// let r = w.downgrade();
    /// assert_eq!(*r, 2);
    /// assert!(l.try_read().is_ok());
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let lock = self.lock;
        core::mem::forget(self);
        lock.sem.release(lock.max_readers as usize - 1);
        RwLockReadGuard {
            lock,
            _not_send_unless_sync: PhantomData,
        }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: holding all permits excludes every other reader and writer.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: holding all permits excludes every other reader and writer.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    fn drop(&mut self) {
        self.lock.sem.release(self.lock.max_readers as usize);
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
