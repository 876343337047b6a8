//! TCP: [`TcpListener`], [`TcpStream`] and the halves of a split stream.
//!
//! ```
//! use weft::net::tcp::{TcpListener, TcpStream};
//! # weft::runtime::Runtime::new().unwrap().block_on(async {
//! let l = TcpListener::bind("127.0.0.1:0").await?;
//! let _c = TcpStream::connect(l.local_addr()?).await?;
//! let (_s, peer) = l.accept().await?;
//! assert!(peer.ip().is_loopback());
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod listener;
mod split;
mod stream;

pub use listener::TcpListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, ReuniteError, WriteHalf};
pub use stream::TcpStream;
