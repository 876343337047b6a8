//! Procedural macros of weft: `#[weft::main]`, `#[weft::test]` and
//! `#[weft_core::task(pool_size = N)]` (also `#[weft::task]`).
//!
//! Use them through `weft` and `weft_core`, which re-export them; this crate is an
//! implementation detail. What each macro generates, in one line:
//!
//! - `#[weft::main] async fn main() -> R { body }` becomes
//!   `fn main() -> R { async fn __weft_body() -> R { body } weft::runtime::Builder::new_multi_thread().enable_all().build().expect(..).block_on(__weft_body()) }`.
//! - `#[weft::test] async fn t() { body }` becomes the same with `#[test]`, the
//!   current-thread flavor, and `.start_paused(true)` when asked.
//! - `#[weft_core::task(pool_size = N)] async fn f(a: A) -> T { body }` becomes
//!   `fn f(a: A) -> Result<SpawnToken<T, impl Sized>, SpawnError>` that spawns the body into a static pool
//!   of N slots sized at compile time from the function item (see `task.rs` for the
//!   technique).
//!
//! Every mistake is a compile error on the offending token that says what to write instead.
//! The messages are pinned by the trybuild tests in `std-runtime/tests/ui_main/` and
//! `core/tests/ui_task/`.
#![warn(missing_docs, missing_debug_implementations, rust_2018_idioms)]
#![forbid(unsafe_code)]

use proc_macro::TokenStream;

mod args;
mod entry;
mod select;
mod task;

/// Runs an `async fn main` on a weft runtime.
///
/// ```text
/// #[weft::main]
/// async fn main() {
///     println!("Running inside the weft runtime");
/// }
/// ```
///
/// expands to a `fn main` that builds a runtime with
/// `weft::runtime::Builder::new_multi_thread().enable_all().build()` and `block_on`s the body.
/// `main` may return a `Result`, as a plain `main` may.
///
/// Attributes:
/// - `flavor = "multi_thread"` (default: a work-stealing pool with one worker per core) or
///   `flavor = "current_thread"` (every task runs on the main thread);
/// - `worker_threads = N` (multi-thread flavor only);
/// - `crate = "path"`: where the `weft` crate is, when it is reached through a re-export.
#[proc_macro_attribute]
pub fn main(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Main, attr.into(), item.into()).into()
}

/// Runs an async test on a fresh weft runtime.
///
/// ```text
/// #[weft::test(start_paused = true)]
/// async fn times_out() {
///     let slow = weft::time::sleep(Duration::from_secs(60));
///     assert!(weft::time::timeout(Duration::from_secs(1), slow).await.is_err());
/// }
/// ```
///
/// expands to a `#[test] fn` that builds a current-thread runtime (one per test, so tests
/// stay independent) and `block_on`s the body. Attributes are those of [`main`](macro@main)
/// plus `start_paused = true`, which starts the runtime with its clock paused: time only
/// advances when every task is idle, so `sleep` and `timeout` complete at once and
/// deterministically. Tests default to `flavor = "current_thread"`.
#[proc_macro_attribute]
pub fn test(attr: TokenStream, item: TokenStream) -> TokenStream {
    entry::expand(entry::Kind::Test, attr.into(), item.into()).into()
}

/// Gives an `async fn` a static pool of `pool_size` slots (default 1), without an allocator,
/// on stable Rust.
///
/// ```text
/// #[weft_core::task(pool_size = 4)]
/// async fn handle(id: u32) -> u32 { id * 2 }
///
/// let token = handle(7)?;        // Result<SpawnToken<u32, impl Sized>, SpawnError>
/// let join = spawner.spawn(token);
/// assert_eq!(join.await?, 14);
/// ```
///
/// Calling the function no longer runs anything: it moves the arguments into a free slot of
/// the pool and returns a `SpawnToken<T, impl Sized>` (`T` is the function's return type;
/// the opaque marker is `Send` exactly when the task's future is) to hand to an executor, or
/// a `SpawnError` when all slots hold a running task. The output comes back through the
/// task's `JoinHandle`. A task cannot be generic, take `self` or `impl Trait`,
/// or borrow non-`'static` data: its pool is a `static` sized for exactly one future type.
///
/// `crate = "path"` names the `weft_core` crate when it is reached through a re-export.
#[proc_macro_attribute]
pub fn task(attr: TokenStream, item: TokenStream) -> TokenStream {
    task::expand(task::Via::Core, attr.into(), item.into()).into()
}

/// `#[weft::task]`: the pool-task macro for users of `weft`, who may not depend on
/// `weft_core` by name. Identical to [`task`](macro@task) except for paths: the expansion
/// reaches weft-core through weft's hidden `__core` re-export, and `crate = "path"` names
/// the `weft` crate.
///
/// ```text
/// #[weft::task(pool_size = 2)]
/// async fn pooled(n: u32) -> u32 { n + 1 }
///
/// let token = pooled(1)?;   // Result<SpawnToken<u32, impl Sized>, SpawnError> (weft-core types)
/// let join = weft::task::spawn_token(token);   // or Runtime/Handle::spawn_token,
/// assert_eq!(join.await?, 2);                  // spawn_local_token for !Send tasks
/// ```
///
/// The std runtime schedules the pool's own task: no allocation, no wrapper future; the
/// slot is free again once the task completes, is aborted, or the runtime is dropped.
#[proc_macro_attribute]
pub fn weft_task(attr: TokenStream, item: TokenStream) -> TokenStream {
    task::expand(task::Via::Weft, attr.into(), item.into()).into()
}

/// Helper of `weft_core::select!` (not a public API): returns the given pattern without `ref`,
/// `mut` and reference patterns, so `select!` can test a branch output by reference.
#[doc(hidden)]
#[proc_macro]
pub fn __select_clean_pattern(input: TokenStream) -> TokenStream {
    select::clean_pattern(input.into()).into()
}
