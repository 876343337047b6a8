//! Misuse fails loudly with a message that says what to do instead.
mod support;

use support::panic_message as message;

#[test]
#[should_panic(expected = "there is no weft runtime on this thread: create one")]
fn spawn_outside_runtime_panics() {
    drop(weft::spawn(async {}));
}

#[test]
#[should_panic(expected = "`spawn_blocking` called outside a runtime")]
fn spawn_blocking_outside_runtime_panics() {
    drop(weft::task::spawn_blocking(|| ()));
}

#[test]
#[should_panic(expected = "there is no weft runtime on this thread")]
fn handle_current_outside_runtime_panics() {
    let _ = weft::runtime::Handle::current();
}

#[test]
#[should_panic(expected = "cannot block the current thread from within a weft runtime")]
fn block_on_inside_block_on_panics() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rt2 = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { rt2.block_on(async {}) });
}

#[test]
fn block_on_inside_task_panics_on_every_flavor() {
    for (name, rt) in support::runtimes() {
        let inner = weft::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let inner = std::sync::Arc::new(inner);
        let i = inner.clone();
        let err = rt
            .block_on(rt.spawn(async move { i.block_on(async { 1 }) }))
            .unwrap_err();
        assert!(err.is_panic(), "{name}");
        let msg = message(err.into_panic());
        assert!(msg.contains("Use `.await` instead"), "{name}: {msg}");
        // The handle's block_on too, and on the same runtime.
        let h = rt.handle().clone();
        let err = rt
            .block_on(rt.spawn(async move { h.block_on(async { 1 }) }))
            .unwrap_err();
        assert!(err.is_panic(), "{name}");
    }
}

#[test]
#[should_panic(expected = "block_in_place cannot be used on a current-thread runtime")]
fn block_in_place_on_current_thread_panics() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async { weft::task::block_in_place(|| ()) });
}

#[test]
fn block_in_place_in_current_thread_task_reports_message() {
    let rt = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt
        .block_on(rt.spawn(async { weft::task::block_in_place(|| ()) }))
        .unwrap_err();
    let msg = message(err.into_panic());
    assert!(msg.contains("spawn_blocking"), "{msg}");
}

#[test]
fn dropping_runtime_inside_task_panics() {
    let rt = weft::runtime::Runtime::new().unwrap();
    let inner = weft::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt
        .block_on(rt.spawn(async move { drop(inner) }))
        .unwrap_err();
    let msg = message(err.into_panic());
    assert!(
        msg.contains("dropped from inside an asynchronous context"),
        "{msg}"
    );
}

#[test]
#[should_panic(
    expected = "`spawn_local` must be called from inside `block_on` of a current-thread runtime"
)]
fn spawn_local_on_multi_thread_panics() {
    let rt = weft::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        drop(weft::task::spawn_local(async {}));
    });
}

#[test]
#[should_panic(expected = "worker_threads must be at least 1")]
fn zero_workers_rejected() {
    weft::runtime::Builder::new_multi_thread().worker_threads(0);
}

#[test]
fn unhandled_panic_shutdown_runtime_both_flavors() {
    support::assert_task_panic_shuts_down(|| drop(weft::spawn(async { panic!("first") })));
}
