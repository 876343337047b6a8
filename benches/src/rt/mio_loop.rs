//! The floor of runtime overhead for `echo`: a hand-written, single-threaded,
//! edge-triggered `mio` event loop serving the same conversation as the
//! runtime version (`conns` clients, `trips` round trips of 64 bytes each,
//! server and clients in one process), with no tasks, wakers or queues.

use crate::workloads::{Measure, Scale, Stopwatch};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpListener};

/// One end of a connection and what it still has to do.
struct End {
    sock: TcpStream,
    /// Bytes read but not yet answered (server) or not yet a full message (client).
    pending: Vec<u8>,
    /// Round trips left (clients only).
    trips: usize,
    client: bool,
}

/// Runs the echo conversation; setup (connect, accept) is not timed.
pub fn echo(s: &Scale) -> Measure {
    const MESSAGE: usize = 64;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let addr = listener.local_addr().expect("local_addr");
    let mut poll = Poll::new().expect("poll");
    let mut ends = Vec::with_capacity(2 * s.conns);
    for _ in 0..s.conns {
        let client = std::net::TcpStream::connect(addr).expect("connect");
        let (server, _) = listener.accept().expect("accept");
        for (sock, client) in [(client, true), (server, false)] {
            sock.set_nodelay(true).expect("nodelay");
            sock.set_nonblocking(true).expect("nonblocking");
            let mut sock = TcpStream::from_std(sock);
            poll.registry()
                .register(&mut sock, Token(ends.len()), Interest::READABLE)
                .expect("register");
            ends.push(End {
                sock,
                pending: Vec::with_capacity(MESSAGE),
                trips: s.trips,
                client,
            });
        }
    }
    let watch = Stopwatch::start();
    let msg = [7u8; MESSAGE];
    let mut active = s.conns;
    for e in ends.iter_mut().filter(|e| e.client) {
        e.sock.write_all(&msg).expect("write");
    }
    let mut events = Events::with_capacity(1024);
    let mut buf = [0u8; 4096];
    while active > 0 {
        poll.poll(&mut events, None).expect("poll");
        for ev in events.iter() {
            let e = &mut ends[ev.token().0];
            // Edge-triggered: drain until WouldBlock.
            loop {
                match e.sock.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => e.pending.extend_from_slice(&buf[..n]),
                    Err(err) if err.kind() == io::ErrorKind::WouldBlock => break,
                    Err(err) => panic!("read: {err}"),
                }
            }
            if !e.client {
                // 64-byte writes on loopback never fill the socket buffer.
                e.sock.write_all(&e.pending).expect("echo");
                e.pending.clear();
            } else if e.pending.len() >= MESSAGE && e.trips > 0 {
                e.pending.drain(..MESSAGE);
                e.trips -= 1;
                if e.trips == 0 {
                    active -= 1;
                } else {
                    e.sock.write_all(&msg).expect("write");
                }
            }
        }
    }
    watch.stop()
}
