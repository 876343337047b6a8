//! UDP, Unix-domain sockets and `AsyncFd`, over loopback / socket pairs, against both
//! reactors.

mod net_common;

use std::io::ErrorKind;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::Arc;

use net_common::{join2, reactor_of, run, Cfg};
use weft::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Interest};
use weft::net::{AsyncFd, UdpSocket, UnixDatagram, UnixListener, UnixStream};

fn udp_send_to_recv_from(cfg: Cfg) {
    run(cfg, async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for i in 0..50u8 {
            a.send_to(&[i; 32], b.local_addr().unwrap()).await.unwrap();
            let mut buf = [0u8; 64];
            let (n, from) = b.recv_from(&mut buf).await.unwrap();
            assert_eq!((n, from), (32, a.local_addr().unwrap()));
            assert!(buf[..n].iter().all(|x| *x == i));
        }
    });
}

fn udp_connected_send_recv(cfg: Cfg) {
    run(cfg, async {
        let a = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let b = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        a.connect(b.local_addr().unwrap()).await.unwrap();
        b.connect(a.local_addr().unwrap()).await.unwrap();
        let recv = async {
            let mut buf = [0u8; 8];
            b.recv(&mut buf).await.unwrap()
        };
        let send = async { a.send(b"hello").await.unwrap() };
        assert_eq!(join2(recv, send).await, (5, 5));
        let e = b.try_recv_from(&mut [0u8; 8]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::WouldBlock);
    });
}

/// One `Arc<UdpSocket>` shared by two receiving threads: both datagrams are delivered, each
/// to one receiver (the waiter list wakes every waiting task).
fn udp_shared_by_two_receivers(cfg: Cfg) {
    let rt = cfg.runtime();
    let io = reactor_of(&rt);
    let sock = Arc::new(rt.block_on(UdpSocket::bind("127.0.0.1:0")).unwrap());
    let addr = sock.local_addr().unwrap();
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let sock = sock.clone();
            rt.spawn(async move {
                let mut buf = [0u8; 8];
                sock.recv_from(&mut buf).await.unwrap().0
            })
        })
        .collect();
    rt.block_on(async {
        let tx = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        tx.send_to(b"one", addr).await.unwrap();
        tx.send_to(b"two", addr).await.unwrap();
    });
    let got: Vec<usize> = receivers
        .into_iter()
        .map(|r| rt.block_on(r).unwrap())
        .collect();
    assert_eq!(got, vec![3, 3]);
    drop(sock);
    assert_eq!(io.registered(), 0);
}

fn unix_stream_listener_lines(cfg: Cfg) {
    run(cfg, async {
        let dir = std::env::temp_dir().join(format!(
            "weft-net-test-{}-{:?}-{:?}",
            std::process::id(),
            cfg.kind,
            cfg.flavor
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s");
        let listener = UnixListener::bind(&path).unwrap();
        let client = async {
            let mut c = UnixStream::connect(&path).await.unwrap();
            c.write_all(b"one\ntwo\n").await.unwrap();
            c.shutdown().await.unwrap();
        };
        let server = async {
            let (s, _) = listener.accept().await.unwrap();
            let mut lines = Vec::new();
            let mut r = BufReader::new(s);
            let mut line = String::new();
            while r.read_line(&mut line).await.unwrap() > 0 {
                lines.push(std::mem::take(&mut line));
            }
            lines
        };
        let ((), lines) = join2(client, server).await;
        assert_eq!(lines, ["one\n", "two\n"]);
        drop(listener);
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

fn unix_pair_split_echo(cfg: Cfg) {
    run(cfg, async {
        let (mut a, mut b) = UnixStream::pair().unwrap();
        let echo = async {
            let (mut rd, mut wr) = b.split();
            let n = weft::io::copy(&mut rd, &mut wr).await.unwrap();
            wr.shutdown().await.unwrap();
            n
        };
        let drive = async {
            let (mut rd, mut wr) = a.split();
            let data = vec![7u8; 1 << 20];
            let send = async {
                wr.write_all(&data).await.unwrap();
                wr.shutdown().await.unwrap();
            };
            let recv = async {
                let mut v = Vec::new();
                rd.read_to_end(&mut v).await.unwrap();
                v
            };
            join2(send, recv).await.1
        };
        let (n, got) = join2(echo, drive).await;
        assert_eq!(n, 1 << 20);
        assert_eq!(got.len(), 1 << 20);
    });
}

fn unix_datagram_pair(cfg: Cfg) {
    run(cfg, async {
        let (a, b) = UnixDatagram::pair().unwrap();
        a.send(b"dgram").await.unwrap();
        let mut buf = [0u8; 16];
        assert_eq!(b.recv(&mut buf).await.unwrap(), 5);
        assert!(b.ready(Interest::WRITABLE).await.unwrap().is_writable());
    });
}

/// `AsyncFd` on a pipe (a source weft has no type for).
fn async_fd_pipe(cfg: Cfg) {
    run(cfg, async {
        let mut fds = [0; 2];
        // SAFETY: `fds` has room for the two descriptors `pipe2` writes.
        assert_eq!(
            unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) },
            0
        );
        // SAFETY: `pipe2` just created both descriptors and nothing else owns them.
        let (rx, tx) = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
        let rx = AsyncFd::with_interest(rx, Interest::READABLE).unwrap();
        let tx = AsyncFd::with_interest(tx, Interest::WRITABLE).unwrap();
        let read = async {
            let mut got = Vec::new();
            let mut buf = [0u8; 4096];
            loop {
                let n = rx
                    .async_io(Interest::READABLE, |fd| {
                        // SAFETY: `buf` is valid for `buf.len()` bytes.
                        let n = unsafe {
                            libc::read(fd.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len())
                        };
                        if n < 0 {
                            Err(std::io::Error::last_os_error())
                        } else {
                            Ok(n as usize)
                        }
                    })
                    .await
                    .unwrap();
                if n == 0 {
                    return got;
                }
                got.extend_from_slice(&buf[..n]);
            }
        };
        let write = async move {
            let data = vec![3u8; 256 * 1024]; // more than a pipe holds: writes block
            let mut off = 0;
            while off < data.len() {
                let mut guard = tx.writable().await.unwrap();
                let chunk = &data[off..];
                // SAFETY: `chunk` is valid for `chunk.len()` bytes.
                let r = guard.try_io(|fd| {
                    let n =
                        unsafe { libc::write(fd.as_raw_fd(), chunk.as_ptr().cast(), chunk.len()) };
                    if n < 0 {
                        Err(std::io::Error::last_os_error())
                    } else {
                        Ok(n as usize)
                    }
                });
                if let Ok(n) = r {
                    off += n.unwrap();
                }
            }
            drop(tx); // close the write end: EOF for the reader
        };
        let (got, ()) = join2(read, write).await;
        assert_eq!(got.len(), 256 * 1024);
    });
}

both_reactors!(
    udp_send_to_recv_from,
    udp_connected_send_recv,
    udp_shared_by_two_receivers,
    unix_stream_listener_lines,
    unix_pair_split_echo,
    unix_datagram_pair,
    async_fd_pipe,
);
