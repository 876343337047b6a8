//! `Interest` (what a task wants to wait for) and `Ready` (what the OS reported).

use core::fmt;
use core::ops;

/// The readiness events a source is registered for, or a task waits for.
///
/// An `Interest` is never empty: the constructors only make `READABLE`, `WRITABLE` or their
/// union.
///
/// ```
/// use weft_core::io::Interest;
///
/// let both = Interest::READABLE | Interest::WRITABLE;
/// assert!(both.is_readable() && both.is_writable());
/// assert!(!Interest::READABLE.is_writable());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Interest(u8);

const INTEREST_READABLE: u8 = 0b01;
const INTEREST_WRITABLE: u8 = 0b10;

impl Interest {
    /// Interest in readability (data to read, a connection to accept, the peer closed).
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// assert!(Interest::READABLE.is_readable());
    /// ```
    pub const READABLE: Interest = Interest(INTEREST_READABLE);

    /// Interest in writability (room in the send buffer, a connect finished).
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// assert!(Interest::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Interest = Interest(INTEREST_WRITABLE);

    /// Whether this interest includes readability.
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// assert!((Interest::READABLE | Interest::WRITABLE).is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & INTEREST_READABLE != 0
    }

    /// Whether this interest includes writability.
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// assert!(!Interest::READABLE.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & INTEREST_WRITABLE != 0
    }

    /// The union of two interests (the `const` form of `|`).
    ///
    /// ```
    /// use weft_core::io::Interest;
    /// const BOTH: Interest = Interest::READABLE.add(Interest::WRITABLE);
    /// assert!(BOTH.is_writable());
    /// ```
    #[must_use]
    pub const fn add(self, other: Interest) -> Interest {
        Interest(self.0 | other.0)
    }

    /// The readiness bits that satisfy this interest.
    ///
    /// Readability is satisfied by data, by the read half being closed and by an error;
    /// writability by room, by the write half being closed and by an error: in each case the
    /// next I/O attempt returns something other than `WouldBlock`.
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready};
    /// assert!(Interest::READABLE.mask().contains(Ready::READ_CLOSED));
    /// assert!(!Interest::READABLE.mask().contains(Ready::WRITABLE));
    /// ```
    pub const fn mask(self) -> Ready {
        let mut bits = 0;
        if self.is_readable() {
            bits |= Ready::READABLE.0 | Ready::READ_CLOSED.0 | Ready::ERROR.0;
        }
        if self.is_writable() {
            bits |= Ready::WRITABLE.0 | Ready::WRITE_CLOSED.0 | Ready::ERROR.0;
        }
        Ready(bits)
    }
}

impl ops::BitOr for Interest {
    type Output = Interest;
    fn bitor(self, other: Interest) -> Interest {
        self.add(other)
    }
}

impl ops::BitOrAssign for Interest {
    fn bitor_assign(&mut self, other: Interest) {
        *self = self.add(other);
    }
}

impl fmt::Debug for Interest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.is_readable(), self.is_writable()) {
            (true, true) => f.write_str("READABLE | WRITABLE"),
            (true, false) => f.write_str("READABLE"),
            (false, true) => f.write_str("WRITABLE"),
            (false, false) => f.write_str("(empty)"),
        }
    }
}

/// A set of readiness events reported by a reactor for one source.
///
/// `READ_CLOSED` and `WRITE_CLOSED` are sticky: once the reactor has seen the peer hang up,
/// clearing readiness after a `WouldBlock` keeps them, because the condition cannot go away.
///
/// ```
/// use weft_core::io::Ready;
///
/// let r = Ready::READABLE | Ready::READ_CLOSED;
/// assert!(r.is_readable() && r.is_read_closed());
/// assert!(!r.is_writable());
/// assert!(Ready::EMPTY.is_empty());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Ready(u8);

impl Ready {
    /// No readiness.
    ///
    /// ```
    /// assert!(weft_core::io::Ready::EMPTY.is_empty());
    /// ```
    pub const EMPTY: Ready = Ready(0);
    /// Data can be read (or a connection accepted) without blocking.
    ///
    /// ```
    /// assert!(weft_core::io::Ready::READABLE.is_readable());
    /// ```
    pub const READABLE: Ready = Ready(0b0000_0001);
    /// Data can be written without blocking.
    ///
    /// ```
    /// assert!(weft_core::io::Ready::WRITABLE.is_writable());
    /// ```
    pub const WRITABLE: Ready = Ready(0b0000_0010);
    /// The read half is closed (the peer shut down its write side or hung up).
    ///
    /// ```
    /// assert!(weft_core::io::Ready::READ_CLOSED.is_read_closed());
    /// ```
    pub const READ_CLOSED: Ready = Ready(0b0000_0100);
    /// The write half is closed (the peer hung up; writing would fail).
    ///
    /// ```
    /// assert!(weft_core::io::Ready::WRITE_CLOSED.is_write_closed());
    /// ```
    pub const WRITE_CLOSED: Ready = Ready(0b0000_1000);
    /// The source has a pending error (read it with `take_error`).
    ///
    /// ```
    /// assert!(weft_core::io::Ready::ERROR.is_error());
    /// ```
    pub const ERROR: Ready = Ready(0b0001_0000);
    /// Every readiness bit.
    ///
    /// ```
    /// use weft_core::io::Ready;
    /// assert!(Ready::ALL.contains(Ready::READABLE | Ready::ERROR));
    /// ```
    pub const ALL: Ready = Ready(0b0001_1111);

    /// Bits that survive `clear`: once seen, a closed half stays closed.
    const STICKY: Ready = Ready(Self::READ_CLOSED.0 | Self::WRITE_CLOSED.0);

    /// Whether no bit is set.
    ///
    /// ```
    /// assert!(!weft_core::io::Ready::READABLE.is_empty());
    /// ```
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether `READABLE` or `READ_CLOSED` is set.
    ///
    /// ```
    /// assert!(weft_core::io::Ready::READ_CLOSED.is_readable());
    /// ```
    pub const fn is_readable(self) -> bool {
        self.0 & (Self::READABLE.0 | Self::READ_CLOSED.0) != 0
    }

    /// Whether `WRITABLE` or `WRITE_CLOSED` is set.
    ///
    /// ```
    /// assert!(weft_core::io::Ready::WRITE_CLOSED.is_writable());
    /// ```
    pub const fn is_writable(self) -> bool {
        self.0 & (Self::WRITABLE.0 | Self::WRITE_CLOSED.0) != 0
    }

    /// Whether `READ_CLOSED` is set.
    ///
    /// ```
    /// assert!(!weft_core::io::Ready::READABLE.is_read_closed());
    /// ```
    pub const fn is_read_closed(self) -> bool {
        self.0 & Self::READ_CLOSED.0 != 0
    }

    /// Whether `WRITE_CLOSED` is set.
    ///
    /// ```
    /// assert!(!weft_core::io::Ready::WRITABLE.is_write_closed());
    /// ```
    pub const fn is_write_closed(self) -> bool {
        self.0 & Self::WRITE_CLOSED.0 != 0
    }

    /// Whether `ERROR` is set.
    ///
    /// ```
    /// assert!(!weft_core::io::Ready::READABLE.is_error());
    /// ```
    pub const fn is_error(self) -> bool {
        self.0 & Self::ERROR.0 != 0
    }

    /// Whether every bit of `other` is set in `self`.
    ///
    /// ```
    /// use weft_core::io::Ready;
    /// assert!(Ready::ALL.contains(Ready::WRITABLE));
    /// ```
    pub const fn contains(self, other: Ready) -> bool {
        self.0 & other.0 == other.0
    }

    /// The bits set in both.
    ///
    /// ```
    /// use weft_core::io::{Interest, Ready};
    /// let r = (Ready::READABLE | Ready::WRITABLE).intersection(Interest::READABLE.mask());
    /// assert_eq!(r, Ready::READABLE);
    /// ```
    #[must_use]
    pub const fn intersection(self, other: Ready) -> Ready {
        Ready(self.0 & other.0)
    }

    /// The bits of `self` that are not in `other`, keeping the sticky closed bits.
    ///
    /// ```
    /// use weft_core::io::Ready;
    /// let r = (Ready::READABLE | Ready::READ_CLOSED).clear(Ready::ALL);
    /// assert_eq!(r, Ready::READ_CLOSED);
    /// ```
    #[must_use]
    pub const fn clear(self, other: Ready) -> Ready {
        Ready(self.0 & !(other.0 & !Self::STICKY.0))
    }

    /// The raw bits (for packing into an atomic word).
    ///
    /// ```
    /// use weft_core::io::Ready;
    /// assert_eq!(Ready::from_bits(Ready::WRITABLE.bits()), Ready::WRITABLE);
    /// ```
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// Rebuilds a set from [`Ready::bits`]; unknown bits are dropped.
    ///
    /// ```
    /// use weft_core::io::Ready;
    /// assert_eq!(Ready::from_bits(0xff), Ready::ALL);
    /// ```
    pub const fn from_bits(bits: u8) -> Ready {
        Ready(bits & Self::ALL.0)
    }
}

impl ops::BitOr for Ready {
    type Output = Ready;
    fn bitor(self, other: Ready) -> Ready {
        Ready(self.0 | other.0)
    }
}

impl ops::BitOrAssign for Ready {
    fn bitor_assign(&mut self, other: Ready) {
        self.0 |= other.0;
    }
}

impl fmt::Debug for Ready {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names = [
            (Ready::READABLE, "READABLE"),
            (Ready::WRITABLE, "WRITABLE"),
            (Ready::READ_CLOSED, "READ_CLOSED"),
            (Ready::WRITE_CLOSED, "WRITE_CLOSED"),
            (Ready::ERROR, "ERROR"),
        ];
        let mut first = true;
        for (bit, name) in names {
            if self.contains(bit) {
                if !first {
                    f.write_str(" | ")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        if first {
            f.write_str("EMPTY")?;
        }
        Ok(())
    }
}

/// One of the two directions a task can wait in through the single-waker fast path
/// ([`ScheduledIo::poll_ready`](super::ScheduledIo::poll_ready)).
///
/// ```
/// use weft_core::io::{Direction, Interest};
/// assert_eq!(Direction::Read.interest(), Interest::READABLE);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// Waiting to read.
    Read,
    /// Waiting to write.
    Write,
}

impl Direction {
    /// The interest this direction waits for.
    ///
    /// ```
    /// use weft_core::io::{Direction, Interest};
    /// assert_eq!(Direction::Write.interest(), Interest::WRITABLE);
    /// ```
    pub const fn interest(self) -> Interest {
        match self {
            Direction::Read => Interest::READABLE,
            Direction::Write => Interest::WRITABLE,
        }
    }
}
