//! Sockets on the runtime's own reactor: the parked worker turns the reactor, both flavors and
//! both reactor kinds.
mod support;

use weft::net::driver::ReactorKind;
use weft::net::{TcpListener, TcpStream};
use weft::runtime::Builder;

fn runtimes(kind: ReactorKind) -> Vec<(&'static str, weft::runtime::Runtime)> {
    vec![
        (
            "current_thread",
            Builder::new_current_thread().reactor(kind).build().unwrap(),
        ),
        (
            "multi_thread(1)",
            Builder::new_multi_thread()
                .worker_threads(1)
                .reactor(kind)
                .build()
                .unwrap(),
        ),
        (
            "multi_thread(2)",
            Builder::new_multi_thread()
                .worker_threads(2)
                .reactor(kind)
                .build()
                .unwrap(),
        ),
    ]
}

fn echo_roundtrips(kind: ReactorKind) {
    for (name, rt) in runtimes(kind) {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let server = weft::spawn(async move {
                for _ in 0..4 {
                    let (mut s, _) = listener.accept().await.unwrap();
                    weft::spawn(async move {
                        let mut buf = [0u8; 1024];
                        loop {
                            let n = s.read(&mut buf).await.unwrap();
                            if n == 0 {
                                break;
                            }
                            s.write_all(&buf[..n]).await.unwrap();
                        }
                    });
                }
            });
            let clients: Vec<_> = (0..4u8)
                .map(|c| {
                    weft::spawn(async move {
                        let mut s = TcpStream::connect(addr).await.unwrap();
                        for i in 0..50u8 {
                            let msg = [c, i, 7, 9];
                            s.write_all(&msg).await.unwrap();
                            let mut back = [0u8; 4];
                            s.read_exact(&mut back).await.unwrap();
                            assert_eq!(back, msg);
                        }
                    })
                })
                .collect();
            for c in clients {
                c.await.unwrap();
            }
            server.await.unwrap();
        });
        let _ = name;
    }
}

#[test]
fn echo_on_runtime_mio() {
    echo_roundtrips(ReactorKind::Mio);
}

#[test]
fn echo_on_runtime_polling() {
    echo_roundtrips(ReactorKind::Polling);
}

#[test]
fn runtime_drop_cancels_task_blocked_on_accept() {
    for (name, rt) in runtimes(ReactorKind::Mio) {
        let drops = support::DropCounter::default();
        let t = drops.track();
        rt.block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            weft::spawn(async move {
                let _t = t;
                let _ = listener.accept().await;
            });
            weft::task::yield_now().await;
        });
        drop(rt);
        assert_eq!(drops.count(), 1, "{name}");
    }
}

#[test]
fn timers_and_io_together() {
    for (name, rt) in runtimes(ReactorKind::Mio) {
        rt.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let r =
                weft::time::timeout(std::time::Duration::from_millis(20), listener.accept()).await;
            assert!(r.is_err(), "{name}: accept with no client must time out");
        });
    }
}
