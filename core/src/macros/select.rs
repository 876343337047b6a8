//! `select!`. See the [module docs](super) for how it is built.

/// Waits on several futures at once and runs the handler of the first one that finishes,
/// dropping the others.
///
/// ```text
/// select! {
///     biased;                                     // optional: poll in written order
///     <pattern> = <future> => <handler>,          // a branch
///     <pattern> = <future>, if <condition> => <handler>,
///     else => <handler>,                          // optional, must come last
/// }
/// ```
///
/// Must be used inside an `async` context. A handler is an expression followed by `,` (optional
/// after the last branch) or a block `{ .. }` (the comma is optional). The whole `select!` is an
/// expression whose value is the value of the handler that ran; handlers may `break`,
/// `continue`, `return` or use `?` as if they were written outside the macro.
///
/// # What happens, in order
///
/// 1. Every `if <condition>` is evaluated; a branch whose condition is `false` is *disabled*.
/// 2. Every `<future>` is evaluated (also for disabled branches, whose futures are never polled)
///    and turned into a future with [`IntoFuture`](core::future::IntoFuture). `&mut fut` works
///    for a future that is `Unpin` (or pinned with [`core::pin::pin!`]).
/// 3. On each poll, the enabled branches are polled once each. Without `biased;` the first
///    branch polled is chosen pseudo-randomly on every poll, so a branch that is always ready
///    cannot starve the others; with `biased;` they are polled top to bottom.
/// 4. When a branch's future finishes, the branch is disabled and its output is tested against
///    `<pattern>`. If it does not match, the output is dropped and the race goes on with the
///    remaining branches. If it matches, polling stops.
/// 5. All futures are dropped, then the handler runs with the pattern's bindings.
/// 6. If every branch is disabled (by its condition or a mismatch) before one matches, the
///    `else` handler runs; without `else`, `select!` panics with "all branches are disabled and
///    there is no else branch".
///
/// At most 64 branches. Nothing is allocated; the futures live in the enclosing `async` body.
///
/// # Cancellation safety
///
/// When a branch wins, every other future is **dropped** in whatever state it reached. A future
/// is *cancellation safe* if dropping it before it finishes loses nothing: waiting for a timer,
/// for readiness, or for a message with an operation that takes the message only in the poll
/// that returns it. A future that makes progress in several steps is not: a `read_exact` that
/// already copied half a frame, a "receive then decode" future that took the message off the
/// queue and is waiting for more bytes, a write that sent part of a buffer. When such a future
/// loses, that partial progress is gone.
///
/// In a loop, `select!` creates the futures again on every iteration, so only cancellation-safe
/// operations belong there. To keep a long operation across iterations, create it once before
/// the loop, pin it, and race `&mut fut`: a branch that loses is then not dropped, only
/// borrowed, and resumes where it stopped on the next iteration. A branch whose output did not
/// match its pattern was polled to completion, so its output is dropped, not cancelled.
///
/// # Examples
///
/// The first future to finish wins; the loser is dropped:
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
/// # /// Returns `Pending` `n` times, then `()`.
/// # async fn yields(n: u32) {
/// #     let mut left = n;
/// #     core::future::poll_fn(|cx| {
/// #         if left == 0 { return core::task::Poll::Ready(()); }
/// #         left -= 1;
/// #         cx.waker().wake_by_ref();
/// #         core::task::Poll::Pending
/// #     }).await
/// # }
/// use weft_core::select;
///
/// block_on(async {
///     let winner = select! {
///         _ = yields(10) => "slow",
///         v = async { yields(1).await; 42 } => if v == 42 { "fast" } else { "?" },
///     };
///     assert_eq!(winner, "fast");
/// });
/// ```
///
/// Preconditions, pattern mismatch and `else`: a branch whose output does not match its pattern
/// is disabled and the others keep racing.
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
/// use core::future::ready;
/// use weft_core::select;
///
/// block_on(async {
///     let have_backup = false;
///     let got = select! {
///         biased;
///         Some(x) = ready(None::<u32>) => x,          // finishes but does not match: disabled
///         Ok(y) = ready(Ok::<u32, ()>(2)) => y * 10,  // matches
///         z = ready(3), if have_backup => z,           // disabled by its condition
///     };
///     assert_eq!(got, 20);
///
///     let fallback = select! {
///         Some(x) = ready(None::<u32>) => x,
///         else => 0,
///     };
///     assert_eq!(fallback, 0);
/// });
/// ```
///
/// Keeping a long operation across loop iterations by racing `&mut fut` (it is borrowed, not
/// dropped, when the other branch wins), and `break` from a handler:
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
/// # async fn yields(n: u32) {
/// #     let mut left = n;
/// #     core::future::poll_fn(|cx| {
/// #         if left == 0 { return core::task::Poll::Ready(()); }
/// #         left -= 1;
/// #         cx.waker().wake_by_ref();
/// #         core::task::Poll::Pending
/// #     }).await
/// # }
/// use weft_core::select;
///
/// block_on(async {
///     // Five steps of work that must not restart from scratch.
///     let mut job = core::pin::pin!(async {
///         yields(5).await;
///         "done"
///     });
///     let mut ticks = 0;
///     let result = loop {
///         select! {
///             biased;
///             out = &mut job => break out,
///             () = yields(1) => ticks += 1,
///         }
///     };
///     assert_eq!(result, "done");
///     assert!(ticks >= 1);
/// });
/// ```
#[macro_export]
macro_rules! select {
    () => {
        ::core::compile_error!(
            "select! needs at least one branch, like `select! { v = future => handler, }`"
        )
    };
    (biased;) => {
        $crate::select!()
    };
    (biased; $($branches:tt)+) => {
        $crate::__select_parse!(@start true $($branches)+)
    };
    ($($branches:tt)+) => {
        $crate::__select_parse!(@start false $($branches)+)
    };
}

/// Parses `select!` branches one per step into
/// `{ Variant index pattern future [condition] handler }` records, then calls `__select_emit!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_parse {
    (@start $biased:tt $($branches:tt)+) => {
        $crate::__select_parse!(
            @{ $biased [(B0 0) (B1 1) (B2 2) (B3 3) (B4 4) (B5 5) (B6 6) (B7 7) (B8 8) (B9 9) (B10 10) (B11 11) (B12 12) (B13 13) (B14 14) (B15 15) (B16 16) (B17 17) (B18 18) (B19 19) (B20 20) (B21 21) (B22 22) (B23 23) (B24 24) (B25 25) (B26 26) (B27 27) (B28 28) (B29 29) (B30 30) (B31 31) (B32 32) (B33 33) (B34 34) (B35 35) (B36 36) (B37 37) (B38 38) (B39 39) (B40 40) (B41 41) (B42 42) (B43 43) (B44 44) (B45 45) (B46 46) (B47 47) (B48 48) (B49 49) (B50 50) (B51 51) (B52 52) (B53 53) (B54 54) (B55 55) (B56 56) (B57 57) (B58 58) (B59 59) (B60 60) (B61 61) (B62 62) (B63 63)] [] }
            $($branches)+
        )
    };

    // ----- end of input -----
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] }) => {
        $crate::__select_emit!($biased [$($parsed)*] [])
    };

    // ----- `else` (must be last) -----
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } else => $handler:block $(,)?) => {
        $crate::__select_emit!($biased [$($parsed)*] [$handler])
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } else => $handler:expr $(,)?) => {
        $crate::__select_emit!($biased [$($parsed)*] [$handler])
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } else => $($rest:tt)+) => {
        ::core::compile_error!(::core::concat!(
            "the `else` branch must be the last branch of select!, found `",
            ::core::stringify!($($rest)+),
            "` after it"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } else $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "expected `else => handler` in select!, found `else ",
            ::core::stringify!($($rest)*),
            "`"
        ))
    };

    // ----- more than 64 branches -----
    (@{ $biased:tt [] [$($parsed:tt)*] } $($rest:tt)+) => {
        ::core::compile_error!(
            "select! supports at most 64 branches; split it, e.g. race a nested select! or join! in one branch"
        )
    };

    // ----- a branch: block handler, then expression handler; with and without `, if` -----
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr, if $condition:expr => $handler:block, $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [$condition] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr => $handler:block, $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr, if $condition:expr => $handler:block $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [$condition] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr => $handler:block $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr, if $condition:expr => $handler:expr, $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [$condition] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr => $handler:expr, $($rest:tt)*) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [] $handler }] }
            $($rest)*
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr, if $condition:expr => $handler:expr) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [$condition] $handler }] }
        )
    };
    (@{ $biased:tt [($variant:ident $index:tt) $($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr => $handler:expr) => {
        $crate::__select_parse!(
            @{ $biased [$($pool)*]
                [$($parsed)* { $variant $index $pattern $future [] $handler }] }
        )
    };

    // ----- malformed branches, most specific first -----
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr $(, if $condition:expr)? =>) => {
        ::core::compile_error!(::core::concat!(
            "select! branch `",
            ::core::stringify!($pattern = $future $(, if $condition)? =>),
            "` has no handler: write an expression or a block after `=>`"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr $(, if $condition:expr)? => $($rest:tt)+) => {
        ::core::compile_error!(::core::concat!(
            "cannot parse the handler of select! branch `",
            ::core::stringify!($pattern = $future $(, if $condition)? => $($rest)+),
            "`: a handler is a block `{ .. }` or an expression followed by `,` ",
            "(is a `,` missing before the next branch?)"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] }
        $pattern:pat = $future:expr, $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "expected `=> handler` or `, if condition => handler` after the future of select! ",
            "branch `",
            ::core::stringify!($pattern = $future, $($rest)*),
            "`"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } $pattern:pat = $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "expected `=>` after the future of select! branch `",
            ::core::stringify!($pattern = $($rest)*),
            "`: write `pattern = future => handler`"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } $pattern:pat => $($rest:tt)*) => {
        ::core::compile_error!(::core::concat!(
            "select! branch `",
            ::core::stringify!($pattern => $($rest)*),
            "` has no future: write `pattern = future => handler`"
        ))
    };
    (@{ $biased:tt [$($pool:tt)*] [$($parsed:tt)*] } $($rest:tt)+) => {
        ::core::compile_error!(::core::concat!(
            "expected a select! branch `pattern = future => handler`, found `",
            ::core::stringify!($($rest)+),
            "`"
        ))
    };
}

/// Expands parsed `select!` branches. See the module docs of `weft_core::macros`.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_emit {
    ($biased:tt [] [$($else:tt)*]) => {
        ::core::compile_error!(
            "select! needs at least one `pattern = future => handler` branch besides `else`"
        )
    };
    ($biased:tt
        [$({ $variant:ident $index:tt $pattern:tt $future:tt [$($condition:tt)?] $handler:tt })+]
        [$($else:tt)?]
    ) => {{
        enum __SelectOut<$($variant,)+> {
            $($variant($variant),)+
            Disabled,
        }
        let __select_output = {
            const __BRANCHES: u32 = [$(::core::stringify!($index)),+].len() as u32;
            let mut __disabled: u64 = 0;
            $($(
                if !$condition {
                    __disabled |= 1u64 << $index;
                }
            )?)+
            let mut __futures = ($(
                ::core::pin::pin!($crate::macros::__private::into_future($future)),
            )+);
            $crate::macros::__private::poll_fn(move |__cx| {
                let __start = if $biased {
                    0
                } else {
                    $crate::macros::__private::random_below(__BRANCHES)
                };
                let mut __pending = false;
                for __offset in 0..__BRANCHES {
                    let mut __branch = __start + __offset;
                    if __branch >= __BRANCHES {
                        __branch -= __BRANCHES;
                    }
                    match __branch {
                        $($index => {
                            if __disabled & (1u64 << $index) != 0 {
                                continue;
                            }
                            let __output = match $crate::macros::__private::Future::poll(
                                __futures.$index.as_mut(),
                                __cx,
                            ) {
                                $crate::macros::__private::PollState::Ready(__output) => __output,
                                $crate::macros::__private::PollState::Pending => {
                                    __pending = true;
                                    continue;
                                }
                            };
                            // Finished: never poll this future again.
                            __disabled |= 1u64 << $index;
                            #[allow(unused_variables)]
                            let __matches = match &__output {
                                $crate::macros::__private::clean_pattern!($pattern) => true,
                                #[allow(unreachable_patterns)]
                                _ => false,
                            };
                            if __matches {
                                return $crate::macros::__private::PollState::Ready(
                                    __SelectOut::$variant(__output),
                                );
                            }
                        })+
                        _ => ::core::unreachable!(),
                    }
                }
                if __pending {
                    $crate::macros::__private::PollState::Pending
                } else {
                    $crate::macros::__private::PollState::Ready(__SelectOut::Disabled)
                }
            })
            .await
        };
        match __select_output {
            $(__SelectOut::$variant($pattern) => $handler,)+
            __SelectOut::Disabled => $crate::__select_else!($($else)?),
            #[allow(unreachable_patterns)]
            _ => ::core::unreachable!("select!: an output matched its pattern by reference but not by value"),
        }
    }};
}

/// The `else` handler of `select!`, or the panic when there is none.
#[doc(hidden)]
#[macro_export]
macro_rules! __select_else {
    () => {
        ::core::panic!("all branches are disabled and there is no else branch")
    };
    ($handler:tt) => {
        $handler
    };
}
