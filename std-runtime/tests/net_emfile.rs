//! An accept that hits the open-file limit returns `EMFILE` at once (no spin, no crash), and
//! works again once a descriptor is free. Its own test binary: it lowers `RLIMIT_NOFILE`
//! for the whole process, so nothing may run beside it.

mod net_common;

use net_common::{Cfg, Flavor, ReactorKind};
use weft::net::TcpListener;

fn emfile(cfg: Cfg) {
    let rt = cfg.runtime();
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        // A connection waits in the backlog (the kernel completes the handshake).
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();

        let mut old = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `old` is a valid out-pointer.
        assert_eq!(unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut old) }, 0);
        let low = libc::rlimit {
            rlim_cur: 256.min(old.rlim_cur),
            rlim_max: old.rlim_max,
        };
        // SAFETY: a valid rlimit value.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &low) }, 0);
        // Use up every descriptor below the limit.
        let mut hogs = Vec::new();
        loop {
            match std::fs::File::open("/dev/null") {
                Ok(f) => hogs.push(f),
                Err(e) => {
                    assert_eq!(e.raw_os_error(), Some(libc::EMFILE));
                    break;
                }
            }
        }
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE), "{err}");
        // Still failing, still not hanging: the readiness is kept, the error comes back.
        let err = listener.accept().await.unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EMFILE));
        // Free descriptors ("back off"): the pending connection is accepted.
        hogs.truncate(hogs.len().saturating_sub(8));
        let (_s, peer) = listener.accept().await.unwrap();
        assert!(peer.ip().is_loopback());
        drop(hogs);
        // SAFETY: restoring the limit read above.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &old) }, 0);
    });
}

#[test]
fn emfile_on_accept_returns_error_for_both_reactors_and_flavors() {
    for kind in [ReactorKind::Mio, ReactorKind::Polling] {
        for flavor in [Flavor::MultiThread, Flavor::CurrentThread] {
            emfile(Cfg { kind, flavor });
        }
    }
}
