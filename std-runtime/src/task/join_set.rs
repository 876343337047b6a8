//! [`JoinSet`]: a collection of spawned tasks, awaited in completion order.
//!
//! # Design
//!
//! Each member gets its own waker ([`EntryWaker`]) that, when its task completes, pushes the
//! member's slot index onto a shared *ready* queue and wakes the task awaiting `join_next`.
//! `join_next` only polls members that are on the ready queue, so draining a set of `n` tasks
//! costs O(n) polls in total rather than O(n²) for polling every handle on every wake-up. A
//! new member starts on the ready queue so that its first poll registers its waker. Slots are
//! reused; a generation number in each waker makes a late wake-up for a removed member
//! harmless.
//!
//! Dropping the set aborts every member (tasks are cancelled, not leaked); use
//! [`JoinSet::detach_all`] to let them run on.
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Wake, Waker};

use weft_core::task::coop;

use super::{AbortHandle, JoinError, JoinHandle};
use crate::loom::lock_std as lock;
use crate::runtime::Handle;

/// A set of tasks spawned on a runtime, awaited in the order they finish.
///
/// ```
/// use weft::task::JoinSet;
///
/// let rt = weft::runtime::Runtime::new().unwrap();
/// rt.block_on(async {
///     let mut set = JoinSet::new();
///     for i in 0..10u32 {
///         set.spawn(async move { i * 2 });
///     }
///     let mut sum = 0;
///     while let Some(res) = set.join_next().await {
///         sum += res.unwrap();
///     }
///     assert_eq!(sum, 90);
/// });
/// ```
pub struct JoinSet<T> {
    slots: Vec<Option<Entry<T>>>,
    free: Vec<usize>,
    len: usize,
    next_gen: u64,
    shared: Arc<Shared>,
}

struct Entry<T> {
    handle: JoinHandle<T>,
    waker: Arc<EntryWaker>,
}

struct Shared {
    ready: Mutex<Ready>,
}

struct Ready {
    queue: VecDeque<(usize, u64)>,
    parent: Option<Waker>,
}

/// The waker given to one member's `JoinHandle`.
struct EntryWaker {
    shared: Arc<Shared>,
    index: usize,
    gen: u64,
    queued: AtomicBool,
}

impl Wake for EntryWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref()
    }
    fn wake_by_ref(self: &Arc<Self>) {
        if self.queued.swap(true, Ordering::AcqRel) {
            return;
        }
        let parent = {
            let mut r = lock(&self.shared.ready);
            r.queue.push_back((self.index, self.gen));
            r.parent.take()
        };
        if let Some(p) = parent {
            p.wake();
        }
    }
}

impl<T> JoinSet<T> {
    /// An empty set.
    ///
    /// ```
    /// let set: weft::task::JoinSet<()> = weft::task::JoinSet::new();
    /// assert!(set.is_empty());
    /// ```
    pub fn new() -> JoinSet<T> {
        JoinSet {
            slots: Vec::new(),
            free: Vec::new(),
            len: 0,
            next_gen: 0,
            shared: Arc::new(Shared {
                ready: Mutex::new(Ready {
                    queue: VecDeque::new(),
                    parent: None,
                }),
            }),
        }
    }

    /// Number of tasks in the set (running or finished but not yet joined).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     assert_eq!(set.len(), 1);
    /// });
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// `true` when the set holds no task.
    ///
    /// ```
    /// assert!(weft::task::JoinSet::<u8>::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds an already spawned task's handle to the set.
    fn insert(&mut self, handle: JoinHandle<T>) -> AbortHandle {
        let abort = handle.abort_handle();
        let index = match self.free.pop() {
            Some(i) => i,
            None => {
                self.slots.push(None);
                self.slots.len() - 1
            }
        };
        self.next_gen += 1;
        let waker = Arc::new(EntryWaker {
            shared: self.shared.clone(),
            index,
            gen: self.next_gen,
            queued: AtomicBool::new(false),
        });
        // First poll registers the member's waker.
        waker.wake_by_ref();
        self.slots[index] = Some(Entry { handle, waker });
        self.len += 1;
        abort
    }

    /// Spawns `future` on the current runtime and adds it to the set.
    ///
    /// # Panics
    /// Outside a runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     let abort = set.spawn(async { 1 });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 1);
    ///     assert!(abort.is_finished());
    /// });
    /// ```
    #[track_caller]
    pub fn spawn<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(super::spawn(future))
    }

    /// Spawns `future` on the runtime of `handle` and adds it to the set.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// let mut set = weft::task::JoinSet::new();
    /// set.spawn_on(async { 2 }, rt.handle());
    /// let v = rt.block_on(async { set.join_next().await.unwrap().unwrap() });
    /// assert_eq!(v, 2);
    /// ```
    pub fn spawn_on<F>(&mut self, future: F, handle: &Handle) -> AbortHandle
    where
        F: Future<Output = T> + Send + 'static,
        T: Send + 'static,
    {
        self.insert(handle.spawn(future))
    }

    /// Runs a blocking closure on the current runtime's blocking pool as a member of the set.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn_blocking(|| 3);
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 3);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_blocking<F>(&mut self, func: F) -> AbortHandle
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.insert(super::spawn_blocking(func))
    }

    /// Spawns a `!Send` future on the current-thread runtime driving this thread.
    ///
    /// ```
    /// let rt = weft::runtime::Builder::new_current_thread().build().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     let rc = std::rc::Rc::new(4);
    ///     set.spawn_local(async move { *rc });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), 4);
    /// });
    /// ```
    #[track_caller]
    pub fn spawn_local<F>(&mut self, future: F) -> AbortHandle
    where
        F: Future<Output = T> + 'static,
        T: 'static,
    {
        self.insert(super::spawn_local(future))
    }

    /// Waits for the next task to finish and returns its result; `None` when the set is empty.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(async { "a" });
    ///     assert_eq!(set.join_next().await.unwrap().unwrap(), "a");
    ///     assert!(set.join_next().await.is_none());
    /// });
    /// ```
    pub async fn join_next(&mut self) -> Option<Result<T, JoinError>> {
        std::future::poll_fn(|cx| self.poll_join_next(cx)).await
    }

    /// Returns a finished task's result if one is ready now, without waiting.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::<u8>::new();
    ///     assert!(set.try_join_next().is_none());
    /// });
    /// ```
    pub fn try_join_next(&mut self) -> Option<Result<T, JoinError>> {
        let mut cx = Context::from_waker(Waker::noop());
        match self.poll_join_next(&mut cx) {
            Poll::Ready(r) => r,
            Poll::Pending => None,
        }
    }

    /// Polls for the next finished task. `Ready(None)` when the set is empty.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(async { 1 });
    ///     let r = std::future::poll_fn(|cx| set.poll_join_next(cx)).await;
    ///     assert_eq!(r.unwrap().unwrap(), 1);
    /// });
    /// ```
    pub fn poll_join_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<T, JoinError>>> {
        if self.len == 0 {
            return Poll::Ready(None);
        }
        let coop = std::task::ready!(coop::poll_proceed(cx));
        // Bound the work of one poll: a member that re-queues itself (its own budget ran out)
        // must not keep us here.
        let mut budget = lock(&self.shared.ready).queue.len().max(1);
        loop {
            let next = {
                let mut r = lock(&self.shared.ready);
                match r.queue.pop_front() {
                    Some(n) if budget > 0 => n,
                    Some(n) => {
                        r.queue.push_front(n);
                        drop(r);
                        cx.waker().wake_by_ref();
                        return Poll::Pending;
                    }
                    None => {
                        r.parent = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
            };
            budget -= 1;
            let (index, gen) = next;
            let Some(Some(entry)) = self.slots.get_mut(index) else {
                continue;
            };
            if entry.waker.gen != gen {
                continue;
            }
            entry.waker.queued.store(false, Ordering::Release);
            let waker = Waker::from(entry.waker.clone());
            let mut ecx = Context::from_waker(&waker);
            if let Poll::Ready(res) = Pin::new(&mut entry.handle).poll(&mut ecx) {
                self.slots[index] = None;
                self.free.push(index);
                self.len -= 1;
                coop.made_progress();
                return Poll::Ready(Some(res));
            }
        }
    }

    /// Aborts every task in the set (they stay members until joined, reporting cancelled
    /// unless they finished first).
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.abort_all();
    ///     assert!(set.join_next().await.unwrap().unwrap_err().is_cancelled());
    /// });
    /// ```
    pub fn abort_all(&mut self) {
        for e in self.slots.iter().flatten() {
            e.handle.abort();
        }
    }

    /// Removes every task from the set without aborting them: they run on, detached.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(async {});
    ///     set.detach_all();
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub fn detach_all(&mut self) {
        self.slots.clear();
        self.free.clear();
        self.len = 0;
        lock(&self.shared.ready).queue.clear();
    }

    /// Aborts every task and waits until all have finished.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     set.spawn(std::future::pending::<()>());
    ///     set.shutdown().await;
    ///     assert!(set.is_empty());
    /// });
    /// ```
    pub async fn shutdown(&mut self) {
        self.abort_all();
        while self.join_next().await.is_some() {}
    }

    /// Waits for every task and returns their outputs in completion order.
    ///
    /// # Panics
    /// If a task panicked (the panic is resumed) or was cancelled.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let mut set = weft::task::JoinSet::new();
    ///     for i in 0..3 { set.spawn(async move { i }); }
    ///     let mut v = set.join_all().await;
    ///     v.sort();
    ///     assert_eq!(v, vec![0, 1, 2]);
    /// });
    /// ```
    pub async fn join_all(mut self) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len);
        while let Some(r) = self.join_next().await {
            match r {
                Ok(v) => out.push(v),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(e) => panic!("{e}"),
            }
        }
        out
    }
}

impl<T> Default for JoinSet<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Drop for JoinSet<T> {
    fn drop(&mut self) {
        self.abort_all();
    }
}

impl<T> fmt::Debug for JoinSet<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinSet").field("len", &self.len).finish()
    }
}

impl<T, F> FromIterator<F> for JoinSet<T>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    /// Spawns every future of the iterator on the current runtime.
    ///
    /// ```
    /// let rt = weft::runtime::Runtime::new().unwrap();
    /// rt.block_on(async {
    ///     let set: weft::task::JoinSet<u32> = (0..4u32).map(|i| async move { i }).collect();
    ///     assert_eq!(set.len(), 4);
    /// });
    /// ```
    fn from_iter<I: IntoIterator<Item = F>>(iter: I) -> Self {
        let mut set = JoinSet::new();
        for f in iter {
            set.spawn(f);
        }
        set
    }
}
