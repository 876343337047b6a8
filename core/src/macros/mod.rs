//! `join!`, `try_join!` and `select!`: wait for, or race, a fixed set of futures inside one task,
//! without spawning, without `std` and without an allocator.
//!
//! # How they are built
//!
//! All three are `macro_rules!` macros exported at the crate root (`weft_core::join!`, ...).
//! They expand to a block that
//!
//! 1. turns every operand into a future with [`IntoFuture`](core::future::IntoFuture) and pins
//!    it on the stack of the enclosing `async` body with [`core::pin::pin!`] (so the expansion
//!    contains no `unsafe`), keeping them all in one tuple. Each operand is checked for being a
//!    future in exactly one helper call (`into_future`, `maybe_done`, `try_maybe_done`), so a
//!    wrong operand gets one error, at its own span;
//! 2. drives the tuple from a [`poll_fn`](core::future::poll_fn) closure, which is the only
//!    state the macro adds: a rotation counter (`join!`) or a 64-bit mask of disabled branches
//!    (`select!`);
//! 3. ends the block, which drops every future that is still in the tuple, before the result
//!    is handed back (and, for `select!`, before the winning branch's handler runs, so the
//!    handler may reuse whatever the futures borrowed).
//!
//! A macro cannot count, so the entry rules walk the branches once ("tt-munching"), popping an
//! index (`0`, `1`, ...) and, for `select!`, a variant name (`B0`, `B1`, ...) from a fixed list
//! for each branch. The list has 64 entries, which is the branch limit; the walk costs one
//! expansion level per branch, so 64 branches stay well inside the default recursion limit.
//! `select!` declares a local enum `__SelectOut<B0, .., Bn>` with one variant per branch to carry
//! the winning output out of the `poll_fn` to the handler `match`, where the branch pattern binds
//! it.
//!
//! The one thing a declarative macro cannot do is look inside a `$p:pat` fragment. `select!`
//! needs that to test a finished output against its pattern *by reference* (a mismatch disables
//! the branch and the race goes on, so the output must not be moved yet): `ref`/`mut` binding
//! modifiers and `&` patterns have to be stripped first. The hidden proc-macro
//! `weft_macros::__select_clean_pattern` does exactly that and nothing else.
//!
//! # Which branches are polled
//!
//! `join!` and `try_join!` poll **every unfinished branch** on each wake-up, starting one branch
//! further on each poll (rotation), so no branch is always last when a cooperative budget runs
//! out. They do not track which branch was woken. Doing so needs a distinct [`Waker`] per branch
//! whose wake sets a bit and then wakes the task. Without an allocator that waker's data would
//! have to live inside the join future itself, but a `Waker` may be cloned and the clone kept by
//! a timer, channel or reactor after the join future is gone (a losing `select!` around the
//! `join!`, a `try_join!` that short-circuits): waking that clone would write into freed
//! memory. A clone that falls back to the parent waker is sound but loses the bit, and then the
//! woken branch is never polled again. Nothing short of reference-counted storage (an `Arc`, or a
//! static pool) makes per-branch wakers sound, so weft accepts polling the few branches of a
//! `join!` again, which is cheap because a future that was not woken returns `Pending`
//! immediately. The same holds for `select!`.
//!
//! # Fairness of `select!`
//!
//! Without `biased;`, each poll starts at a branch chosen by a small pseudo-random generator
//! (a Weyl sequence finished by a multiply-xorshift mix, no `rand`): per thread under the `std`
//! feature, one global atomic counter otherwise. With `biased;` branches are polled in the order
//! they are written.
//!
//! [`Waker`]: core::task::Waker

mod join;
mod join_state;
mod select;
mod wake_set;

#[doc(hidden)]
pub mod __private;
