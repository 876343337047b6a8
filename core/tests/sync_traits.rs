//! Compile-time checks: handles, guards and futures of `sync` are `Send`/`Sync` where tokio's
//! are, so they work in tasks of a multi-threaded runtime.
#![cfg(not(loom))] // loom builds run only the loom_sync_* models
use weft_core::sync::{broadcast, mpsc, oneshot, watch, Mutex, Notify, RwLock, Semaphore, Signal};

fn send<T: Send>(_: &T) {}
fn sync<T: Sync>(_: &T) {}

#[test]
fn handles_and_futures_are_send() {
    let (tx, mut rx) = mpsc::channel::<u8>(1);
    send(&tx);
    sync(&tx);
    send(&rx);
    send(&tx.send(1));
    send(&tx.reserve());
    send(&tx.try_reserve().unwrap());
    send(&rx.recv());

    let ch = mpsc::Channel::<u8, 2>::new();
    let (stx, srx) = ch.split();
    send(&stx);
    send(&srx);
    send(&stx.send(1));

    let (otx, orx) = oneshot::channel::<u8>();
    send(&otx);
    send(&orx);

    let (btx, mut brx) = broadcast::channel::<u8>(1);
    send(&btx);
    sync(&btx);
    send(&brx.recv());

    let (wtx, mut wrx) = watch::channel(0u8);
    send(&wtx);
    sync(&wtx);
    send(&wrx.changed());

    let m = Mutex::new(0u8);
    sync(&m);
    send(&m.lock());
    let rw = RwLock::new(0u8);
    sync(&rw);
    send(&rw.read());
    send(&rw.write());
    let s = Semaphore::new(1);
    send(&s.acquire());
    let n = Notify::new();
    send(&n.notified());
    let sig = Signal::<u8>::new();
    sync(&sig);
    send(&sig.wait());
}
