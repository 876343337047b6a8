//! TCP over loopback, against both reactors.

mod net_common;

use std::io::ErrorKind;
use std::net::Shutdown;

use net_common::{join2, reactor_of, run, Cfg};
use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::{TcpListener, TcpStream};
use weft_core::io::Interest;

async fn pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = TcpStream::connect(l.local_addr().unwrap()).await.unwrap();
    let (b, peer) = l.accept().await.unwrap();
    assert_eq!(peer, a.local_addr().unwrap());
    (a, b)
}

/// 4 MiB each way through borrowed halves: far more than the socket buffers, so both sides
/// hit `WouldBlock` many times and depend on every edge being delivered.
fn echo_large_transfer(cfg: Cfg) {
    run(cfg, async {
        let (mut client, mut server) = pair().await;
        const LEN: usize = 4 << 20;
        let data: Vec<u8> = (0..LEN).map(|i| (i % 251) as u8).collect();
        let echo = async {
            let (mut rd, mut wr) = server.split();
            let n = weft::io::copy(&mut rd, &mut wr).await.unwrap();
            wr.shutdown().await.unwrap(); // EOF for the client's read_to_end
            n
        };
        let drive = async {
            let (mut rd, mut wr) = client.split();
            let send = async {
                wr.write_all(&data).await.unwrap();
                wr.shutdown().await.unwrap();
            };
            let recv = async {
                let mut got = Vec::with_capacity(LEN);
                rd.read_to_end(&mut got).await.unwrap();
                got
            };
            join2(send, recv).await.1
        };
        let (copied, got) = join2(echo, drive).await;
        assert_eq!(copied, LEN as u64);
        assert!(got == data, "echoed bytes differ");
    });
}

/// Thousands of 1-byte round trips: each read drains the socket, so a single lost edge would
/// hang the test.
fn ping_pong_many_round_trips(cfg: Cfg) {
    run(cfg, async {
        let (mut a, mut b) = pair().await;
        a.set_nodelay(true).unwrap();
        b.set_nodelay(true).unwrap();
        let ponger = async {
            let mut byte = [0u8; 1];
            for _ in 0..2000 {
                b.read_exact(&mut byte).await.unwrap();
                b.write_all(&[byte[0].wrapping_add(1)]).await.unwrap();
            }
        };
        let pinger = async {
            let mut byte = [0u8; 1];
            for i in 0..2000u32 {
                a.write_all(&[i as u8]).await.unwrap();
                a.read_exact(&mut byte).await.unwrap();
                assert_eq!(byte[0], (i as u8).wrapping_add(1));
            }
        };
        join2(ponger, pinger).await;
    });
}

fn connect_refused(cfg: Cfg) {
    run(cfg, async {
        let addr = {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            l.local_addr().unwrap()
        };
        let err = TcpStream::connect(addr).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionRefused);
    });
}

fn eof_after_peer_shutdown(cfg: Cfg) {
    run(cfg, async {
        let (mut a, mut b) = pair().await;
        a.write_all(b"last words").await.unwrap();
        a.shutdown().await.unwrap();
        let mut s = String::new();
        b.read_to_string(&mut s).await.unwrap();
        assert_eq!(s, "last words");
        assert_eq!(b.read(&mut [0u8; 8]).await.unwrap(), 0, "EOF is sticky");
    });
}

/// A peer that closes with `SO_LINGER = 0` sends RST: reads fail with `ConnectionReset`,
/// writes with `BrokenPipe` or `ConnectionReset`.
fn reset_and_broken_pipe(cfg: Cfg) {
    run(cfg, async {
        let (mut a, b) = pair().await;
        let linger = libc::linger {
            l_onoff: 1,
            l_linger: 0,
        };
        // SAFETY: valid fd and a correctly sized `linger` value.
        let rc = unsafe {
            libc::setsockopt(
                std::os::fd::AsRawFd::as_raw_fd(&b),
                libc::SOL_SOCKET,
                libc::SO_LINGER,
                &linger as *const _ as *const libc::c_void,
                std::mem::size_of::<libc::linger>() as libc::socklen_t,
            )
        };
        assert_eq!(rc, 0);
        drop(b);
        let err = a.read(&mut [0u8; 8]).await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ConnectionReset);
        let mut write_err = None;
        for _ in 0..4 {
            if let Err(e) = a.write_all(b"anyone there?").await {
                write_err = Some(e);
                break;
            }
        }
        let kind = write_err
            .expect("writes to a reset socket must fail")
            .kind();
        assert!(
            matches!(kind, ErrorKind::BrokenPipe | ErrorKind::ConnectionReset),
            "{kind:?}"
        );
    });
}

/// Owned halves in two tasks (on two worker threads on the multi-thread flavor): the reader
/// and writer tasks of a chat client.
fn owned_halves_on_two_threads(cfg: Cfg) {
    let rt = cfg.runtime();
    let io = reactor_of(&rt);
    let (a, mut b) = rt.block_on(pair());
    let (mut rd, mut wr) = a.into_split();
    let writer = rt.spawn(async move {
        for i in 0..100u8 {
            wr.write_all(&[i; 100]).await.unwrap();
        }
        wr // dropped by the main thread after reunite
    });
    let reader = rt.spawn(async move {
        let mut buf = [0u8; 100];
        for i in 0..100u8 {
            b.read_exact(&mut buf).await.unwrap();
            assert!(buf.iter().all(|x| *x == i));
        }
        b.write_all(b"done").await.unwrap();
        b
    });
    let b = rt.block_on(reader).unwrap();
    let wr = rt.block_on(writer).unwrap();
    rt.block_on(async {
        let mut done = [0u8; 4];
        rd.read_exact(&mut done).await.unwrap();
        assert_eq!(&done, b"done");
    });
    let a = rd.reunite(wr).expect("same stream");
    assert_eq!(a.peer_addr().unwrap(), b.local_addr().unwrap());
    drop((a, b));
    assert_eq!(io.registered(), 0);
}

/// Two tasks wait for readability of the same stream; one write wakes both.
fn many_waiters_one_edge(cfg: Cfg) {
    run(cfg, async {
        let (mut a, b) = pair().await;
        let w1 = b.readable();
        let w2 = b.ready(Interest::READABLE);
        let write = async {
            a.write_all(b"x").await.unwrap();
        };
        let ((r1, r2), ()) = join2(join2(w1, w2), write).await;
        r1.unwrap();
        assert!(r2.unwrap().is_readable());
        assert_eq!(b.try_read(&mut [0u8; 4]).unwrap(), 1);
        let e = b.try_read(&mut [0u8; 4]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WouldBlock);
    });
}

/// The futures-io traits work on weft streams (what ecosystem adapters use).
fn futures_io_traits(cfg: Cfg) {
    use std::future::poll_fn;
    use std::pin::Pin;
    async fn fio_write<W: futures_io::AsyncWrite + Unpin>(w: &mut W, buf: &[u8]) -> usize {
        poll_fn(|cx| Pin::new(&mut *w).poll_write(cx, buf))
            .await
            .unwrap()
    }
    async fn fio_read<R: futures_io::AsyncRead + Unpin>(r: &mut R, buf: &mut [u8]) -> usize {
        poll_fn(|cx| Pin::new(&mut *r).poll_read(cx, buf))
            .await
            .unwrap()
    }
    async fn fio_close<W: futures_io::AsyncWrite + Unpin>(w: &mut W) {
        poll_fn(|cx| Pin::new(&mut *w).poll_close(cx))
            .await
            .unwrap()
    }
    run(cfg, async {
        let (mut a, mut b) = pair().await;
        assert_eq!(fio_write(&mut a, b"fio").await, 3);
        fio_close(&mut a).await;
        let mut buf = [0u8; 8];
        assert_eq!(fio_read(&mut b, &mut buf).await, 3);
        assert_eq!(fio_read(&mut b, &mut buf).await, 0);
    });
}

fn std_conversions(cfg: Cfg) {
    run(cfg, async {
        let std_l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let l = TcpListener::from_std(std_l).unwrap();
        let std_c = std::net::TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let mut c = TcpStream::from_std(std_c).unwrap();
        let (s, _) = l.accept().await.unwrap();
        let mut s = s.into_std().unwrap();
        s.set_nonblocking(false).unwrap();
        c.write_all(b"std").await.unwrap();
        let mut buf = [0u8; 3];
        std::io::Read::read_exact(&mut s, &mut buf).unwrap();
        assert_eq!(&buf, b"std");
        s.shutdown(Shutdown::Both).unwrap();
        let l = l.into_std().unwrap();
        drop(l);
    });
}

/// Shutting the reactor down fails a read that is pending, instead of hanging it, and makes
/// new sockets fail to register.
fn shutdown_fails_pending_io(cfg: Cfg) {
    let rt = cfg.runtime();
    let io = reactor_of(&rt);
    rt.block_on(async {
        let (a, _b) = pair().await;
        let mut first = true;
        let mut fut = std::pin::pin!(a.readable());
        let err = std::future::poll_fn(|cx| {
            let r = fut.as_mut().poll(cx);
            if first {
                assert!(r.is_pending(), "nothing was written");
                first = false;
                // The read is parked in the reactor: shut the reactor down under it.
                io.shutdown();
            }
            r
        })
        .await
        .unwrap_err();
        assert!(err.to_string().contains("shut down"), "{err}");
        let err = TcpListener::bind("127.0.0.1:0").await.unwrap_err();
        assert!(err.to_string().contains("shut down"), "{err}");
    });
}

/// Data and the peer's FIN arrive before the reader looks (one readiness edge for both). The
/// first read is short; on mio that clears read readiness at once, and the end of stream must
/// still be seen (it survives as the sticky `READ_CLOSED`), not hang.
fn eof_arriving_with_data_after_short_read(cfg: Cfg) {
    run(cfg, async {
        let (mut client, mut server) = pair().await;
        server.write_all(b"hello").await.unwrap();
        // Dropping sends the FIN right behind the data. On loopback `close` queues both in the
        // peer's socket before it returns, so both are there when the client first looks.
        drop(server);
        client.readable().await.unwrap();
        let mut buf = [0u8; 64];
        let n = client.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"hello");
        let mut rest = Vec::new();
        let m = client.read_to_end(&mut rest).await.unwrap();
        assert_eq!(m, 0, "end of stream after the data");
    });
}

use std::future::Future;

both_reactors!(
    eof_arriving_with_data_after_short_read,
    echo_large_transfer,
    ping_pong_many_round_trips,
    connect_refused,
    eof_after_peer_shutdown,
    reset_and_broken_pipe,
    owned_halves_on_two_threads,
    many_waiters_one_edge,
    futures_io_traits,
    std_conversions,
    shutdown_fails_pending_io,
);
