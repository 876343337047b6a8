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
//!    state the macro adds: for `join!`, a `JoinState` (rotation counter, mask of unfinished
//!    branches, and the claimed wake slot if any; `join_state.rs`), for `select!` a 64-bit mask
//!    of disabled branches;
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
//! A `join!` or `try_join!` of **4 or more** branches polls only the branches that were woken
//! since its last poll (and, on its first poll, all of them). Each branch is polled with its own
//! [`Waker`], whose wake sets the branch's bit and then wakes the task. Without an allocator
//! that record cannot live inside the join future: a `Waker` may be cloned and the clone kept
//! by a timer, channel or reactor after the join future is gone (a losing `select!` around the
//! `join!`, a `try_join!` that short-circuits), and waking it would write into freed memory. So
//! it lives in a static table of slots, the wake set (`wake_set.rs`): a branch waker is an integer
//! naming a slot, a branch and a generation, never a pointer, and a stale one is a no-op. The
//! wake set's docs explain the protocol and why it is sound.
//!
//! Two cases still poll **every unfinished branch** on each wake-up, as every `join!` did
//! before: joins of fewer than 4 branches, for which that is cheaper than the wake set (the
//! threshold and its measurement are in the wake set docs), and joins that find the table full
//! (64 slots on 64-bit targets, 32 on 32-bit ones, shared by all joins of the process that are
//! alive and have been polled). Either way each round starts one branch further than the last
//! (rotation), so no branch is always last when a cooperative budget runs out.
//!
//! Polling only woken branches relies on the [`Future`](core::future::Future) contract: a
//! branch that returns `Pending` without arranging for its waker to be woken is not polled
//! again, even when a sibling is woken.
//!
//! `select!` still polls every enabled branch on each wake-up (from a random start).
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
