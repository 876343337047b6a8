//! Many tasks spawned at once from inside `block_on`, each waiting on something (a timer, a
//! socket), all run to completion on both flavors and both reactors: the "burst of 600
//! connects" of the chat load test, reduced to the runtime.

mod net_common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use net_common::Cfg;
use weft::net::{TcpListener, TcpStream};

/// Tasks spawned from `block_on` that each sleep, then count themselves.
fn spawn_5000_sleepers_from_block_on(cfg: Cfg) {
    const N: usize = 5_000;
    let rt = cfg.runtime();
    let done = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let handles: Vec<_> = (0..N)
            .map(|i| {
                let (done, started) = (done.clone(), started.clone());
                weft::spawn(async move {
                    started.fetch_add(1, Ordering::SeqCst);
                    weft::time::sleep(Duration::from_millis(1 + (i % 7) as u64)).await;
                    done.fetch_add(1, Ordering::SeqCst);
                    i
                })
            })
            .collect();
        for (i, h) in handles.into_iter().enumerate() {
            assert_eq!(h.await.unwrap(), i);
        }
    });
    assert_eq!(started.load(Ordering::SeqCst), N);
    assert_eq!(done.load(Ordering::SeqCst), N);
}

/// Tasks spawned from `block_on` that each connect to one listener and do a round trip; the
/// accept loop is a task too.
fn spawn_1000_connecting_clients_from_block_on(cfg: Cfg) {
    const N: usize = 1_000;
    net_common::run(cfg, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = weft::spawn(async move {
            let mut conns = Vec::new();
            for _ in 0..N {
                let (mut s, _) = listener.accept().await.unwrap();
                conns.push(weft::spawn(async move {
                    let mut b = [0u8; 4];
                    s.read_exact(&mut b).await.unwrap();
                    s.write_all(&b).await.unwrap();
                }));
            }
            for c in conns {
                c.await.unwrap();
            }
        });
        let clients: Vec<_> = (0..N as u32)
            .map(|i| {
                weft::spawn(async move {
                    let mut c = TcpStream::connect(addr).await.unwrap();
                    c.write_all(&i.to_le_bytes()).await.unwrap();
                    let mut b = [0u8; 4];
                    c.read_exact(&mut b).await.unwrap();
                    assert_eq!(u32::from_le_bytes(b), i);
                })
            })
            .collect();
        for c in clients {
            c.await.unwrap();
        }
        server.await.unwrap();
    });
}

/// `TcpListener::bind` listens with a backlog of 1024: 600 connections complete their
/// handshake while nobody accepts (mio's default of 128 would leave most of them hanging in
/// SYN retransmits), then all are accepted.
fn backlog_holds_a_burst_of_600(cfg: Cfg) {
    const N: usize = 600;
    net_common::run(cfg, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Blocking connects, one after the other: each returns once the kernel has queued
        // the connection, which it only does while the backlog has room.
        let clients = weft::task::spawn_blocking(move || {
            (0..N)
                .map(|_| {
                    let s = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(30));
                    s.expect("connection queued in the backlog")
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap();
        for _ in 0..N {
            listener.accept().await.unwrap();
        }
        drop(clients);
    });
}

both_reactors!(
    backlog_holds_a_burst_of_600,
    spawn_5000_sleepers_from_block_on,
    spawn_1000_connecting_clients_from_block_on
);
