//! Channel workloads: each runtime's own mpsc and oneshot.

use super::{join_all, timed, Measure, Scale};
use crate::rt::RtSync;

/// `senders` tasks each send `messages / senders` values into one bounded
/// channel of capacity `mpsc_cap`; one task receives them all.
pub fn mpsc_throughput<R: RtSync>(rt: &R, s: &Scale) -> Measure {
    let (senders, per, cap, sp) = (s.senders, s.messages / s.senders, s.mpsc_cap, rt.spawner());
    timed(rt, async move {
        let (tx, mut rx) = R::channel::<usize>(cap);
        for _ in 0..senders {
            let tx = tx.clone();
            R::detach(R::spawn(&sp, async move {
                for i in 0..per {
                    R::send(&tx, i).await;
                }
            }));
        }
        drop(tx);
        let mut got = 0;
        while R::recv(&mut rx).await.is_some() {
            got += 1;
        }
        assert_eq!(got, senders * per);
    })
}

/// `clients` tasks each make `requests` requests to one server task: a
/// request is a value plus a fresh oneshot sender, sent over an mpsc; the
/// server answers on the oneshot.
pub fn oneshot_reqrep<R: RtSync>(rt: &R, s: &Scale) -> Measure {
    let (clients, requests, sp) = (s.clients, s.requests, rt.spawner());
    timed(rt, async move {
        let (tx, mut rx) = R::channel::<(usize, R::OnceTx<usize>)>(clients);
        let server = R::spawn(&sp, async move {
            while let Some((v, reply)) = R::recv(&mut rx).await {
                R::send_once(reply, v * 2);
            }
        });
        join_all::<R, _>(&sp, clients, |_| {
            let tx = tx.clone();
            async move {
                for i in 0..requests {
                    let (reply, answer) = R::oneshot();
                    R::send(&tx, (i, reply)).await;
                    assert_eq!(answer.await, i * 2);
                }
            }
        })
        .await;
        drop(tx);
        server.await;
    })
}
