//! Support items for the expansions of `join!`, `try_join!` and `select!`. Not a public API: the
//! names and signatures here change without notice.

use core::fmt;
pub use core::future::{Future, IntoFuture};
use core::pin::Pin;
use core::task::{Context, Poll};

pub use core::future::poll_fn;

pub use core::task::Poll as PollState;

pub use super::join_state::{wake_set_info, JoinState, Round};
pub use weft_macros::__select_clean_pattern as clean_pattern;

#[cfg_attr(feature = "std", path = "rng_thread_local.rs")]
#[cfg_attr(not(feature = "std"), path = "rng_global.rs")]
mod rng;

/// Turns a `join!`/`select!` operand into a future (the error for a non-future operand is
/// rustc's "`T` is not a future").
#[inline]
pub fn into_future<T: IntoFuture>(operand: T) -> T::IntoFuture {
    operand.into_future()
}

/// A pseudo-random number in `0..n` (`n > 0`), for `select!`'s start branch.
#[inline]
pub fn random_below(n: u32) -> u32 {
    // Lemire's multiply-shift: maps a uniform u32 onto 0..n without a division.
    ((u64::from(rng::next_u32()) * u64::from(n)) >> 32) as u32
}

/// The murmur3 finaliser: turns a counter into well-mixed bits.
#[inline]
pub(crate) fn mix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 13;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^ (x >> 16)
}

/// Step of the Weyl sequence (2^32 / golden ratio, odd, so the counter visits every u32).
pub(crate) const WEYL_STEP: u32 = 0x9e37_79b9;

/// A `join!` branch: the future until it finishes, then its output `T` until `join!` takes it.
///
/// The type itself has no bounds, and [`maybe_done`] is the one place that requires the operand
/// to be a future, so a non-future operand produces one error at the operand instead of one per
/// use of the branch.
pub enum MaybeDone<F, T> {
    /// Still running.
    Running(F),
    /// Finished; output not taken yet.
    Done(T),
    /// Output taken.
    Taken,
}

/// Turns a `join!` operand into a branch.
#[inline]
pub fn maybe_done<T: IntoFuture>(
    operand: T,
) -> MaybeDone<T::IntoFuture, <T::IntoFuture as Future>::Output> {
    MaybeDone::Running(operand.into_future())
}

impl<F: Future> MaybeDone<F, F::Output> {
    /// Polls the future if it is still running; `true` once the output is stored.
    #[inline]
    pub fn poll_done(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> bool {
        // SAFETY: the future is structurally pinned: it is only ever reached through this
        // `Pin`, never moved out, and leaves the enum only by being dropped in place by
        // `Pin::set` below.
        let output = match unsafe { self.as_mut().get_unchecked_mut() } {
            // SAFETY: see above; `future` lives inside the pinned `self`.
            MaybeDone::Running(future) => match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                Poll::Ready(output) => output,
                Poll::Pending => return false,
            },
            MaybeDone::Done(_) => return true,
            MaybeDone::Taken => panic!("join! polled a branch whose output was already taken"),
        };
        self.set(MaybeDone::Done(output));
        true
    }

    /// Takes the output; panics if the branch has not finished or was already taken.
    #[inline]
    pub fn take_output(self: Pin<&mut Self>) -> F::Output {
        if !matches!(*self, MaybeDone::Done(_)) {
            panic!("join! took the output of a branch that has not finished");
        }
        // SAFETY: the variant is `Done`, which holds no pinned future, and the output is not
        // structurally pinned, so moving it out does not move pinned data.
        match core::mem::replace(unsafe { self.get_unchecked_mut() }, MaybeDone::Taken) {
            MaybeDone::Done(output) => output,
            _ => unreachable!(),
        }
    }
}

impl<F, T> fmt::Debug for MaybeDone<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MaybeDone::Running(_) => "MaybeDone::Running",
            MaybeDone::Done(_) => "MaybeDone::Done",
            MaybeDone::Taken => "MaybeDone::Taken",
        })
    }
}

/// The output of a `try_join!` operand: a `Result`.
#[diagnostic::on_unimplemented(
    message = "try_join! needs futures that output a `Result`, but this one outputs `{Self}`",
    label = "this future's output is not a `Result`",
    note = "use `join!` for futures that cannot fail, or map the output into `Ok(..)`"
)]
pub trait TryOutput {
    /// The success type.
    type Ok;
    /// The error type.
    type Err;
    /// Converts into a `Result`.
    fn into_result(self) -> Result<Self::Ok, Self::Err>;
}

impl<T, E> TryOutput for Result<T, E> {
    type Ok = T;
    type Err = E;
    #[inline]
    fn into_result(self) -> Result<T, E> {
        self
    }
}

/// A `try_join!` branch: like [`MaybeDone`] but keeps only the `Ok` value `T` and hands an `Err`
/// straight back. Unbounded for the same reason as `MaybeDone`; [`try_maybe_done`] checks.
pub enum TryMaybeDone<F, T> {
    /// Still running.
    Running(F),
    /// Finished with `Ok`; value not taken yet.
    Done(T),
    /// Value taken, or the branch failed.
    Taken,
}

/// Turns a `try_join!` operand into a branch.
#[inline]
pub fn try_maybe_done<T>(
    operand: T,
) -> TryMaybeDone<T::IntoFuture, <<T::IntoFuture as Future>::Output as TryOutput>::Ok>
where
    T: IntoFuture,
    T::Output: TryOutput,
{
    TryMaybeDone::Running(operand.into_future())
}

impl<F: Future> TryMaybeDone<F, <F::Output as TryOutput>::Ok>
where
    F::Output: TryOutput,
{
    /// Polls the future if it is still running: `Ready(Ok(()))` once the `Ok` value is stored,
    /// `Ready(Err(e))` when it failed.
    #[inline]
    pub fn poll_try(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), <F::Output as TryOutput>::Err>> {
        // SAFETY: as in `MaybeDone::poll_done`: the future is structurally pinned, never moved,
        // and only dropped in place by `Pin::set`.
        let output = match unsafe { self.as_mut().get_unchecked_mut() } {
            // SAFETY: see above.
            TryMaybeDone::Running(future) => match unsafe { Pin::new_unchecked(future) }.poll(cx) {
                Poll::Ready(output) => output,
                Poll::Pending => return Poll::Pending,
            },
            TryMaybeDone::Done(_) => return Poll::Ready(Ok(())),
            TryMaybeDone::Taken => {
                panic!("try_join! polled a branch whose output was already taken")
            }
        };
        match output.into_result() {
            Ok(value) => {
                self.set(TryMaybeDone::Done(value));
                Poll::Ready(Ok(()))
            }
            Err(error) => {
                self.set(TryMaybeDone::Taken);
                Poll::Ready(Err(error))
            }
        }
    }

    /// Takes the `Ok` value; panics if the branch has not finished with `Ok`.
    #[inline]
    pub fn take_output(self: Pin<&mut Self>) -> <F::Output as TryOutput>::Ok {
        if !matches!(*self, TryMaybeDone::Done(_)) {
            panic!("try_join! took the output of a branch that has not finished");
        }
        // SAFETY: the variant is `Done`, which holds no pinned future; the value is not
        // structurally pinned.
        match core::mem::replace(unsafe { self.get_unchecked_mut() }, TryMaybeDone::Taken) {
            TryMaybeDone::Done(value) => value,
            _ => unreachable!(),
        }
    }
}

impl<F, T> fmt::Debug for TryMaybeDone<F, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TryMaybeDone::Running(_) => "TryMaybeDone::Running",
            TryMaybeDone::Done(_) => "TryMaybeDone::Done",
            TryMaybeDone::Taken => "TryMaybeDone::Taken",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_below_stays_in_range_and_covers_it() {
        let mut seen = [0u32; 7];
        for _ in 0..7_000 {
            let r = random_below(7);
            assert!(r < 7);
            seen[r as usize] += 1;
        }
        assert!(seen.iter().all(|&n| n > 500), "{seen:?}");
        assert_eq!(random_below(1), 0);
    }
}
