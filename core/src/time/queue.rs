//! [`TimerQueue`]: a [`TimerWheel`] behind a lock, the piece a time driver embeds.

use core::fmt;
use core::ops::ControlFlow;
use core::ptr::NonNull;
use core::task::{Poll, Waker};

use super::lock::Lock;
use super::wheel::{Advance, TimerEntry, TimerWheel};
use crate::wake_list::WakeList;

/// Capacity for embassy-style `schedule_wake` timers that have no intrusive entry. weft's own
/// futures never use it (they link their entry); it serves foreign futures written against the
/// embassy `Driver` shape, which re-check the time when woken, so when it is full the latest
/// timer is woken early (a spurious wakeup they tolerate) rather than lost.
const LOOSE_TIMERS: usize = 8;

struct Inner {
    wheel: TimerWheel,
    loose: [Option<(u64, Waker)>; LOOSE_TIMERS],
    unpark: Option<Waker>,
    /// Set by [`TimerQueue::shutdown`]: no timer will fire any more.
    shut_down: bool,
}

impl Inner {
    const fn new() -> Self {
        Inner {
            wheel: TimerWheel::new(),
            loose: [const { None }; LOOSE_TIMERS],
            unpark: None,
            shut_down: false,
        }
    }

    fn next_deadline(&self) -> Option<u64> {
        let loose = self.loose.iter().flatten().map(|(at, _)| *at).min();
        match (self.wheel.next_deadline(), loose) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The unpark waker to wake if a timer at `deadline` becomes the earliest one.
    fn unpark_for(&self, deadline: u64, earliest_before: Option<u64>) -> Option<Waker> {
        match earliest_before {
            Some(t) if t <= deadline => None,
            _ => self.unpark.clone(),
        }
    }
}

/// A lock-protected [`TimerWheel`]: what a time driver embeds to get intrusive, allocation-free
/// timers.
///
/// The queue adds to the raw wheel what drivers and futures need around it:
///
/// * a lock (a `std::sync::Mutex` with `std`, a `critical_section::Mutex` without, loom's under
///   loom), so `Sleep`s on any thread (or an interrupt handler) can register and cancel while
///   the driver fires;
/// * batching of wakers: `advance` collects at most 32 wakers under the lock, then
///   releases it and wakes them, so a waker that re-enters the timer system (a task polled
///   inline, a `Sleep` dropped by the wake) never deadlocks, and the lock is never held while
///   foreign code runs. Replaced or cancelled wakers are likewise dropped after unlocking;
/// * an *unpark* waker: when a timer is registered whose deadline is earlier than every other
///   pending deadline, the thread parked until the old earliest deadline must recompute its
///   timeout, so the queue wakes the unpark waker;
/// * a few "loose" timers for callers of the embassy-style
///   [`schedule_wake`](TimerQueue::schedule_wake), which brings only a waker and no entry.
///
/// A driver returns it from [`TimeDriver::timer_queue`](super::TimeDriver::timer_queue); `Sleep`
/// then links its own entry into it (no allocation, O(1)) instead of calling `schedule_wake`.
/// The driver calls [`next_deadline`](Self::next_deadline) to arm its alarm or park timeout and
/// [`advance`](Self::advance) when time has passed. Most drivers use
/// [`WheelDriver`](super::driver::WheelDriver), which pairs a queue with a clock.
///
/// ```
/// use core::task::Waker;
/// use weft_core::time::TimerQueue;
///
/// let queue = TimerQueue::new();
/// queue.schedule_wake(50, Waker::noop());
/// assert_eq!(queue.next_deadline(), Some(50));
/// assert_eq!(queue.advance(49), 0);
/// assert_eq!(queue.advance(50), 1);
/// assert_eq!(queue.next_deadline(), None);
/// ```
pub struct TimerQueue {
    lock: Lock<Inner>,
}

impl Default for TimerQueue {
    fn default() -> Self {
        TimerQueue::new()
    }
}

impl TimerQueue {
    /// An empty queue at tick 0 (usable in a `static`).
    ///
    /// ```
    /// static QUEUE: weft_core::time::TimerQueue = weft_core::time::TimerQueue::new();
    /// assert!(QUEUE.is_empty());
    /// ```
    #[cfg(not(loom))]
    pub const fn new() -> TimerQueue {
        TimerQueue {
            lock: Lock::new(Inner::new()),
        }
    }

    /// An empty queue at tick 0.
    #[cfg(loom)]
    pub fn new() -> TimerQueue {
        TimerQueue {
            lock: Lock::new(Inner::new()),
        }
    }

    /// The earliest tick at which [`advance`](Self::advance) has work, or `None` if no timer is
    /// pending (see [`TimerWheel::next_deadline`]: for far timers it may be an earlier tick at
    /// which the wheel cascades). Park (or arm the alarm) until then.
    ///
    /// ```
    /// let queue = weft_core::time::TimerQueue::new();
    /// assert_eq!(queue.next_deadline(), None);
    /// ```
    pub fn next_deadline(&self) -> Option<u64> {
        self.lock.with(|q| q.next_deadline())
    }

    /// Fires every timer whose deadline is `<= now`: marks it elapsed and wakes its task (outside
    /// the lock, in batches). Returns how many wakers were woken. Call it from the thread or
    /// interrupt that notices time passing (a parked worker after its park returns, an alarm
    /// ISR). `now` earlier than a previous call's is ignored.
    ///
    /// ```
    /// use core::task::Waker;
    /// let queue = weft_core::time::TimerQueue::new();
    /// queue.schedule_wake(10, Waker::noop());
    /// queue.schedule_wake(20, Waker::noop()); // same waker: keeps the earlier deadline
    /// assert_eq!(queue.advance(100), 1);
    /// ```
    pub fn advance(&self, now: u64) -> usize {
        let mut total = 0;
        loop {
            let mut batch = WakeList::new();
            let progress = self.lock.with(|q| {
                for slot in q.loose.iter_mut() {
                    if batch.is_full() {
                        return Advance::Interrupted;
                    }
                    if matches!(slot, Some((at, _)) if *at <= now) {
                        if let Some((_, w)) = slot.take() {
                            batch.push(w);
                        }
                    }
                }
                if batch.is_full() {
                    return Advance::Interrupted;
                }
                q.wheel.advance(now, |w| {
                    batch.push(w);
                    if batch.is_full() {
                        ControlFlow::Break(())
                    } else {
                        ControlFlow::Continue(())
                    }
                })
            });
            total += batch.wake_all();
            if progress == Advance::Done {
                return total;
            }
        }
    }

    /// Sets the waker woken when a timer is registered with a deadline earlier than every other
    /// pending one (and so earlier than the deadline a parked driver thread is waiting for).
    /// `None` removes it.
    ///
    /// The waker must have *token* semantics: a wake that arrives after the driver computed its
    /// timeout but before it actually parks must make that park return at once (a
    /// `std::thread::Thread::unpark`, a flag checked under the condvar's mutex, an event that
    /// `WFE` sees).
    ///
    /// The queue keeps the waker until it is replaced: if the waker owns (an `Arc` of) whatever
    /// owns this queue, set `None` at shutdown to break the cycle.
    ///
    /// ```
    /// use core::task::Waker;
    /// let queue = weft_core::time::TimerQueue::new();
    /// queue.set_unpark(Some(Waker::noop().clone()));
    /// queue.set_unpark(None);
    /// ```
    pub fn set_unpark(&self, waker: Option<Waker>) {
        let old = self.lock.with(|q| core::mem::replace(&mut q.unpark, waker));
        drop(old);
    }

    /// Number of pending timers.
    ///
    /// ```
    /// let queue = weft_core::time::TimerQueue::new();
    /// queue.schedule_wake(3, core::task::Waker::noop());
    /// assert_eq!(queue.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.lock
            .with(|q| q.wheel.len() + q.loose.iter().flatten().count())
    }

    /// Whether no timer is pending.
    ///
    /// ```
    /// assert!(weft_core::time::TimerQueue::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The embassy-style registration for callers without an intrusive entry: wake `waker` at
    /// tick `at`. A waker that [`will_wake`](Waker::will_wake) the same task as an already
    /// scheduled one keeps the earlier of the two deadlines. Holds up to 8 such timers; beyond
    /// that the one with the latest deadline is woken early (its future re-checks the time and
    /// registers again).
    ///
    /// ```
    /// use core::task::Waker;
    /// let queue = weft_core::time::TimerQueue::new();
    /// queue.schedule_wake(7, Waker::noop());
    /// assert_eq!(queue.next_deadline(), Some(7));
    /// ```
    pub fn schedule_wake(&self, at: u64, waker: &Waker) {
        let (evicted, unpark) = self.lock.with(|q| {
            let earliest = if q.unpark.is_some() {
                q.next_deadline()
            } else {
                Some(0)
            };
            let unpark = q.unpark_for(at, earliest);
            if let Some((t, _)) = q
                .loose
                .iter_mut()
                .flatten()
                .find(|(_, w)| w.will_wake(waker))
            {
                if at < *t {
                    *t = at;
                    return (None, unpark);
                }
                return (None, None);
            }
            if let Some(free) = q.loose.iter_mut().find(|s| s.is_none()) {
                *free = Some((at, waker.clone()));
                return (None, unpark);
            }
            // Full: wake whichever of the stored timers and the new one is due last.
            let latest = q
                .loose
                .iter_mut()
                .max_by_key(|s| s.as_ref().map_or(0, |(t, _)| *t))
                .expect("LOOSE_TIMERS > 0");
            match latest {
                Some((t, _)) if *t > at => {
                    (latest.replace((at, waker.clone())).map(|(_, w)| w), unpark)
                }
                _ => (Some(waker.clone()), None),
            }
        });
        if let Some(w) = evicted {
            w.wake();
        }
        if let Some(u) = unpark {
            u.wake();
        }
    }

    /// Registers `entry` (or refreshes its waker): `Ready` if it has fired or its deadline has
    /// already passed for the wheel, `Pending` once linked.
    ///
    /// # Safety
    ///
    /// `entry` is pinned, only ever linked into this queue, and is [`cancel`](Self::cancel)led
    /// before it is moved or dropped; this queue outlives its registration.
    pub(crate) unsafe fn register(&self, entry: NonNull<TimerEntry>, waker: &Waker) -> Poll<()> {
        // SAFETY: the entry is alive per this function's contract.
        let e = unsafe { entry.as_ref() };
        let mut shut_down = false;
        let (poll, garbage, unpark) = self.lock.with(|q| {
            if e.has_fired() {
                (Poll::Ready(()), None, None)
            } else if q.shut_down {
                // Reported below, outside the lock.
                shut_down = true;
                (Poll::Pending, None, None)
            } else if e.is_linked() {
                // SAFETY: linked, hence linked into this queue's wheel.
                (
                    Poll::Pending,
                    unsafe { q.wheel.replace_waker(entry, waker) },
                    None,
                )
            } else {
                let earliest = if q.unpark.is_some() {
                    q.next_deadline()
                } else {
                    Some(0)
                };
                // SAFETY: the entry is unlinked, pinned and stays alive while linked (contract).
                match unsafe { q.wheel.insert(entry, waker.clone()) } {
                    Err(w) => (Poll::Ready(()), Some(w), None),
                    Ok(()) => (Poll::Pending, None, q.unpark_for(e.deadline(), earliest)),
                }
            }
        });
        drop(garbage);
        if let Some(u) = unpark {
            u.wake();
        }
        if shut_down {
            panic!(
                "a timer was polled after its runtime shut down, so it can never fire: create \
                 sleeps and timeouts inside a running runtime (a `Sleep` keeps the runtime's \
                 timer it was created with)"
            );
        }
        poll
    }

    /// Fires every pending timer and refuses new ones: polling a timer of this queue
    /// afterwards panics instead of returning `Ready` early or waiting forever. A runtime calls
    /// this when it shuts down.
    ///
    /// ```
    /// use core::task::Waker;
    /// use weft_core::time::TimerQueue;
    /// let q = TimerQueue::new();
    /// q.schedule_wake(5, Waker::noop());
    /// assert_eq!(q.shutdown(), 1);
    /// ```
    pub fn shutdown(&self) -> usize {
        self.lock.with(|q| q.shut_down = true);
        self.advance(u64::MAX)
    }

    /// Unlinks `entry` if linked; returns its waker if it was linked.
    ///
    /// # Safety
    ///
    /// `entry` is alive and not linked into any other queue.
    pub(crate) unsafe fn cancel(&self, entry: NonNull<TimerEntry>) -> Option<Waker> {
        // SAFETY: per this function's contract.
        self.lock.with(|q| unsafe { q.wheel.cancel(entry) })
    }
}

impl fmt::Debug for TimerQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerQueue").finish_non_exhaustive()
    }
}
