//! `join!` and `try_join!`. See the [module docs](super) for how they are built and which
//! branches they poll; the per-round state is in `join_state.rs`.

/// Waits for several futures at once, in the current task, and returns a tuple of their outputs.
///
/// `join!(a, b, c)` must be used inside an `async` context. The operands are evaluated in
/// order, turned into futures with [`IntoFuture`](core::future::IntoFuture), pinned on the
/// stack and polled concurrently (not in parallel: they share the task). The result is
/// `(a_output, b_output, c_output)`, in operand order, whatever order the futures finished in.
/// `join!()` is `()` and `join!(a)` is a one-element tuple. Up to 64 operands; nest `join!`
/// for more.
///
/// The first poll polls every branch. After that, a `join!` of 4 or more branches polls only
/// the branches whose wakers were woken since its last poll, each once; a smaller one (or one
/// that found the process-wide table of wake slots full) polls every unfinished branch. Each
/// poll starts one branch further than the previous one; a finished branch is never polled
/// again and its output waits in place. Nothing is allocated (see the
/// [module docs](crate::macros) for how).
///
/// # Cancellation
///
/// `join!` itself never drops a branch early: every future runs to completion. If the *`join!`
/// future* is dropped (it lost a `select!`, or its task was aborted), every branch is dropped
/// where it stands, finished or not, and the outputs of the finished ones are dropped too. So
/// `join!` is cancellation safe only if every operand is.
///
/// To stop at the first error, use [`try_join!`](crate::try_join!); to stop at the first
/// finished future, use [`select!`](crate::select!).
///
/// # Examples
///
/// ```
/// # fn block_on<F: core::future::Future>(fut: F) -> F::Output {
/// #     let mut fut = core::pin::pin!(fut);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop {
/// #         if let core::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
/// #             return out;
/// #         }
/// #     }
/// # }
/// async fn double(x: u32) -> u32 {
///     x * 2
/// }
///
/// block_on(async {
///     let (a, b, c) = weft_core::join!(double(1), double(2), async { "three" });
///     assert_eq!((a, b, c), (2, 4, "three"));
///
///     // Operands may be anything that implements `IntoFuture`.
///     let (x,) = weft_core::join!(core::future::ready(7));
///     assert_eq!(x, 7);
///
///     let () = weft_core::join!();
/// });
/// ```
#[macro_export]
macro_rules! join {
    () => { () };
    ($($operand:expr),+ $(,)?) => {
        $crate::__join_index!(@join [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63] [] $($operand,)+)
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "join! expects futures separated by commas, like `join!(a, b, c)`; found `",
            ::core::stringify!($($tokens)*),
            "`"
        ))
    };
}

/// Waits for several futures that return `Result`s: the tuple of their `Ok` values, or the first
/// `Err`.
///
/// Like [`join!`](crate::join!), but every operand's output must be a `Result<_, E>` with the
/// same error type `E`, and the result is `Result<(T1, T2, ..), E>`. As soon as a branch
/// finishes with `Err`, `try_join!` stops polling and returns that error; the other branches
/// are dropped *before* `try_join!` returns. If several branches fail during the same poll, the
/// first one polled wins. Like `join!`, from 4 operands on it polls only the branches that were
/// woken. Up to 64 operands. Nothing is allocated.
///
/// # Cancellation
///
/// When one branch fails, the others are cancelled mid-flight: whatever they had started (a
/// partly read frame, a message taken off a queue but not yet returned) is lost with them, and
/// the `Ok` values of branches that already finished are dropped. Use operands that are
/// cancellation safe, or that can be retried, when an error elsewhere should not lose their work.
/// Dropping the `try_join!` future itself drops every branch, as with `join!`.
///
/// # Examples
///
/// ```
/// # fn block_on<F: core::future::Future>(fut: F) -> F::Output {
/// #     let mut fut = core::pin::pin!(fut);
/// #     let mut cx = core::task::Context::from_waker(core::task::Waker::noop());
/// #     loop {
/// #         if let core::task::Poll::Ready(out) = fut.as_mut().poll(&mut cx) {
/// #             return out;
/// #         }
/// #     }
/// # }
/// async fn parse(s: &str) -> Result<u32, &'static str> {
///     s.parse().map_err(|_| "not a number")
/// }
///
/// block_on(async {
///     let ok = weft_core::try_join!(parse("1"), parse("2"));
///     assert_eq!(ok, Ok((1, 2)));
///
///     let err = weft_core::try_join!(parse("1"), parse("two"), parse("3"));
///     assert_eq!(err, Err("not a number"));
/// });
/// ```
#[macro_export]
macro_rules! try_join {
    () => { ::core::result::Result::<(), ::core::convert::Infallible>::Ok(()) };
    ($($operand:expr),+ $(,)?) => {
        $crate::__join_index!(@try_join [0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49 50 51 52 53 54 55 56 57 58 59 60 61 62 63] [] $($operand,)+)
    };
    ($($tokens:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "try_join! expects futures separated by commas, like `try_join!(a, b, c)`; found `",
            ::core::stringify!($($tokens)*),
            "`"
        ))
    };
}

/// Gives each `join!`/`try_join!` operand its tuple index, then expands the macro.
#[doc(hidden)]
#[macro_export]
macro_rules! __join_index {
    (@$kind:ident [$index:tt $($indices:tt)*] [$($done:tt)*] $operand:expr, $($rest:tt)*) => {
        $crate::__join_index!(@$kind [$($indices)*] [$($done)* ($index $operand)] $($rest)*)
    };
    (@$kind:ident [] [$($done:tt)*] $operand:expr, $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            ::core::stringify!($kind),
            "! takes at most 64 futures; nest it, e.g. `",
            ::core::stringify!($kind),
            "!(",
            ::core::stringify!($kind),
            "!(a, b), c)`"
        ))
    };
    (@join [$($indices:tt)*] [$(($index:tt $operand:expr))+]) => {{
        let mut __futures = ($(
            ::core::pin::pin!($crate::macros::__private::maybe_done($operand)),
        )+);
        const __COUNT: u32 = [$(::core::stringify!($index)),+].len() as u32;
        let mut __state = $crate::macros::__private::JoinState::new(__COUNT);
        $crate::macros::__private::poll_fn(move |__cx| {
            let mut __round = __state.start(__cx);
            while let ::core::option::Option::Some(__branch) = __round.next_branch() {
                let __done = match __branch {
                    $($index => __round.poll(__branch, __cx, |__cx| {
                        __futures.$index.as_mut().poll_done(__cx)
                    }),)+
                    _ => ::core::unreachable!(),
                };
                if __done {
                    __state.finished(__branch);
                }
            }
            if __state.is_finished() {
                $crate::macros::__private::PollState::Ready(($(
                    __futures.$index.as_mut().take_output(),
                )+))
            } else {
                $crate::macros::__private::PollState::Pending
            }
        })
        .await
    }};
    (@try_join [$($indices:tt)*] [$(($index:tt $operand:expr))+]) => {{
        let mut __futures = ($(
            ::core::pin::pin!($crate::macros::__private::try_maybe_done($operand)),
        )+);
        const __COUNT: u32 = [$(::core::stringify!($index)),+].len() as u32;
        let mut __state = $crate::macros::__private::JoinState::new(__COUNT);
        $crate::macros::__private::poll_fn(move |__cx| {
            let mut __round = __state.start(__cx);
            while let ::core::option::Option::Some(__branch) = __round.next_branch() {
                let __polled = match __branch {
                    $($index => __round.poll(__branch, __cx, |__cx| {
                        __futures.$index.as_mut().poll_try(__cx)
                    }),)+
                    _ => ::core::unreachable!(),
                };
                match __polled {
                    $crate::macros::__private::PollState::Ready(
                        ::core::result::Result::Ok(()),
                    ) => __state.finished(__branch),
                    $crate::macros::__private::PollState::Ready(
                        ::core::result::Result::Err(__error),
                    ) => {
                        return $crate::macros::__private::PollState::Ready(
                            ::core::result::Result::Err(__error),
                        );
                    }
                    $crate::macros::__private::PollState::Pending => {}
                }
            }
            if __state.is_finished() {
                $crate::macros::__private::PollState::Ready(::core::result::Result::Ok(($(
                    __futures.$index.as_mut().take_output(),
                )+)))
            } else {
                $crate::macros::__private::PollState::Pending
            }
        })
        .await
    }};
}
