//! One place that picks the atomics and cells the rest of the crate uses.
//!
//! Under `cfg(loom)` these are loom's model-checked types; otherwise `portable-atomic`'s, which
//! are the native atomics where the target has them and a critical-section emulation where it
//! does not (thumbv6m). Code elsewhere imports from here and reads the same on every target.

#[cfg(loom)]
pub(crate) use loom::{cell, sync};

#[cfg(not(loom))]
pub(crate) mod sync {
    pub(crate) mod atomic {
        #[allow(unused_imports)]
        pub(crate) use core::sync::atomic::fence;
        pub(crate) use core::sync::atomic::Ordering;
        #[allow(unused_imports)]
        pub(crate) use portable_atomic::{
            AtomicBool, AtomicPtr, AtomicU32, AtomicU64, AtomicUsize,
        };
    }
}

#[cfg(not(loom))]
pub(crate) mod cell {
    /// `core::cell::UnsafeCell` with loom's closure-based access API, so code can be checked by
    /// loom without changes.
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T: ?Sized>(core::cell::UnsafeCell<T>);

    #[allow(dead_code)]
    impl<T> UnsafeCell<T> {
        pub(crate) const fn new(value: T) -> Self {
            UnsafeCell(core::cell::UnsafeCell::new(value))
        }
    }

    #[allow(dead_code)]
    impl<T: ?Sized> UnsafeCell<T> {
        #[inline(always)]
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }
        #[inline(always)]
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
        #[inline(always)]
        pub(crate) fn get(&self) -> *mut T {
            self.0.get()
        }
    }
}
