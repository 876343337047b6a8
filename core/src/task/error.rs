//! Errors of the task API: [`JoinError`] and [`SpawnError`].

use core::fmt;

use super::Id;

#[cfg(feature = "alloc")]
type Payload = alloc::boxed::Box<dyn core::any::Any + Send + 'static>;

enum Repr {
    Cancelled,
    #[cfg(feature = "alloc")]
    Panic(Payload),
}

/// Why awaiting a [`JoinHandle`](super::JoinHandle) did not produce the task's output: the task
/// was cancelled (`abort()`, runtime shutdown) or it panicked (std only; the payload is kept).
///
/// ```
/// use weft_core::executor::Executor;
/// use weft_core::park::ThreadPark;
/// use weft_core::task::SpawnToken;
///
/// static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
/// let handle = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
/// handle.abort();
/// let err = EXEC.block_on(handle).unwrap_err();
/// assert!(err.is_cancelled());
/// assert!(err.to_string().ends_with("was cancelled"));
/// ```
pub struct JoinError {
    id: Id,
    repr: Repr,
}

impl JoinError {
    pub(crate) fn cancelled(id: Id) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    #[cfg(feature = "alloc")]
    pub(crate) fn panic(id: Id, payload: Payload) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(payload),
        }
    }

    /// `true` when the task was cancelled before it completed.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<u8>()));
    /// h.abort();
    /// assert!(EXEC.block_on(h).unwrap_err().is_cancelled());
    /// ```
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// `true` when the task panicked.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(async { panic!("boom") }));
    /// let err: weft_core::task::JoinError = EXEC.block_on(h).map(|()| ()).unwrap_err();
    /// assert!(err.is_panic());
    /// ```
    pub fn is_panic(&self) -> bool {
        !self.is_cancelled()
    }

    /// The panic payload; panics if the task was cancelled instead (check
    /// [`is_panic`](Self::is_panic), or use [`try_into_panic`](Self::try_into_panic)).
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(async { std::panic::panic_any(7u32) }));
    /// let payload = EXEC.block_on(h).map(|()| ()).unwrap_err().into_panic();
    /// assert_eq!(*payload.downcast::<u32>().unwrap(), 7);
    /// ```
    #[cfg(feature = "alloc")]
    #[track_caller]
    pub fn into_panic(self) -> Payload {
        match self.try_into_panic() {
            Ok(p) => p,
            Err(e) => panic!("`JoinError::into_panic` called on {e}; check `is_panic()` first"),
        }
    }

    /// The panic payload, or the error back when the task was cancelled.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
    /// h.abort();
    /// assert!(EXEC.block_on(h).unwrap_err().try_into_panic().is_err());
    /// ```
    #[cfg(feature = "alloc")]
    pub fn try_into_panic(self) -> Result<Payload, JoinError> {
        match self.repr {
            Repr::Panic(p) => Ok(p),
            Repr::Cancelled => Err(self),
        }
    }

    /// The id of the task that failed.
    ///
    /// ```
    /// # use weft_core::{executor::Executor, park::ThreadPark, task::SpawnToken};
    /// # static EXEC: Executor<ThreadPark> = Executor::new(ThreadPark::new());
    /// let h = EXEC.spawn(SpawnToken::new_boxed(std::future::pending::<()>()));
    /// let id = h.id();
    /// h.abort();
    /// assert_eq!(EXEC.block_on(h).unwrap_err().id(), id);
    /// ```
    pub fn id(&self) -> Id {
        self.id
    }
}

#[cfg(feature = "alloc")]
fn panic_message(p: &Payload) -> Option<&str> {
    if let Some(s) = p.downcast_ref::<&'static str>() {
        Some(s)
    } else {
        p.downcast_ref::<alloc::string::String>()
            .map(|s| s.as_str())
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            #[cfg(feature = "alloc")]
            Repr::Panic(p) => match panic_message(p) {
                Some(m) => write!(f, "task {} panicked with message {:?}", self.id, m),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled({})", self.id),
            #[cfg(feature = "alloc")]
            Repr::Panic(p) => match panic_message(p) {
                Some(m) => write!(f, "JoinError::Panic({}, {:?}, ..)", self.id, m),
                None => write!(f, "JoinError::Panic({}, ..)", self.id),
            },
        }
    }
}

impl core::error::Error for JoinError {}

/// Spawning into a static pool failed because every slot is busy.
///
/// ```
/// use weft_core::task::TaskPool;
/// use core::future::Pending;
///
/// static POOL: TaskPool<Pending<()>, 1> = TaskPool::new();
/// let first = POOL.spawn(core::future::pending).unwrap();
/// let err = POOL.spawn(core::future::pending).unwrap_err();
/// assert_eq!(err.capacity(), 1);
/// println!("{err}");
/// drop(first);
/// assert!(POOL.spawn(core::future::pending).is_ok());
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SpawnError {
    capacity: usize,
}

impl SpawnError {
    pub(crate) fn full(capacity: usize) -> SpawnError {
        SpawnError { capacity }
    }

    /// How many slots the pool has (all of them were busy).
    ///
    /// ```
    /// # use weft_core::task::TaskStorage;
    /// # use core::future::Pending;
    /// static ONE: TaskStorage<Pending<()>> = TaskStorage::new();
    /// let _t = ONE.spawn(core::future::pending).unwrap();
    /// assert_eq!(ONE.spawn(core::future::pending).unwrap_err().capacity(), 1);
    /// ```
    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "task pool is full ({} of {} slots busy); raise `pool_size` or wait for a task of this pool to finish",
            self.capacity, self.capacity
        )
    }
}

impl fmt::Debug for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpawnError {{ capacity: {} }}", self.capacity)
    }
}

impl core::error::Error for SpawnError {}
