//! A handle to channel state that is either borrowed (static / no-alloc storage) or
//! reference-counted (heap storage, feature `alloc`).
//!
//! Channel endpoints (`BorrowedSender<'a, T>`, `BorrowedReceiver<'a, T>`) hold one of these, so the same
//! endpoint type serves a channel that lives in a `static` (`'a = 'static`, no allocation), on
//! the stack (`'a` borrowed), or on the heap (`'a = 'static`, the state is in an `Arc`).

use core::ops::Deref;

#[cfg(feature = "alloc")]
use alloc::sync::Arc;

/// Borrowed or `Arc`-owned channel state.
pub(crate) enum Shared<'a, C: ?Sized> {
    /// State in storage that outlives `'a` (a `static` or a local `Channel`).
    Borrowed(&'a C),
    /// State in a heap allocation shared by the endpoints.
    #[cfg(feature = "alloc")]
    Arc(Arc<C>),
}

impl<C: ?Sized> Deref for Shared<'_, C> {
    type Target = C;
    #[inline]
    fn deref(&self) -> &C {
        match self {
            Shared::Borrowed(c) => c,
            #[cfg(feature = "alloc")]
            Shared::Arc(c) => c,
        }
    }
}

impl<C: ?Sized> Clone for Shared<'_, C> {
    fn clone(&self) -> Self {
        match self {
            Shared::Borrowed(c) => Shared::Borrowed(c),
            #[cfg(feature = "alloc")]
            Shared::Arc(c) => Shared::Arc(c.clone()),
        }
    }
}

impl<C: ?Sized> core::fmt::Debug for Shared<'_, C> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Shared::Borrowed(_) => f.write_str("Borrowed"),
            #[cfg(feature = "alloc")]
            Shared::Arc(_) => f.write_str("Arc"),
        }
    }
}
