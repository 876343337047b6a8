//! TCP workloads over 127.0.0.1.

use super::{Measure, Scale, Stopwatch};
use crate::alloc_count::Meter;
use crate::rt::RtNet;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

/// Size of one echo message (bytes).
const MESSAGE: usize = 64;

fn loopback() -> SocketAddr {
    (Ipv4Addr::LOCALHOST, 0).into()
}

/// Serves every connection accepted on `listener` (`conns` of them) with
/// `serve`, each in its own task. Returns once all are accepted.
async fn accept_all<R: RtNet, F>(
    sp: R::Spawner,
    listener: R::Listener,
    conns: usize,
    serve: fn(R::Stream) -> F,
) where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    for _ in 0..conns {
        let stream = R::accept(&listener).await.expect("accept");
        R::detach(R::spawn(&sp, serve(stream)));
    }
}

/// `conns` client tasks each do `trips` round trips of a 64-byte message to
/// an echo server on the same runtime. Connection set-up is not timed.
pub fn echo<R: RtNet>(rt: &R, s: &Scale) -> Measure {
    let (conns, trips, sp) = (s.conns, s.trips, rt.spawner());
    rt.block_on(async move {
        let listener = R::bind(loopback()).await.expect("bind");
        let addr = R::local_addr(&listener);
        let acceptor = R::spawn(
            &sp,
            accept_all::<R, _>(sp.clone(), listener, conns, |mut st| async move {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) = R::read(&mut st, &mut buf).await {
                    if R::write_all(&mut st, &buf[..n]).await.is_err() {
                        break;
                    }
                }
            }),
        );
        let mut clients = Vec::with_capacity(conns);
        for _ in 0..conns {
            clients.push(R::connect(addr).await.expect("connect"));
        }
        acceptor.await;
        let watch = Stopwatch::start();
        let handles: Vec<_> = clients
            .into_iter()
            .map(|mut c| {
                R::spawn(&sp, async move {
                    let (msg, mut back) = ([7u8; MESSAGE], [0u8; MESSAGE]);
                    for _ in 0..trips {
                        R::write_all(&mut c, &msg).await.expect("write");
                        R::read_exact(&mut c, &mut back).await.expect("read");
                    }
                })
            })
            .collect();
        for h in handles {
            h.await;
        }
        watch.stop()
    })
}

/// Heap bytes per idle server-side connection: `idle_conns` blocking std
/// clients connect, and the server parks one task per connection in `read`.
pub fn idle_connections<R: RtNet>(rt: &R, s: &Scale) -> Measure {
    // Connect in batches no larger than any listen backlog, so that no SYN is
    // dropped (and retried a second later) while the acceptor catches up.
    const BATCH: usize = 64;
    let (n, sp) = (s.idle_conns, rt.spawner());
    rt.block_on(async move {
        let listener = R::bind(loopback()).await.expect("bind");
        let addr = R::local_addr(&listener);
        let mut clients = Vec::with_capacity(n);
        let parked = Arc::new(AtomicUsize::new(0));
        let meter = Meter::start();
        let acceptor = {
            let (sp, parked) = (sp.clone(), parked.clone());
            R::spawn(&sp.clone(), async move {
                for _ in 0..n {
                    let mut st = R::accept(&listener).await.expect("accept");
                    let parked = parked.clone();
                    R::detach(R::spawn(&sp, async move {
                        parked.fetch_add(1, Ordering::Release);
                        let _ = R::read(&mut st, &mut [0u8; 1]).await;
                    }));
                }
            })
        };
        while clients.len() < n {
            for _ in 0..BATCH.min(n - clients.len()) {
                clients.push(std::net::TcpStream::connect(addr).expect("connect"));
            }
            while parked.load(Ordering::Acquire) < clients.len() {
                R::yield_now().await;
            }
        }
        acceptor.await;
        // Let the last tasks reach their `read` and register interest.
        for _ in 0..100 {
            R::yield_now().await;
        }
        let bytes = meter.grown() as f64 / n as f64;
        drop(meter);
        drop(clients);
        Measure::Bytes(bytes)
    })
}
