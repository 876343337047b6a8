//! Chat server on weft: every line a client sends reaches every other connected client.
//!
//! ```text
//! cargo run -p weft-examples --bin chat                          # serve on 127.0.0.1:7070
//! cargo run -p weft-examples --bin chat -- --load 10000          # load test, see below
//! ```
//!
//! Server: one task per connection, joined by a broadcast channel. A connection's reader
//! publishes `(sender id, line)`; its writer forwards every line from another sender. The
//! accept loop backs off on `EMFILE` instead of spinning.
//!
//! `--load N [--senders S] [--messages M] [--reactor mio|polling]` starts the server as a child
//! process (this binary re-executed with `--server`, on an ephemeral loopback port), connects
//! `N` clients at once, waits until every client is subscribed (each receives a welcome
//! line), lets `S` of them send `M` lines each, and checks that each of the `S × M` lines
//! reached all `N − 1` other clients exactly once. Two processes, because each side needs one
//! descriptor per client: 10,000 clients need about 20,256 descriptors in one process, more
//! than a typical hard limit of 20,000; each process raises its own soft limit to its hard
//! limit. Traffic stays on 127.0.0.1; the run stops by itself after `--deadline` seconds
//! (default 300) with an error if deliveries are missing, and the server exits when its
//! parent does (it watches its stdin).

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use weft::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use weft::net::driver::ReactorKind;
use weft::net::{TcpListener, TcpStream};
use weft::sync::broadcast;

/// Lines buffered per subscriber before a slow client starts missing messages (it is told).
const CHANNEL_CAPACITY: usize = 4096;

struct Args {
    addr: SocketAddr,
    reactor: ReactorKind,
    load: Option<usize>,
    /// `--server`: the child process of `--load`.
    server: bool,
    senders: usize,
    messages: usize,
    deadline: Duration,
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "chat: {msg}\nusage: chat [--addr 127.0.0.1:PORT] [--reactor mio|polling] \
         [--load N [--senders S] [--messages M] [--deadline SECS]]"
    );
    std::process::exit(2)
}

fn parse_args() -> Args {
    let mut a = Args {
        addr: "127.0.0.1:7070".parse().unwrap(),
        reactor: ReactorKind::Mio,
        load: None,
        server: false,
        senders: 10,
        messages: 5,
        deadline: Duration::from_secs(300),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{arg} needs a value")))
        };
        let num = |s: String| {
            s.parse::<usize>()
                .unwrap_or_else(|_| usage("expected a number"))
        };
        match arg.as_str() {
            "--addr" => {
                let addr: SocketAddr = val().parse().unwrap_or_else(|_| usage("bad --addr"));
                if !addr.ip().is_loopback() {
                    usage("this example only serves loopback addresses");
                }
                a.addr = addr;
            }
            "--reactor" => {
                a.reactor = match val().as_str() {
                    "mio" => ReactorKind::Mio,
                    "polling" => ReactorKind::Polling,
                    _ => usage("--reactor is mio or polling"),
                }
            }
            "--load" => a.load = Some(num(val())),
            "--server" => a.server = true,
            "--senders" => a.senders = num(val()),
            "--messages" => a.messages = num(val()),
            "--deadline" => a.deadline = Duration::from_secs(num(val()) as u64),
            _ => usage(&format!("unknown argument {arg}")),
        }
    }
    a
}

type Line = (usize, Arc<str>);

/// Accepts forever, one task per client; out of descriptors, waits and retries.
async fn serve(listener: TcpListener) {
    let (tx, _) = broadcast::channel::<Line>(CHANNEL_CAPACITY);
    let mut next_id = 0;
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                next_id += 1;
                weft::spawn(client(stream, next_id, tx.clone()));
            }
            Err(e) if matches!(e.raw_os_error(), Some(23) | Some(24)) => {
                eprintln!("chat: accept: {e}; backing off 100 ms");
                weft::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => eprintln!("chat: accept: {e}"),
        }
    }
}

async fn client(stream: TcpStream, id: usize, tx: broadcast::Sender<Line>) {
    let mut rx = tx.subscribe();
    let (rd, mut wr) = stream.into_split();
    if wr
        .write_all(format!("welcome {id}\n").as_bytes())
        .await
        .is_err()
    {
        return;
    }
    let writer = weft::spawn(async move {
        loop {
            match rx.recv().await {
                Ok((from, line)) if from != id => {
                    if wr.write_all(line.as_bytes()).await.is_err() {
                        return;
                    }
                }
                Ok(_) => {}
                Err(broadcast::RecvError::Lagged(n)) => {
                    let msg = format!("* you missed {n} messages\n");
                    if wr.write_all(msg.as_bytes()).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::RecvError::Closed) => return,
            }
        }
    });
    let mut rd = BufReader::new(rd);
    let mut line = String::new();
    while matches!(rd.read_line(&mut line).await, Ok(n) if n > 0) {
        if !line.ends_with('\n') {
            line.push('\n');
        }
        let _ = tx.send((id, Arc::from(std::mem::take(&mut line))));
    }
    writer.abort();
}

/// Raises the open-file limit to at least `want` (each side needs one fd per client): the
/// soft limit up to the hard one, and the hard one too where the process may (root).
#[allow(clippy::unnecessary_cast)] // `rlim_t` is not `u64` on every platform
fn raise_fd_limit(want: u64) -> io::Result<u64> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `lim` is a valid out-pointer.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if (lim.rlim_max as u64) < want {
        let raised = libc::rlimit {
            rlim_cur: want as _,
            rlim_max: want as _,
        };
        // SAFETY: a valid rlimit value; failure (not privileged) is handled below.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            return Ok(want);
        }
    }
    lim.rlim_cur = lim.rlim_max;
    // SAFETY: a valid rlimit value (soft limit raised to the hard limit).
    if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(lim.rlim_cur as u64)
}

/// The server of `--load`: this binary re-executed with `--server`. It prints its address on
/// its first stdout line and exits when its stdin closes (when the load client exits, however
/// it exits).
struct ServerProcess {
    child: std::process::Child,
    addr: SocketAddr,
}

impl ServerProcess {
    fn start(reactor: ReactorKind) -> io::Result<ServerProcess> {
        use std::io::BufRead;
        use std::process::{Command, Stdio};
        let reactor = match reactor {
            ReactorKind::Polling => "polling",
            _ => "mio",
        };
        let mut child = Command::new(std::env::current_exe()?)
            .args(["--server", "--reactor", reactor])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let mut first = String::new();
        let stdout = child.stdout.take().expect("piped");
        std::io::BufReader::new(stdout).read_line(&mut first)?;
        let addr = first
            .trim()
            .strip_prefix("chat: listening on ")
            .and_then(|a| a.parse().ok());
        match addr {
            Some(addr) => Ok(ServerProcess { child, addr }),
            None => {
                let _ = child.kill();
                let _ = child.wait();
                Err(io::Error::other(format!(
                    "server process did not report its address: {first:?}"
                )))
            }
        }
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `--server`: serve on an ephemeral loopback port for a `--load` parent.
async fn serve_for_parent() -> io::Result<()> {
    use std::io::Write;
    let limit = raise_fd_limit(0)?; // the soft limit up to the hard one
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "chat: listening on {}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    eprintln!("chat server: open-file limit {limit}");
    // The parent holds our stdin: EOF means it is gone, and so is the load test.
    std::thread::spawn(|| {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        std::process::exit(0);
    });
    serve(listener).await;
    Ok(())
}

async fn load(args: &Args, n: usize) -> io::Result<()> {
    let want = n as u64 + 256;
    let limit = raise_fd_limit(want)?;
    if want > limit {
        return Err(io::Error::other(format!(
            "{n} clients need about {want} file descriptors; the limit is {limit}"
        )));
    }
    let senders = args.senders.min(n);
    let server = ServerProcess::start(args.reactor)?;
    let addr = server.addr;
    println!(
        "chat: server process {} on {addr}; open-file limit {limit}",
        server.child.id()
    );

    let expected_per_client = |i: usize| {
        let own = if i < senders { args.messages } else { 0 };
        senders * args.messages - own
    };
    let ready = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let (go, _) = broadcast::channel::<()>(1);
    let started = std::time::Instant::now();
    let mut clients = Vec::with_capacity(n);
    // All clients at once: the listen backlog (1024) and SYN retransmits absorb the burst.
    for i in 0..n {
        let (ready, failed) = (ready.clone(), failed.clone());
        let mut go = go.subscribe();
        let messages = if i < senders { args.messages } else { 0 };
        let expected = expected_per_client(i);
        clients.push(weft::spawn(async move {
            let joined = async {
                let stream = TcpStream::connect(addr).await?;
                let (rd, wr) = stream.into_split();
                let mut rd = BufReader::new(rd);
                let mut line = String::new();
                rd.read_line(&mut line).await?; // "welcome": subscribed
                io::Result::Ok((rd, wr, line))
            };
            let (mut rd, mut wr, mut line) = match joined.await {
                Ok(j) => j,
                Err(e) => {
                    failed.fetch_add(1, Ordering::SeqCst);
                    return Err(io::Error::other(format!("client {i}: joining: {e}")));
                }
            };
            ready.fetch_add(1, Ordering::SeqCst);
            let _ = go.recv().await;
            for m in 0..messages {
                wr.write_all(format!("msg {i} {m}\n").as_bytes()).await?;
            }
            let mut seen = std::collections::HashSet::new();
            while seen.len() < expected {
                line.clear();
                if rd.read_line(&mut line).await? == 0 {
                    return Err(io::Error::other(format!("client {i}: server closed early")));
                }
                if !line.starts_with("msg ") {
                    return Err(io::Error::other(format!("client {i}: unexpected {line:?}")));
                }
                if !seen.insert(line.clone()) {
                    return Err(io::Error::other(format!("client {i}: duplicate {line:?}")));
                }
            }
            io::Result::Ok(seen.len())
        }));
    }
    let mut waited = 0u32;
    while ready.load(Ordering::SeqCst) + failed.load(Ordering::SeqCst) < n {
        weft::time::sleep(Duration::from_millis(20)).await;
        waited += 1;
        if waited % 250 == 0 {
            println!(
                "chat: {} of {n} clients subscribed after {:?}",
                ready.load(Ordering::SeqCst),
                started.elapsed()
            );
        }
    }
    if failed.load(Ordering::SeqCst) > 0 {
        for c in clients {
            if let Ok(Err(e)) = c.await {
                return Err(e);
            }
        }
        unreachable!("a client reported failure");
    }
    println!(
        "chat: {n} clients connected and subscribed in {:?}",
        started.elapsed()
    );
    let _ = go.send(());
    let mut delivered = 0;
    for c in clients {
        delivered += c.await.map_err(|e| io::Error::other(e.to_string()))??;
    }
    let expected: usize = (0..n).map(expected_per_client).sum();
    if delivered != expected {
        return Err(io::Error::other(format!(
            "{delivered} of {expected} deliveries"
        )));
    }
    println!(
        "chat: {senders} senders x {} lines reached all {} other clients: {delivered} deliveries in {:?}",
        args.messages,
        n - 1,
        started.elapsed()
    );
    Ok(())
}

fn main() -> io::Result<()> {
    let args = parse_args();
    let rt = weft::runtime::Builder::new_multi_thread()
        .reactor(args.reactor)
        .build()?;
    rt.block_on(async {
        if args.server {
            return serve_for_parent().await;
        }
        match args.load {
            None => {
                let listener = TcpListener::bind(args.addr).await?;
                println!("chat: listening on {}", listener.local_addr()?);
                serve(listener).await;
                Ok(())
            }
            Some(n) => match weft::time::timeout(args.deadline, load(&args, n)).await {
                Ok(r) => r,
                Err(_) => Err(io::Error::other(
                    "load test did not finish before the deadline",
                )),
            },
        }
    })
}
