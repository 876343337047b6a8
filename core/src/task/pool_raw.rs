//! Static pool storage for `#[task(pool_size = N)]` on stable Rust.
//!
//! # The problem
//!
//! A pool task needs `static POOL: TaskPool<Fut, N>`, where `Fut` is the future returned by
//! the task's `async fn`. On stable Rust that type has no name (`type Fut = impl Future` is
//! unstable), so the static cannot be declared with it.
//!
//! # The technique
//!
//! A *function item* does have a type that inference can see, and its signature mentions the
//! future type. The const fns [`task_pool_size`] and [`task_pool_align`] are generic over
//! `F: Copy + FnOnce(Args) -> Fut`; called with the function item in a const context, they
//! let inference find `Fut` and return `size_of`/`align_of` of `TaskPool<Fut, N>`. Those
//! values size a [`TaskPoolRaw<SIZE, ALIGN, N>`]: a block of `SIZE` bytes aligned to
//! `ALIGN`, inside an `UnsafeCell` so the static lands in writable memory.
//!
//! * [`TaskPoolRaw::new`] (a const fn, also given the function item) builds a real
//!   `TaskPool::<Fut, N>::new()` and reinterprets its bytes as the raw holder through a
//!   union, after asserting that size and alignment match. The slots are therefore exactly
//!   what `TaskPool::new` makes: nothing here assumes that all-zero bytes are a free slot.
//! * [`TaskPoolRaw::pool`] turns `&'static TaskPoolRaw` back into
//!   `&'static TaskPool<Fut, N>`; the layout check is a `const` assertion, so it costs
//!   nothing at run time. It is `unsafe` because only the caller knows that the holder was
//!   built from the same function item; the macro guarantees it by using one item for both.
//!
//! The whole expansion, for `#[task(pool_size = 4)] async fn echo(n: u32) -> u32`:
//!
//! ```text
//! fn echo(n: u32) -> Result<SpawnToken<u32, impl Sized>, SpawnError> {
//!     async fn __weft_task_fn((n,): (u32,)) -> u32 { .. }
//!     const __WEFT_POOL_SIZE: usize = 4;
//!     static __WEFT_POOL: TaskPoolRaw<
//!         { task_pool_size::<_, _, _, __WEFT_POOL_SIZE>(__weft_task_fn) },
//!         { task_pool_align::<_, _, _, __WEFT_POOL_SIZE>(__weft_task_fn) },
//!         __WEFT_POOL_SIZE,
//!     > = TaskPoolRaw::new(__weft_task_fn);
//!     unsafe { __WEFT_POOL.pool(__weft_task_fn) }.spawn(move || __weft_task_fn((n,)))
//! }
//! ```
//!
//! The task's function takes its arguments as one tuple, so one blanket bound
//! (`FnOnce(Args)`) covers every arity.
//!
//! # Alignment
//!
//! A const generic cannot be used in `#[repr(align(..))]`, so [`AlignTo<A>`] maps each power
//! of two to a zero-sized type with that alignment ([`Alignment::Archetype`]); the holder
//! carries a `[Archetype; 0]` field, which adds the alignment and no size.

use core::cell::UnsafeCell;
use core::fmt;
use core::future::Future;
use core::mem::{align_of, size_of, ManuallyDrop, MaybeUninit};

use super::TaskPool;

/// The size in bytes of `TaskPool<Fut, N>`, where `Fut` is the future returned by `task_fn`.
///
/// Used by `#[task]` to size its static; `task_fn` takes the task's arguments as one tuple.
///
/// ```
/// use weft_core::task::{task_pool_size, TaskPool};
///
/// async fn work((n,): (u32,)) -> u32 { n }
/// const SIZE: usize = task_pool_size::<_, _, _, 2>(work);
/// assert!(SIZE > 0);
/// ```
pub const fn task_pool_size<F, Args, Fut, const N: usize>(task_fn: F) -> usize
where
    F: Copy + FnOnce(Args) -> Fut,
    Fut: Future + 'static,
{
    let _ = task_fn;
    size_of::<TaskPool<Fut, N>>()
}

/// The alignment of `TaskPool<Fut, N>`, where `Fut` is the future returned by `task_fn`.
///
/// ```
/// use weft_core::task::task_pool_align;
///
/// async fn work((): ()) {}
/// const ALIGN: usize = task_pool_align::<_, _, _, 1>(work);
/// assert!(ALIGN.is_power_of_two());
/// ```
pub const fn task_pool_align<F, Args, Fut, const N: usize>(task_fn: F) -> usize
where
    F: Copy + FnOnce(Args) -> Fut,
    Fut: Future + 'static,
{
    let _ = task_fn;
    align_of::<TaskPool<Fut, N>>()
}

/// Maps an alignment (a const generic) to a zero-sized type with that alignment.
///
/// Implemented for every power of two from 1 to 2<sup>29</sup> (the largest
/// `#[repr(align)]` Rust accepts).
///
/// ```
/// use weft_core::task::{AlignTo, Alignment};
///
/// assert_eq!(core::mem::align_of::<<AlignTo<64> as Alignment>::Archetype>(), 64);
/// assert_eq!(core::mem::size_of::<<AlignTo<64> as Alignment>::Archetype>(), 0);
/// ```
pub trait Alignment: sealed::Sealed {
    /// A zero-sized type whose alignment is the one named by `Self`.
    type Archetype: Copy + Send + Sync + fmt::Debug;
}

/// Names an alignment as a type; see [`Alignment`].
///
/// ```
/// use weft_core::task::AlignTo;
///
/// let _sixteen: AlignTo<16> = AlignTo;
/// ```
#[derive(Clone, Copy, Debug)]
pub struct AlignTo<const A: usize>;

mod sealed {
    pub trait Sealed {}
}

macro_rules! alignments {
    ($($name:ident = $align:literal),* $(,)?) => {
        $(
            /// A zero-sized type with the alignment in its name.
            #[derive(Clone, Copy, Debug)]
            #[repr(align($align))]
            pub struct $name;
            impl sealed::Sealed for AlignTo<$align> {}
            impl Alignment for AlignTo<$align> {
                type Archetype = $name;
            }
        )*
    };
}

alignments!(
    Align1 = 1,
    Align2 = 2,
    Align4 = 4,
    Align8 = 8,
    Align16 = 16,
    Align32 = 32,
    Align64 = 64,
    Align128 = 128,
    Align256 = 256,
    Align512 = 512,
    Align1k = 1024,
    Align2k = 2048,
    Align4k = 4096,
    Align8k = 8192,
    Align16k = 16384,
    Align32k = 32768,
    Align64k = 65536,
    Align128k = 131072,
    Align256k = 262144,
    Align512k = 524288,
    Align1m = 1048576,
    Align2m = 2097152,
    Align4m = 4194304,
    Align8m = 8388608,
    Align16m = 16777216,
    Align32m = 33554432,
    Align64m = 67108864,
    Align128m = 134217728,
    Align256m = 268435456,
    Align512m = 536870912,
);

/// Storage for a `TaskPool<Fut, N>` whose future type cannot be named: `SIZE` bytes aligned
/// to `ALIGN`, built in a `static` by `#[task]`.
///
/// ```
/// use weft_core::task::{task_pool_align, task_pool_size, TaskPoolRaw};
///
/// async fn work((n,): (u32,)) -> u32 { n + 1 }
///
/// static POOL: TaskPoolRaw<
///     { task_pool_size::<_, _, _, 2>(work) },
///     { task_pool_align::<_, _, _, 2>(work) },
///     2,
/// > = TaskPoolRaw::new(work);
///
/// // SAFETY: POOL was built from `work` with 2 slots.
/// let pool = unsafe { POOL.pool(work) };
/// let token = pool.spawn(|| work((41,))).unwrap();
/// drop(token); // never run: the slot is free again
/// ```
#[repr(C)]
pub struct TaskPoolRaw<const SIZE: usize, const ALIGN: usize, const N: usize>
where
    AlignTo<ALIGN>: Alignment,
{
    /// The `TaskPool<Fut, N>`'s bytes. `UnsafeCell` because the pool mutates itself through
    /// shared references, and so that the static is placed in writable memory.
    bytes: UnsafeCell<MaybeUninit<[u8; SIZE]>>,
    _align: [<AlignTo<ALIGN> as Alignment>::Archetype; 0],
}

// SAFETY: the bytes are only reached through `pool()`, which hands out a
// `&'static TaskPool<Fut, N>` only when `TaskPool<Fut, N>: Sync`. Sharing the holder between
// threads is therefore exactly as safe as sharing the pool it holds.
unsafe impl<const SIZE: usize, const ALIGN: usize, const N: usize> Sync
    for TaskPoolRaw<SIZE, ALIGN, N>
where
    AlignTo<ALIGN>: Alignment,
{
}

/// Reinterprets a value of type `A` as `B` in a const fn (where `transmute` cannot be used
/// with generic types). The caller asserts that the sizes are equal.
#[repr(C)]
union Reinterpret<A, B> {
    from: ManuallyDrop<A>,
    to: ManuallyDrop<B>,
}

impl<const SIZE: usize, const ALIGN: usize, const N: usize> TaskPoolRaw<SIZE, ALIGN, N>
where
    AlignTo<ALIGN>: Alignment,
{
    /// Builds the holder from `TaskPool::<Fut, N>::new()`, where `Fut` is the future type
    /// returned by `task_fn`.
    ///
    /// # Panics
    ///
    /// At compile time (the only place it is meant to run) if `SIZE`/`ALIGN` are not the size
    /// and alignment of `TaskPool<Fut, N>`, i.e. were computed from another function or `N`.
    ///
    /// ```
    /// use weft_core::task::{task_pool_align, task_pool_size, TaskPoolRaw};
    ///
    /// async fn work((): ()) {}
    /// const S: usize = task_pool_size::<_, _, _, 1>(work);
    /// const A: usize = task_pool_align::<_, _, _, 1>(work);
    /// static POOL: TaskPoolRaw<S, A, 1> = TaskPoolRaw::new(work);
    /// ```
    pub const fn new<F, Args, Fut>(task_fn: F) -> Self
    where
        F: Copy + FnOnce(Args) -> Fut,
        Fut: Future + 'static,
    {
        let _ = task_fn;
        assert!(
            size_of::<TaskPool<Fut, N>>() == SIZE && size_of::<Self>() == SIZE,
            "TaskPoolRaw: SIZE is not the size of TaskPool<Fut, N>"
        );
        assert!(
            align_of::<TaskPool<Fut, N>>() == ALIGN,
            "TaskPoolRaw: ALIGN is not the alignment of TaskPool<Fut, N>"
        );
        let cast = Reinterpret::<TaskPool<Fut, N>, Self> {
            from: ManuallyDrop::new(TaskPool::new()),
        };
        // SAFETY: both union fields are `SIZE` bytes long (asserted above), so reading `to`
        // reads exactly the bytes of the pool just written, and every byte pattern
        // (initialized or not, pointer or not) is a valid `MaybeUninit<[u8; SIZE]>`; the
        // `[_; 0]` alignment field has no bytes. Ownership of the pool moves into the holder
        // (nothing is dropped: both fields are `ManuallyDrop`).
        ManuallyDrop::into_inner(unsafe { cast.to })
    }

    /// The pool stored in this holder, typed again.
    ///
    /// # Safety
    ///
    /// `self` must have been built by [`TaskPoolRaw::new`] with a function item whose future
    /// type is `Fut` (in practice: the same `task_fn`). Size and alignment are checked at
    /// compile time, but two different futures of equal layout cannot be told apart.
    ///
    /// ```
    /// use weft_core::task::{task_pool_align, task_pool_size, TaskPoolRaw};
    ///
    /// async fn work((): ()) {}
    /// static POOL: TaskPoolRaw<
    ///     { task_pool_size::<_, _, _, 1>(work) },
    ///     { task_pool_align::<_, _, _, 1>(work) },
    ///     1,
    /// > = TaskPoolRaw::new(work);
    /// // SAFETY: built from `work` just above.
    /// let first = unsafe { POOL.pool(work) }.spawn(|| work(())).unwrap();
    /// // One slot, and it is taken:
    /// assert!(unsafe { POOL.pool(work) }.spawn(|| work(())).is_err());
    /// drop(first);
    /// ```
    pub unsafe fn pool<F, Args, Fut>(&'static self, task_fn: F) -> &'static TaskPool<Fut, N>
    where
        F: Copy + FnOnce(Args) -> Fut,
        Fut: Future + 'static,
        TaskPool<Fut, N>: Sync,
    {
        let _ = task_fn;
        const {
            assert!(
                size_of::<TaskPool<Fut, N>>() == SIZE && align_of::<TaskPool<Fut, N>>() == ALIGN,
                "TaskPoolRaw::pool: the holder was sized for another future type"
            );
        }
        // SAFETY: the caller guarantees that the bytes were written by `new` from a
        // `TaskPool<Fut, N>` (and moved, never copied, since: the holder is a static). Size
        // and alignment match (checked above), the pointer is derived from the `UnsafeCell`
        // so the pool may mutate itself through `&`, and the static lives forever.
        unsafe { &*self.bytes.get().cast::<TaskPool<Fut, N>>() }
    }
}

impl<const SIZE: usize, const ALIGN: usize, const N: usize> fmt::Debug
    for TaskPoolRaw<SIZE, ALIGN, N>
where
    AlignTo<ALIGN>: Alignment,
{
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TaskPoolRaw")
            .field("size", &SIZE)
            .field("align", &ALIGN)
            .field("slots", &N)
            .finish_non_exhaustive()
    }
}
