//! The typed half of a task: header + stage in one block, and the vtable functions that know
//! the future's type.
//!
//! The future and its output share storage: [`Stage`] is an enum, so a task costs the header
//! plus the larger of the future and its `Result<Output, JoinError>`.

use core::future::Future;
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use super::header::{Header, Vtable};
use super::unwind;
use super::JoinError;

/// What the task's storage holds.
pub(crate) enum Stage<F: Future> {
    Running(F),
    Finished(Result<F::Output, JoinError>),
    Consumed,
}

/// Header followed by stage; `repr(C)` so `*const Cell<F>` and `*const Header` are the same
/// address.
#[repr(C)]
pub(crate) struct Cell<F: Future> {
    pub(crate) header: Header,
    pub(crate) stage: core::cell::UnsafeCell<Stage<F>>,
}

impl<F: Future> Cell<F> {
    crate::maybe_const_fn! {
        pub(crate) fn new(vtable: &'static Vtable) -> Cell<F> {
            Cell {
                header: Header::new(vtable),
                stage: core::cell::UnsafeCell::new(Stage::Consumed),
            }
        }
    }

    /// # Safety
    /// `h` must point at the header of a live `Cell<F>`.
    pub(crate) unsafe fn from_header<'a>(h: NonNull<Header>) -> &'a Cell<F> {
        // SAFETY: repr(C) with the header first (caller's contract).
        unsafe { h.cast::<Cell<F>>().as_ref() }
    }

    /// # Safety
    /// The caller has exclusive access to the stage (RUNNING, COMPLETE-and-join, or unshared).
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn stage(&self) -> &mut Stage<F> {
        // SAFETY: exclusivity is the caller's contract.
        unsafe { &mut *self.stage.get() }
    }
}

/// The vtable functions for future type `F`; `dealloc` differs between static and heap.
pub(crate) struct Fns<F>(core::marker::PhantomData<F>);

impl<F: Future> Fns<F> {
    /// # Safety
    /// Caller holds RUNNING; the stage is `Running`.
    pub(crate) unsafe fn poll(h: NonNull<Header>, waker: &Waker) -> bool {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: RUNNING gives exclusive access to the stage.
        let stage = unsafe { cell.stage() };
        let Stage::Running(fut) = stage else {
            unreachable!("weft: polled a task whose future is gone")
        };
        // SAFETY: the future never moves: it lives in the task's storage until dropped in place.
        let fut = unsafe { Pin::new_unchecked(fut) };
        let mut cx = Context::from_waker(waker);
        let result = match unwind::catch(|| fut.poll(&mut cx)) {
            Ok(Poll::Pending) => return false,
            Ok(Poll::Ready(out)) => Ok(out),
            Err(payload) => {
                // SAFETY: a task is bound before it is polled (caller holds RUNNING).
                unsafe { cell.header.scheduler() }.unhandled_panic(cell.header.id());
                Err(unwind::to_join_error(cell.header.id(), payload))
            }
        };
        // Drop the future before publishing the output; a panic in its destructor is caught.
        let _ = unwind::catch(|| *stage = Stage::Consumed);
        *stage = Stage::Finished(result);
        true
    }

    /// # Safety
    /// Caller holds RUNNING.
    pub(crate) unsafe fn cancel(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: RUNNING gives exclusive access to the stage.
        let stage = unsafe { cell.stage() };
        let id = cell.header.id();
        let err = match unwind::catch(|| *stage = Stage::Consumed) {
            Ok(()) => JoinError::cancelled(id),
            Err(payload) => unwind::to_join_error(id, payload),
        };
        *stage = Stage::Finished(Err(err));
    }

    /// # Safety
    /// Caller has exclusive access to the stage.
    pub(crate) unsafe fn drop_stage(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        unsafe { *Cell::<F>::from_header(h).stage() = Stage::Consumed };
    }

    /// # Safety
    /// COMPLETE was observed with JOIN_INTEREST held; `dst` points at a
    /// `Poll<Result<F::Output, JoinError>>`.
    pub(crate) unsafe fn read_output(h: NonNull<Header>, dst: *mut ()) {
        // SAFETY: caller's contract.
        let stage = unsafe { Cell::<F>::from_header(h).stage() };
        match core::mem::replace(stage, Stage::Consumed) {
            // SAFETY: `dst` has the type the JoinHandle<F::Output> passed.
            Stage::Finished(r) => unsafe {
                *(dst as *mut Poll<Result<F::Output, JoinError>>) = Poll::Ready(r)
            },
            _ => panic!("`JoinHandle` polled after it returned `Poll::Ready`"),
        }
    }

    /// Static storage: drop what the header still holds and mark the slot free.
    ///
    /// # Safety
    /// No reference to the task remains.
    pub(crate) unsafe fn dealloc_static(h: NonNull<Header>) {
        // SAFETY: caller's contract: nobody else touches the task.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: exclusive, as above.
        unsafe {
            *cell.stage() = Stage::Consumed;
            *cell.header.join_waker.get() = None;
            *cell.header.scheduler.get() = None;
        }
        cell.header.state.store_free();
    }

    /// Heap storage: free the allocation.
    ///
    /// # Safety
    /// No reference to the task remains; it was allocated by `Box<Cell<F>>`.
    #[cfg(feature = "alloc")]
    pub(crate) unsafe fn dealloc_heap(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        drop(unsafe { alloc::boxed::Box::from_raw(h.cast::<Cell<F>>().as_ptr()) });
    }

    pub(crate) const STATIC: Vtable = Vtable {
        poll: Self::poll,
        cancel: Self::cancel,
        drop_stage: Self::drop_stage,
        read_output: Self::read_output,
        dealloc: Self::dealloc_static,
    };

    #[cfg(feature = "alloc")]
    pub(crate) const HEAP: Vtable = Vtable {
        poll: Self::poll,
        cancel: Self::cancel,
        drop_stage: Self::drop_stage,
        read_output: Self::read_output,
        dealloc: Self::dealloc_heap,
    };
}
