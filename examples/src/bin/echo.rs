//! TCP echo server on weft.
//!
//! ```text
//! cargo run -p weft-examples --bin echo                         # serve on 127.0.0.1:7000
//! cargo run -p weft-examples --bin echo -- --addr 127.0.0.1:7001 --reactor polling
//! cargo run -p weft-examples --bin echo -- --check 100          # self-test over loopback
//! ```
//!
//! Each connection is one task that copies what it reads back to the writer half. The accept
//! loop backs off when the process runs out of file descriptors (`EMFILE`) instead of
//! spinning. `--check N` starts the server on an ephemeral loopback port, runs `N` clients
//! that each echo 64 KiB, verifies every byte and exits (non-zero on failure).

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use weft::io::{AsyncReadExt, AsyncWriteExt};
use weft::net::driver::ReactorKind;
use weft::net::{TcpListener, TcpStream};

struct Args {
    addr: SocketAddr,
    reactor: ReactorKind,
    check: Option<usize>,
}

fn parse_args() -> Args {
    let mut args = Args {
        addr: "127.0.0.1:7000".parse().unwrap(),
        reactor: ReactorKind::Mio,
        check: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut val = || {
            it.next()
                .unwrap_or_else(|| usage(&format!("{a} needs a value")))
        };
        match a.as_str() {
            "--addr" => {
                let addr: SocketAddr = val().parse().unwrap_or_else(|_| usage("bad --addr"));
                if !addr.ip().is_loopback() {
                    usage("this example only serves loopback addresses");
                }
                args.addr = addr;
            }
            "--reactor" => args.reactor = parse_reactor(&val()),
            "--check" => args.check = Some(val().parse().unwrap_or_else(|_| usage("bad --check"))),
            _ => usage(&format!("unknown argument {a}")),
        }
    }
    args
}

fn parse_reactor(s: &str) -> ReactorKind {
    match s {
        "mio" => ReactorKind::Mio,
        "polling" => ReactorKind::Polling,
        _ => usage("--reactor is mio or polling"),
    }
}

fn usage(msg: &str) -> ! {
    eprintln!(
        "echo: {msg}\nusage: echo [--addr 127.0.0.1:PORT] [--reactor mio|polling] [--check N]"
    );
    std::process::exit(2)
}

/// A multi-thread runtime on the chosen reactor.
fn runtime(kind: ReactorKind) -> io::Result<weft::runtime::Runtime> {
    weft::runtime::Builder::new_multi_thread()
        .reactor(kind)
        .build()
}

/// Accepts forever; out of descriptors, waits and retries instead of spinning.
async fn serve(listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, _)) => {
                weft::spawn(async move {
                    if let Err(e) = echo_connection(stream).await {
                        eprintln!("echo: connection: {e}");
                    }
                });
            }
            Err(e) if is_out_of_fds(&e) => {
                eprintln!("echo: accept: {e}; backing off 100 ms");
                weft::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => eprintln!("echo: accept: {e}"),
        }
    }
}

fn is_out_of_fds(e: &io::Error) -> bool {
    // EMFILE (24) and ENFILE (23) on Linux and macOS.
    matches!(e.raw_os_error(), Some(23) | Some(24))
}

async fn echo_connection(mut stream: TcpStream) -> io::Result<u64> {
    stream.set_nodelay(true)?;
    let (mut rd, mut wr) = stream.split();
    weft::io::copy(&mut rd, &mut wr).await
}

async fn check_client(addr: SocketAddr, seed: u8) -> io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let (mut rd, mut wr) = stream.into_split();
    let data: Vec<u8> = (0..64 * 1024)
        .map(|i| (i as u8).wrapping_mul(seed))
        .collect();
    let expected = data.clone();
    let writer = weft::spawn(async move {
        wr.write_all(&data).await?;
        wr.shutdown().await
    });
    let mut got = Vec::new();
    rd.read_to_end(&mut got).await?;
    writer
        .await
        .map_err(|e| io::Error::other(e.to_string()))??;
    if got != expected {
        return Err(io::Error::other("echoed bytes differ"));
    }
    Ok(())
}

fn main() -> io::Result<()> {
    let args = parse_args();
    let rt = runtime(args.reactor)?;
    rt.block_on(async move {
        match args.check {
            None => {
                let listener = TcpListener::bind(args.addr).await?;
                println!(
                    "echo: listening on {} ({:?} reactor)",
                    listener.local_addr()?,
                    args.reactor
                );
                serve(listener).await;
                Ok(())
            }
            Some(n) => {
                let listener = TcpListener::bind("127.0.0.1:0").await?;
                let addr = listener.local_addr()?;
                weft::spawn(serve(listener));
                let clients: Vec<_> = (0..n)
                    .map(|i| weft::spawn(check_client(addr, i as u8 | 1)))
                    .collect();
                for c in clients {
                    c.await.map_err(|e| io::Error::other(e.to_string()))??;
                }
                println!("echo: {n} clients echoed 64 KiB each, all bytes verified");
                Ok(())
            }
        }
    })
}
