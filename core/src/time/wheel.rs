//! The hierarchical timer wheel: no allocation, intrusive entries, O(1) insert/cancel.
//!
//! # Shape
//!
//! Time is a `u64` tick count. The wheel remembers `elapsed`, the tick it has been advanced to:
//! every entry with a deadline `<= elapsed` has fired. Pending entries are kept in
//! [`LEVELS`] = 6 *levels* of 64 *slots*. A slot of level `L` covers `64^L` ticks, so a level
//! covers `64^(L+1)` ticks and the whole wheel `64^6 = 2^36` ticks (19 hours at 1 MHz).
//!
//! An entry's level is chosen by the highest bit in which its deadline differs from `elapsed`:
//! `level = msb((elapsed ^ deadline) | 63) / 6`. Its slot is the deadline's 6-bit digit for
//! that level, `(deadline >> 6L) & 63`. In other words the deadline and `elapsed` agree on every
//! digit above the level, and the entry waits in the slot of the first digit in which they
//! differ. Because the deadline is later than `elapsed`, that digit is *larger* than `elapsed`'s
//! digit, so occupied slots of a level are always ahead of the level's current position and
//! the wheel never has to deal with wrap-around inside a level.
//!
//! Each slot is the head of an intrusive doubly linked list threaded through the entries, and
//! each level has a 64-bit *occupancy bitmap* with bit `s` set iff slot `s` is non-empty.
//!
//! * **insert** computes level and slot with a XOR, a leading-zeros count and a shift, pushes
//!   the entry on the slot's list and sets the bit: O(1).
//! * **cancel** unlinks the entry through its own `prev`/`next` links (it records its level and
//!   slot) and clears the bit if the slot became empty: O(1).
//! * **next deadline**: the earliest occupied slot of the lowest non-empty level is the earliest
//!   expiration (a lower level only holds deadlines inside the current slot span of every higher
//!   level), found with one `trailing_zeros` per level: O(levels). For level 0 it is the exact
//!   deadline; for a higher level it is the *start* of the slot, the time the slot must be
//!   *cascaded*.
//! * **advance(now)** repeatedly takes the next expiration `at <= now`, sets `elapsed = at`, and
//!   either fires every entry of the level-0 slot (all of them have deadline `at`) or cascades a
//!   higher slot: each of its entries is re-inserted relative to the new `elapsed`, which puts it
//!   on a strictly lower level. An entry therefore moves at most `LEVELS - 1` times in its life,
//!   so the amortised cost per timer is O(1) however far `now` jumps: empty slots are skipped by
//!   the bitmaps, never visited one by one.
//!
//! # Why this shape
//!
//! A sorted list costs O(n) per insert and a heap O(log n) and needs storage that grows; a
//! hashed single-level wheel either has to visit every slot or keeps far timers in long lists.
//! The hierarchical wheel (Varghese & Lauck, and the layout popularised by the Linux kernel and
//! tokio) gives constant-time insert and cancel, which matters because most timers are timeouts
//! that are cancelled before they fire, and it needs no memory besides the entries themselves:
//! the entries live inside the `Sleep` futures, so a bare-metal program with no allocator can
//! have as many timers as it has futures. 64 slots make the bitmap one machine word and the slot
//! digit six bits; six levels keep the wheel at 384 list heads (1.5 KiB on a 32-bit MCU).
//!
//! # Beyond the wheel's range
//!
//! Deadlines that differ from `elapsed` above bit 36 go to an unsorted *overflow* list. All of
//! them lie past the end of the current 2^36-tick *epoch*. The wheel keeps a lower bound of
//! their deadlines (exact after each insert; possibly stale, i.e. too early, after a cancel,
//! which costs at most one spurious wakeup). When nothing else is pending it reports the start
//! of that deadline's epoch as its next expiration; at that tick the overflow list is
//! re-inserted relative to the new `elapsed` (entries still too far return to it and the bound
//! is recomputed). Timers therefore fire at their exact tick even centuries ahead, and a
//! `sleep(Duration::MAX)` under a paused clock costs a handful of steps, not one per epoch.
//!
//! # Concurrency
//!
//! The wheel itself is a plain data structure driven through `&mut self`; whoever owns it
//! provides the lock ([`TimerQueue`](super::TimerQueue) wraps it in one). An entry's `state`
//! is atomic so its owner can learn, without the lock, that the entry fired: `advance` unlinks
//! the entry, takes its waker and only then stores `FIRED` with `Release`, after which the wheel
//! never touches the entry again; an owner that reads `FIRED` with `Acquire` owns it again.

use core::fmt;
use core::marker::PhantomPinned;
use core::ops::ControlFlow;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::Waker;

use crate::loom::cell::UnsafeCell;
use crate::loom::sync::atomic::{AtomicU32, Ordering};

/// Number of levels of the wheel.
///
/// Six levels of 64 slots cover 2^36 ticks (19 hours at the default 1 MHz) before deadlines
/// go to the overflow list; the same number as tokio's wheel, which measured that almost all
/// timers (timeouts of requests) fit in the lower levels.
///
/// ```
/// assert_eq!(weft_core::time::wheel::LEVELS, 6);
/// ```
pub const LEVELS: usize = 6;
/// log2 of the slots per level: one 64-bit occupancy word per level.
const SLOT_BITS: u32 = 6;
const SLOTS: usize = 1 << SLOT_BITS;
const SLOT_MASK: u64 = SLOTS as u64 - 1;
/// Ticks covered by the whole wheel, as a power of two.
const WHEEL_BITS: u32 = SLOT_BITS * LEVELS as u32;

const UNLINKED: u32 = 0;
const LINKED: u32 = 1;
const FIRED: u32 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Location {
    Nowhere,
    Slot { level: u8, slot: u8 },
    Overflow,
}

struct Links {
    prev: Option<NonNull<TimerEntry>>,
    next: Option<NonNull<TimerEntry>>,
    location: Location,
    waker: Option<Waker>,
}

/// A timer: a deadline, a waker and the intrusive links of a [`TimerWheel`].
///
/// Entries are embedded in the futures that wait on them (`Sleep` has one) and linked into a
/// wheel by pointer, so they must not move while linked; hence `!Unpin`.
///
/// ```
/// use core::pin::pin;
/// use weft_core::time::wheel::TimerEntry;
///
/// let mut entry = pin!(TimerEntry::new(10));
/// assert_eq!(entry.deadline(), 10);
/// entry.as_mut().set_deadline(20);
/// assert_eq!(entry.deadline(), 20);
/// assert!(!entry.is_linked() && !entry.has_fired());
/// ```
pub struct TimerEntry {
    /// UNLINKED / LINKED / FIRED. Written only by the wheel's owner (or by the entry's owner
    /// while unlinked); read without a lock by the owner.
    state: AtomicU32,
    /// Written only while the entry is not linked (no wheel holds a pointer to it).
    deadline: UnsafeCell<u64>,
    /// Accessed only by the wheel the entry is linked into (under that wheel's lock), or by the
    /// entry's owner while it is not linked.
    links: UnsafeCell<Links>,
    _pin: PhantomPinned,
}

// SAFETY: the raw pointers in `links` are only dereferenced by the wheel the entry is linked
// into, which its owner serialises (a lock); the waker is `Send + Sync`. The deadline is written
// only while no wheel refers to the entry. Moving or sharing the entry between threads therefore
// creates no unsynchronised access.
unsafe impl Send for TimerEntry {}
// SAFETY: see `Send`; the shared-reference methods only read the atomic state and the deadline,
// which is not written while the entry can be shared with a wheel.
unsafe impl Sync for TimerEntry {}

impl TimerEntry {
    /// A new, unlinked entry with the given deadline in ticks.
    ///
    /// ```
    /// let e = weft_core::time::wheel::TimerEntry::new(5);
    /// assert_eq!(e.deadline(), 5);
    /// ```
    pub fn new(deadline: u64) -> TimerEntry {
        TimerEntry {
            state: AtomicU32::new(UNLINKED),
            deadline: UnsafeCell::new(deadline),
            links: UnsafeCell::new(Links {
                prev: None,
                next: None,
                location: Location::Nowhere,
                waker: None,
            }),
            _pin: PhantomPinned,
        }
    }

    /// The deadline, in ticks.
    ///
    /// ```
    /// assert_eq!(weft_core::time::wheel::TimerEntry::new(9).deadline(), 9);
    /// ```
    pub fn deadline(&self) -> u64 {
        // SAFETY: the deadline is only written through `set_deadline`, which needs `&mut` access
        // and an unlinked entry, so no write can race with this read.
        self.deadline.with(|p| unsafe { *p })
    }

    /// Whether the entry is currently linked into a wheel.
    ///
    /// ```
    /// assert!(!weft_core::time::wheel::TimerEntry::new(1).is_linked());
    /// ```
    pub fn is_linked(&self) -> bool {
        self.state.load(Ordering::Acquire) == LINKED
    }

    /// Whether the entry was fired by [`TimerWheel::advance`] (and not re-armed since).
    ///
    /// Reading `true` (an `Acquire` load) also means the wheel no longer refers to the entry.
    ///
    /// ```
    /// assert!(!weft_core::time::wheel::TimerEntry::new(1).has_fired());
    /// ```
    pub fn has_fired(&self) -> bool {
        self.state.load(Ordering::Acquire) == FIRED
    }

    /// Changes the deadline and clears the fired flag.
    ///
    /// # Panics
    ///
    /// If the entry is linked into a wheel: cancel it first.
    ///
    /// ```
    /// use core::pin::pin;
    /// let mut e = pin!(weft_core::time::wheel::TimerEntry::new(1));
    /// e.as_mut().set_deadline(2);
    /// assert_eq!(e.deadline(), 2);
    /// ```
    pub fn set_deadline(self: Pin<&mut Self>, deadline: u64) {
        assert!(
            self.state.load(Ordering::Acquire) != LINKED,
            "TimerEntry::set_deadline on a linked entry; cancel it first"
        );
        // SAFETY: the entry is not linked, so no wheel holds a pointer to it, and we have the
        // only (pinned mutable) reference.
        self.deadline.with_mut(|p| unsafe { *p = deadline });
        self.state.store(UNLINKED, Ordering::Relaxed);
    }

    /// For a timer that is never linked into a wheel (a driver without a timer queue): keeps
    /// `waker` in the entry's waker slot, unless the one there would wake the same task, and
    /// returns a clone of what is kept. The slot is otherwise the wheel's; unlinked, it is ours.
    ///
    /// # Panics
    ///
    /// If the entry is linked into a wheel.
    pub(crate) fn keep_waker(self: Pin<&mut Self>, waker: &core::task::Waker) {
        assert!(
            self.state.load(Ordering::Acquire) != LINKED,
            "TimerEntry::keep_waker on a linked entry"
        );
        self.links.with_mut(|p| {
            // SAFETY: not linked, so no wheel refers to the entry, and we have the only
            // (pinned mutable) reference.
            let l = unsafe { &mut *p };
            match &l.waker {
                Some(w) if w.will_wake(waker) => {}
                _ => l.waker = Some(waker.clone()),
            }
        });
    }

    /// The waker kept by [`keep_waker`](Self::keep_waker), if any (a clone).
    ///
    /// # Panics
    ///
    /// If the entry is linked into a wheel.
    pub(crate) fn kept_waker(self: Pin<&mut Self>) -> Option<core::task::Waker> {
        assert!(
            self.state.load(Ordering::Acquire) != LINKED,
            "TimerEntry::kept_waker on a linked entry"
        );
        self.links.with_mut(|p| {
            // SAFETY: as in `keep_waker`.
            unsafe { (*p).waker.clone() }
        })
    }

    /// Runs `f` on the links of `entry`.
    ///
    /// # Safety
    ///
    /// The caller has exclusive access to the links: it owns the wheel the entry is linked into
    /// (and holds that wheel's lock), or the entry is unlinked and not shared.
    unsafe fn links<R>(entry: NonNull<TimerEntry>, f: impl FnOnce(&mut Links) -> R) -> R {
        // SAFETY: the entry is alive (caller contract of the wheel: linked entries are alive)
        // and access to `links` is exclusive per this function's contract.
        unsafe { entry.as_ref().links.with_mut(|p| f(&mut *p)) }
    }
}

impl fmt::Debug for TimerEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state.load(Ordering::Acquire) {
            UNLINKED => "unlinked",
            LINKED => "linked",
            _ => "fired",
        };
        f.debug_struct("TimerEntry")
            .field("deadline", &self.deadline())
            .field("state", &state)
            .finish()
    }
}

/// Head of one slot's intrusive list.
#[derive(Clone, Copy)]
struct List {
    head: Option<NonNull<TimerEntry>>,
}

impl List {
    const EMPTY: List = List { head: None };

    fn is_empty(&self) -> bool {
        self.head.is_none()
    }

    /// # Safety
    /// `entry` is alive, not in any list, and the caller has exclusive access to the links of
    /// every entry in this list.
    unsafe fn push_front(&mut self, entry: NonNull<TimerEntry>) {
        let old = self.head;
        // SAFETY: exclusive access per this function's contract.
        unsafe {
            TimerEntry::links(entry, |l| {
                l.prev = None;
                l.next = old;
            });
            if let Some(old) = old {
                TimerEntry::links(old, |l| l.prev = Some(entry));
            }
        }
        self.head = Some(entry);
    }

    /// # Safety
    /// `entry` is in this list and the caller has exclusive access to its entries' links.
    unsafe fn remove(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: exclusive access per this function's contract; neighbours are in this list.
        unsafe {
            let (prev, next) = TimerEntry::links(entry, |l| (l.prev.take(), l.next.take()));
            match prev {
                Some(p) => TimerEntry::links(p, |l| l.next = next),
                None => self.head = next,
            }
            if let Some(n) = next {
                TimerEntry::links(n, |l| l.prev = prev);
            }
        }
    }

    /// # Safety
    /// The caller has exclusive access to the links of every entry in this list.
    unsafe fn pop_front(&mut self) -> Option<NonNull<TimerEntry>> {
        let head = self.head?;
        // SAFETY: `head` is in this list.
        unsafe { self.remove(head) };
        Some(head)
    }
}

#[derive(Clone, Copy)]
struct Level {
    /// Bit `s` is set iff `slots[s]` is non-empty.
    occupied: u64,
    slots: [List; SLOTS],
}

impl Level {
    const EMPTY: Level = Level {
        occupied: 0,
        slots: [List::EMPTY; SLOTS],
    };
}

/// The next piece of work of the wheel.
#[derive(Debug, Clone, Copy)]
struct Expiration {
    /// `LEVELS` stands for the overflow list.
    level: usize,
    slot: usize,
    at: u64,
}

/// What [`TimerWheel::advance`] did.
///
/// ```
/// use weft_core::time::wheel::{Advance, TimerWheel};
/// let mut wheel = TimerWheel::new();
/// assert_eq!(wheel.advance(10, |_waker| core::ops::ControlFlow::Continue(())), Advance::Done);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// Every entry due at `now` fired; `elapsed() == now` (or was already later).
    Done,
    /// The callback asked to stop; call `advance` again with the same `now` to continue.
    Interrupted,
}

/// A hierarchical timer wheel of intrusive [`TimerEntry`]s (see the [module docs](self) for
/// the algorithm).
///
/// This is the raw structure: it does no locking and its linking functions are `unsafe`
/// because the wheel keeps pointers to entries it does not own. Futures use it through
/// [`TimerQueue`](super::TimerQueue), which adds the lock, and drivers through
/// [`WheelDriver`](super::driver::WheelDriver).
///
/// ```
/// use core::{ops::ControlFlow, pin::pin, ptr::NonNull, task::Waker};
/// use weft_core::time::wheel::{TimerEntry, TimerWheel};
///
/// let mut wheel = TimerWheel::new();
/// let a = pin!(TimerEntry::new(100));
/// let b = pin!(TimerEntry::new(5_000_000));
/// // SAFETY: the entries are pinned and outlive their time in the wheel (b is cancelled below).
/// unsafe {
///     wheel.insert(NonNull::from(&*a), Waker::noop().clone()).unwrap();
///     wheel.insert(NonNull::from(&*b), Waker::noop().clone()).unwrap();
/// }
/// // 100 is in level 1 (64..4096 ticks away): the wheel reports the start of its slot, 64,
/// // where it cascades the timer into level 0; from then on the exact deadline.
/// assert_eq!(wheel.next_deadline(), Some(64));
/// wheel.advance(64, |_waker| ControlFlow::Continue(()));
/// assert_eq!(wheel.next_deadline(), Some(100));
/// let mut fired = 0;
/// wheel.advance(1_000, |_waker| { fired += 1; ControlFlow::Continue(()) });
/// assert_eq!(fired, 1);
/// assert!(a.has_fired());
/// // SAFETY: b is linked into this wheel.
/// assert!(unsafe { wheel.cancel(NonNull::from(&*b)) }.is_some());
/// assert!(wheel.is_empty());
/// ```
pub struct TimerWheel {
    /// Every deadline `<= elapsed` has fired (or is being fired by an interrupted advance).
    elapsed: u64,
    /// Number of linked entries.
    len: usize,
    levels: [Level; LEVELS],
    /// Entries beyond the current epoch of 2^WHEEL_BITS ticks.
    overflow: List,
    /// A lower bound of the overflow entries' deadlines (`u64::MAX` when none).
    overflow_min: u64,
}

// SAFETY: the wheel's pointers refer to entries whose links are only accessed through the wheel
// (serialised by its owner); nothing in the wheel is tied to a thread.
unsafe impl Send for TimerWheel {}

impl Default for TimerWheel {
    fn default() -> Self {
        TimerWheel::new()
    }
}

impl TimerWheel {
    /// An empty wheel at tick 0.
    ///
    /// ```
    /// let wheel = weft_core::time::wheel::TimerWheel::new();
    /// assert_eq!(wheel.elapsed(), 0);
    /// assert_eq!(wheel.next_deadline(), None);
    /// ```
    pub const fn new() -> TimerWheel {
        TimerWheel::starting_at(0)
    }

    /// An empty wheel whose `elapsed` is `now` (deadlines `<= now` are already due).
    ///
    /// ```
    /// let wheel = weft_core::time::wheel::TimerWheel::starting_at(1_000);
    /// assert_eq!(wheel.elapsed(), 1_000);
    /// ```
    pub const fn starting_at(now: u64) -> TimerWheel {
        TimerWheel {
            elapsed: now,
            len: 0,
            levels: [Level::EMPTY; LEVELS],
            overflow: List::EMPTY,
            overflow_min: u64::MAX,
        }
    }

    /// The tick the wheel has been advanced to: every deadline `<=` it has fired.
    ///
    /// ```
    /// let mut wheel = weft_core::time::wheel::TimerWheel::new();
    /// wheel.advance(42, |_| core::ops::ControlFlow::Continue(()));
    /// assert_eq!(wheel.elapsed(), 42);
    /// ```
    pub fn elapsed(&self) -> u64 {
        self.elapsed
    }

    /// Number of linked entries.
    ///
    /// ```
    /// assert_eq!(weft_core::time::wheel::TimerWheel::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether no entry is linked.
    ///
    /// ```
    /// assert!(weft_core::time::wheel::TimerWheel::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The earliest tick at which [`advance`](Self::advance) has work: the exact deadline of the
    /// next timer when it is in the lowest level, otherwise the earlier tick at which its slot
    /// must be cascaded (never later than any pending deadline). `None` when empty.
    ///
    /// A driver arms its one-shot alarm (or park timeout) for this tick and calls `advance`
    /// when it passes; timers then fire exactly at their deadline.
    ///
    /// ```
    /// use core::{pin::pin, ptr::NonNull, task::Waker};
    /// use weft_core::time::wheel::{TimerEntry, TimerWheel};
    /// let mut wheel = TimerWheel::new();
    /// let e = pin!(TimerEntry::new(30));
    /// // SAFETY: `e` is pinned and outlives the wheel.
    /// unsafe { wheel.insert(NonNull::from(&*e), Waker::noop().clone()).unwrap() };
    /// assert_eq!(wheel.next_deadline(), Some(30));
    /// ```
    pub fn next_deadline(&self) -> Option<u64> {
        self.next_expiration().map(|e| e.at)
    }

    /// Links `entry` into the wheel; it will be fired (its waker passed to `advance`'s callback)
    /// once `advance` reaches its deadline.
    ///
    /// Returns `Err(waker)` without linking when the deadline is not after
    /// [`elapsed`](Self::elapsed) (the timer is already due; the caller handles it as fired).
    ///
    /// # Safety
    ///
    /// * `entry` points to a live, pinned `TimerEntry` that is not linked into any wheel, and it
    ///   stays alive and in place until it has fired or been [`cancel`](Self::cancel)led from
    ///   this wheel;
    /// * while linked, its links are accessed only through this wheel.
    ///
    /// # Panics
    ///
    /// If the entry is already linked.
    ///
    /// ```
    /// use core::{pin::pin, ptr::NonNull, task::Waker};
    /// use weft_core::time::wheel::{TimerEntry, TimerWheel};
    /// let mut wheel = TimerWheel::starting_at(10);
    /// let late = pin!(TimerEntry::new(10));
    /// // SAFETY: `late` is pinned and outlives the wheel.
    /// assert!(unsafe { wheel.insert(NonNull::from(&*late), Waker::noop().clone()) }.is_err());
    /// ```
    pub unsafe fn insert(&mut self, entry: NonNull<TimerEntry>, waker: Waker) -> Result<(), Waker> {
        // SAFETY: the entry is alive per this function's contract.
        let e = unsafe { entry.as_ref() };
        assert!(
            e.state.load(Ordering::Relaxed) != LINKED,
            "TimerEntry inserted into a wheel while already linked"
        );
        let deadline = e.deadline();
        if deadline <= self.elapsed {
            return Err(waker);
        }
        // SAFETY: the entry is unlinked and handed to us; we have exclusive access.
        unsafe {
            TimerEntry::links(entry, |l| l.waker = Some(waker));
            self.place(entry, deadline);
        }
        e.state.store(LINKED, Ordering::Relaxed);
        self.len += 1;
        Ok(())
    }

    /// Unlinks `entry` if it is linked and returns its waker (drop it outside any lock: dropping
    /// a waker may run arbitrary code). Returns `None` if it was not linked (never inserted,
    /// already fired, or already cancelled).
    ///
    /// # Safety
    ///
    /// `entry` points to a live `TimerEntry` that is either not linked or linked into *this*
    /// wheel.
    ///
    /// ```
    /// use core::{pin::pin, ptr::NonNull, task::Waker};
    /// use weft_core::time::wheel::{TimerEntry, TimerWheel};
    /// let mut wheel = TimerWheel::new();
    /// let e = pin!(TimerEntry::new(30));
    /// // SAFETY: `e` is pinned, outlives the wheel and is only linked here.
    /// unsafe {
    ///     wheel.insert(NonNull::from(&*e), Waker::noop().clone()).unwrap();
    ///     assert!(wheel.cancel(NonNull::from(&*e)).is_some());
    ///     assert!(wheel.cancel(NonNull::from(&*e)).is_none());
    /// }
    /// assert_eq!(wheel.next_deadline(), None);
    /// ```
    pub unsafe fn cancel(&mut self, entry: NonNull<TimerEntry>) -> Option<Waker> {
        // SAFETY: the entry is alive per this function's contract.
        let e = unsafe { entry.as_ref() };
        if e.state.load(Ordering::Relaxed) != LINKED {
            return None;
        }
        // SAFETY: the entry is linked into this wheel, so we own its links.
        let waker = unsafe {
            self.unlink(entry);
            TimerEntry::links(entry, |l| l.waker.take())
        };
        e.state.store(UNLINKED, Ordering::Relaxed);
        self.len -= 1;
        waker
    }

    /// Replaces the waker of a linked entry unless the stored one would wake the same task;
    /// returns the replaced waker (to be dropped outside any lock).
    ///
    /// # Safety
    ///
    /// `entry` is linked into this wheel.
    ///
    /// ```
    /// use core::{pin::pin, ptr::NonNull, task::Waker};
    /// use weft_core::time::wheel::{TimerEntry, TimerWheel};
    /// let mut wheel = TimerWheel::new();
    /// let e = pin!(TimerEntry::new(30));
    /// // SAFETY: `e` is pinned, outlives the wheel and is linked into it.
    /// unsafe {
    ///     wheel.insert(NonNull::from(&*e), Waker::noop().clone()).unwrap();
    ///     assert!(wheel.replace_waker(NonNull::from(&*e), Waker::noop()).is_none());
    /// }
    /// ```
    pub unsafe fn replace_waker(
        &mut self,
        entry: NonNull<TimerEntry>,
        waker: &Waker,
    ) -> Option<Waker> {
        // SAFETY: the entry is linked into this wheel, so we own its links.
        unsafe {
            TimerEntry::links(entry, |l| match &l.waker {
                Some(old) if old.will_wake(waker) => None,
                _ => l.waker.replace(waker.clone()),
            })
        }
    }

    /// Advances the wheel to `now`, handing the waker of every entry whose deadline is `<= now`
    /// to `fire`, in deadline order (entries with equal deadlines in unspecified order).
    ///
    /// `fire` runs while the caller still borrows the wheel (usually under its lock): it should
    /// only collect the waker, and return [`ControlFlow::Break`] to stop early (for example when
    /// a fixed-size batch is full); the wakers are then woken after the lock is released, and
    /// `advance` is called again. A `now` earlier than [`elapsed`](Self::elapsed) does nothing.
    ///
    /// ```
    /// use core::{ops::ControlFlow, pin::pin, ptr::NonNull, task::Waker};
    /// use weft_core::time::wheel::{Advance, TimerEntry, TimerWheel};
    /// let mut wheel = TimerWheel::new();
    /// let a = pin!(TimerEntry::new(7));
    /// let b = pin!(TimerEntry::new(7));
    /// // SAFETY: pinned entries that outlive the wheel.
    /// unsafe {
    ///     wheel.insert(NonNull::from(&*a), Waker::noop().clone()).unwrap();
    ///     wheel.insert(NonNull::from(&*b), Waker::noop().clone()).unwrap();
    /// }
    /// // Stop after the first waker, then finish.
    /// assert_eq!(wheel.advance(7, |_| ControlFlow::Break(())), Advance::Interrupted);
    /// assert_eq!(wheel.advance(7, |_| ControlFlow::Continue(())), Advance::Done);
    /// assert!(a.has_fired() && b.has_fired());
    /// ```
    pub fn advance(&mut self, now: u64, mut fire: impl FnMut(Waker) -> ControlFlow<()>) -> Advance {
        while let Some(exp) = self.next_expiration() {
            if exp.at > now {
                break;
            }
            debug_assert!(exp.at >= self.elapsed);
            self.elapsed = exp.at;
            if exp.level == 0 {
                // SAFETY: every entry in a slot is linked into this wheel.
                while let Some(entry) = unsafe { self.levels[0].slots[exp.slot].pop_front() } {
                    if self.levels[0].slots[exp.slot].is_empty() {
                        self.levels[0].occupied &= !(1 << exp.slot);
                    }
                    self.len -= 1;
                    // SAFETY: we own the links of a linked entry. After the `Release` store
                    // the entry belongs to its owner again and we do not touch it.
                    let waker = unsafe {
                        let waker = TimerEntry::links(entry, |l| {
                            l.location = Location::Nowhere;
                            l.waker.take()
                        });
                        entry.as_ref().state.store(FIRED, Ordering::Release);
                        waker
                    };
                    if let Some(waker) = waker {
                        if fire(waker).is_break() {
                            return Advance::Interrupted;
                        }
                    }
                }
            } else {
                let mut list = if exp.level < LEVELS {
                    let level = &mut self.levels[exp.level];
                    level.occupied &= !(1 << exp.slot);
                    core::mem::replace(&mut level.slots[exp.slot], List::EMPTY)
                } else {
                    self.overflow_min = u64::MAX;
                    core::mem::replace(&mut self.overflow, List::EMPTY)
                };
                // Cascade: re-insert relative to the new `elapsed`; each entry lands on a
                // strictly lower level (or back in overflow if still beyond this epoch).
                // SAFETY: the detached list's entries are linked into this wheel.
                while let Some(entry) = unsafe { list.pop_front() } {
                    // SAFETY: as above; `place` relinks it.
                    unsafe {
                        let deadline = entry.as_ref().deadline();
                        self.place(entry, deadline);
                    }
                }
            }
        }
        if now > self.elapsed {
            self.elapsed = now;
        }
        Advance::Done
    }

    /// The earliest slot (or the overflow epoch) with pending work.
    fn next_expiration(&self) -> Option<Expiration> {
        for (level, lvl) in self.levels.iter().enumerate() {
            if lvl.occupied == 0 {
                continue;
            }
            let shift = level as u32 * SLOT_BITS;
            let current = (self.elapsed >> shift) & SLOT_MASK;
            debug_assert_eq!(
                lvl.occupied & (u64::MAX << current),
                lvl.occupied,
                "wheel invariant: occupied slots are ahead of elapsed"
            );
            let slot = lvl.occupied.trailing_zeros() as u64;
            let span_mask = (1u64 << (shift + SLOT_BITS)) - 1;
            let at = (self.elapsed & !span_mask) + (slot << shift);
            return Some(Expiration {
                level,
                slot: slot as usize,
                at,
            });
        }
        if !self.overflow.is_empty() {
            // The start of the epoch of the earliest (lower bound) overflow deadline: every
            // overflow entry is at or after it, and every wheel level is empty.
            let at = (self.overflow_min & !((1u64 << WHEEL_BITS) - 1)).max(self.elapsed);
            return Some(Expiration {
                level: LEVELS,
                slot: 0,
                at,
            });
        }
        None
    }

    /// Links `entry` (deadline `>= elapsed`) into its level and slot, or the overflow list.
    ///
    /// # Safety
    /// `entry` is alive, in no list, and ours to link.
    unsafe fn place(&mut self, entry: NonNull<TimerEntry>, deadline: u64) {
        debug_assert!(deadline >= self.elapsed);
        let significant = 63 - ((self.elapsed ^ deadline) | SLOT_MASK).leading_zeros();
        let level = (significant / SLOT_BITS) as usize;
        let location = if level < LEVELS {
            let slot = ((deadline >> (level as u32 * SLOT_BITS)) & SLOT_MASK) as usize;
            // SAFETY: per this function's contract.
            unsafe { self.levels[level].slots[slot].push_front(entry) };
            self.levels[level].occupied |= 1 << slot;
            Location::Slot {
                level: level as u8,
                slot: slot as u8,
            }
        } else {
            // SAFETY: per this function's contract.
            unsafe { self.overflow.push_front(entry) };
            self.overflow_min = self.overflow_min.min(deadline);
            Location::Overflow
        };
        // SAFETY: we own the links of an entry we are linking.
        unsafe { TimerEntry::links(entry, |l| l.location = location) };
    }

    /// Removes a linked entry from its list.
    ///
    /// # Safety
    /// `entry` is linked into this wheel.
    unsafe fn unlink(&mut self, entry: NonNull<TimerEntry>) {
        // SAFETY: we own the links of an entry linked into this wheel.
        let location = unsafe {
            TimerEntry::links(entry, |l| {
                core::mem::replace(&mut l.location, Location::Nowhere)
            })
        };
        match location {
            Location::Slot { level, slot } => {
                let (level, slot) = (level as usize, slot as usize);
                // SAFETY: the entry is in this slot's list.
                unsafe { self.levels[level].slots[slot].remove(entry) };
                if self.levels[level].slots[slot].is_empty() {
                    self.levels[level].occupied &= !(1 << slot);
                }
            }
            Location::Overflow => {
                // SAFETY: the entry is in the overflow list.
                unsafe { self.overflow.remove(entry) };
                if self.overflow.is_empty() {
                    self.overflow_min = u64::MAX;
                }
            }
            Location::Nowhere => debug_assert!(false, "linked entry without a location"),
        }
    }
}

impl fmt::Debug for TimerWheel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimerWheel")
            .field("elapsed", &self.elapsed)
            .field("len", &self.len)
            .field("next_deadline", &self.next_deadline())
            .finish()
    }
}
