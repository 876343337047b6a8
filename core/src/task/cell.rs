//! The typed half of a task: header + stage in one block, and the vtable functions that know
//! the future's type.
//!
//! The future and its output share storage: [`Stage`] is a union, so a task costs the header
//! plus the larger of the future and its `Result<Output, JoinError>`, and nothing for a tag.
//!
//! ## Which half of the stage is live
//!
//! A tagged enum would cost a word per task (an `async` block's state machine offers no spare
//! bit patterns for the tag to hide in). The task protocol already says which half is live, so
//! the tag is redundant:
//!
//! | when | stage | who may touch it |
//! |---|---|---|
//! | slot free (static) | empty | nobody |
//! | claimed or bound, not COMPLETE | future | the token owner, then the RUNNING holder |
//! | COMPLETE, output not yet taken | output | the `JoinHandle`, or the completer when JOIN_INTEREST was already gone |
//! | output read or dropped | empty | nobody |
//!
//! Every transition out of "future" and "output" happens exactly once: the future is dropped
//! by the poll that completes it, by `cancel`, or by a dropped `SpawnToken`; the output is
//! moved out by [`JoinHandle`](super::JoinHandle) (which remembers that it did), or dropped by
//! whichever of the handle and the completer owns it (the JOIN_INTEREST/COMPLETE race in
//! `state.rs` picks exactly one). So when the last reference goes the stage is always empty and
//! `dealloc` drops nothing.

use core::future::Future;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::pin::Pin;
use core::ptr::NonNull;
use core::task::{Context, Poll, Waker};

use super::header::{Header, Vtable};
use super::unwind;
use super::JoinError;

/// What the task's storage holds: the future, then the output (see the module docs for which).
pub(crate) union Stage<F: Future> {
    future: ManuallyDrop<F>,
    output: ManuallyDrop<Result<F::Output, JoinError>>,
}

/// Header followed by stage; `repr(C)` so `*const Cell<F>` and `*const Header` are the same
/// address.
#[repr(C)]
pub(crate) struct Cell<F: Future> {
    pub(crate) header: Header,
    stage: core::cell::UnsafeCell<MaybeUninit<Stage<F>>>,
}

impl<F: Future> Cell<F> {
    crate::maybe_const_fn! {
        pub(crate) fn new(vtable: &'static Vtable) -> Cell<F> {
            Cell {
                header: Header::new(vtable),
                stage: core::cell::UnsafeCell::new(MaybeUninit::uninit()),
            }
        }
    }

    /// # Safety
    /// `h` must point at the header of a live `Cell<F>`.
    pub(crate) unsafe fn from_header<'a>(h: NonNull<Header>) -> &'a Cell<F> {
        // SAFETY: repr(C) with the header first (caller's contract).
        unsafe { h.cast::<Cell<F>>().as_ref() }
    }

    fn stage_ptr(&self) -> *mut Stage<F> {
        self.stage.get().cast()
    }

    /// Places the future in an empty stage.
    ///
    /// # Safety
    /// The caller owns the unshared task and the stage is empty.
    pub(crate) unsafe fn put_future(&self, future: F) {
        // SAFETY: caller's contract; writing a union field of an empty stage drops nothing.
        unsafe { (*self.stage_ptr()).future = ManuallyDrop::new(future) };
    }

    /// # Safety
    /// Exclusive access, and the stage holds the future.
    #[allow(clippy::mut_from_ref)]
    unsafe fn future(&self) -> &mut F {
        // SAFETY: caller's contract.
        unsafe { &mut (*self.stage_ptr()).future }
    }

    /// Drops the future (catching a panic of its destructor) and stores `output` in its place.
    ///
    /// # Safety
    /// Exclusive access, and the stage holds the future.
    unsafe fn replace_future(
        &self,
        output: impl FnOnce(Option<unwind::Payload>) -> Result<F::Output, JoinError>,
    ) {
        // SAFETY: caller's contract: the future is live and ours; it is dropped exactly once
        // (a destructor that panics has still ended the future's life).
        let dropped =
            unwind::catch(|| unsafe { ManuallyDrop::drop(&mut (*self.stage_ptr()).future) });
        let out = output(dropped.err());
        // SAFETY: the stage is now empty.
        unsafe { (*self.stage_ptr()).output = ManuallyDrop::new(out) };
    }
}

/// The vtable functions for future type `F`; `dealloc` differs between static and heap.
pub(crate) struct Fns<F>(core::marker::PhantomData<F>);

impl<F: Future> Fns<F> {
    /// # Safety
    /// Caller holds RUNNING; the stage holds the future.
    pub(crate) unsafe fn poll(h: NonNull<Header>, waker: &Waker) -> bool {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: RUNNING gives exclusive access to the stage, which holds the future.
        let fut = unsafe { cell.future() };
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
        // Drop the future before publishing the output; a panic in its destructor is caught
        // (the task's own result wins).
        // SAFETY: still RUNNING; the future is live.
        unsafe { cell.replace_future(|_| result) };
        true
    }

    /// # Safety
    /// Caller holds RUNNING; the stage holds the future.
    pub(crate) unsafe fn cancel(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        let id = cell.header.id();
        // SAFETY: RUNNING gives exclusive access; the future is live.
        unsafe {
            cell.replace_future(|panic| {
                Err(match panic {
                    None => JoinError::cancelled(id),
                    Some(payload) => unwind::to_join_error(id, payload),
                })
            })
        };
    }

    /// # Safety
    /// Exclusive access to an unbound task (its `SpawnToken`); the stage holds the future.
    pub(crate) unsafe fn drop_future(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: as above; dropped once, the token is gone afterwards.
        unsafe { ManuallyDrop::drop(&mut (*cell.stage_ptr()).future) };
    }

    /// # Safety
    /// The caller owns the stage (COMPLETE, and JOIN_INTEREST decides who) and it holds the
    /// output, which nobody read.
    pub(crate) unsafe fn drop_output(h: NonNull<Header>) {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: as above; the owner drops it once.
        unsafe { ManuallyDrop::drop(&mut (*cell.stage_ptr()).output) };
    }

    /// # Safety
    /// COMPLETE was observed with JOIN_INTEREST held, the output was not read before (the
    /// `JoinHandle` tracks that), and `dst` points at a `Poll<Result<F::Output, JoinError>>`.
    pub(crate) unsafe fn read_output(h: NonNull<Header>, dst: *mut ()) {
        // SAFETY: caller's contract.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: the output is live and ours; taking it leaves the stage empty.
        let r = unsafe { ManuallyDrop::take(&mut (*cell.stage_ptr()).output) };
        // SAFETY: `dst` has the type the JoinHandle<F::Output> passed.
        unsafe { *(dst as *mut Poll<Result<F::Output, JoinError>>) = Poll::Ready(r) };
    }

    /// Static storage: the stage is empty (module docs); clear the header and free the slot.
    ///
    /// # Safety
    /// No reference to the task remains.
    pub(crate) unsafe fn dealloc_static(h: NonNull<Header>) {
        // SAFETY: caller's contract: nobody else touches the task.
        let cell = unsafe { Cell::<F>::from_header(h) };
        // SAFETY: exclusive, as above.
        unsafe {
            *cell.header.join_waker.get() = None;
            *cell.header.scheduler.get() = None;
        }
        cell.header.state.store_free();
    }

    /// Heap storage: free the allocation (the stage is empty, and `MaybeUninit` drops nothing).
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
        drop_future: Self::drop_future,
        drop_output: Self::drop_output,
        read_output: Self::read_output,
        dealloc: Self::dealloc_static,
    };

    #[cfg(feature = "alloc")]
    pub(crate) const HEAP: Vtable = Vtable {
        poll: Self::poll,
        cancel: Self::cancel,
        drop_future: Self::drop_future,
        drop_output: Self::drop_output,
        read_output: Self::read_output,
        dealloc: Self::dealloc_heap,
    };
}
