//! Unix-domain sockets: [`UnixListener`], [`UnixStream`] (and its split halves),
//! [`UnixDatagram`].
//!
//! ```
//! use weft::net::UnixStream;
//! # weft::runtime::Runtime::new().unwrap().block_on(async {
//! let (mut a, mut b) = UnixStream::pair()?;
//! a.write_all(b"hi").await?;
//! let mut buf = [0u8; 2];
//! b.read_exact(&mut buf).await?;
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod datagram;
mod listener;
mod split;
mod stream;

pub use datagram::UnixDatagram;
pub use listener::UnixListener;
pub use split::{OwnedReadHalf, OwnedWriteHalf, ReadHalf, WriteHalf};
pub use stream::UnixStream;
