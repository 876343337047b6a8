//! Asynchronous I/O traits and helpers: [`AsyncRead`], [`AsyncWrite`], [`AsyncBufRead`], their
//! extension traits, [`BufReader`] and [`copy`].
//!
//! # Design
//!
//! The traits have exactly the shape of the `futures-io` traits (`poll_read` into a
//! `&mut [u8]`, `poll_write`, `poll_flush`, and `poll_shutdown` for `poll_close`), so an
//! adapter between the two is a renaming. weft's own sockets implement **both** families:
//! `weft::io` for code written against weft, `futures_io` so the whole ecosystem built on it
//! (framing, TLS adapters, `futures::io::AsyncReadExt`) works on weft sockets unchanged.
//!
//! The extension traits ([`AsyncReadExt`], [`AsyncWriteExt`], [`AsyncBufReadExt`]) return
//! small named futures (no boxing), each a loop around one `poll_*` call.
//!
//! ```
//! use weft::io::{AsyncReadExt, AsyncWriteExt};
//!
//! # weft::runtime::Runtime::new().unwrap().block_on(async {
//! let mut out = Vec::new();
//! out.write_all(b"hello").await?;
//! let mut buf = [0u8; 5];
//! (&out[..]).read_exact(&mut buf).await?;
//! assert_eq!(&buf, b"hello");
//! # std::io::Result::Ok(()) }).unwrap();
//! ```

mod buf_reader;
mod copy;
mod ext;
mod traits;

pub use buf_reader::BufReader;
pub use copy::{copy, Copy};
pub use ext::{
    AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, Flush, Read, ReadExact, ReadLine, ReadToEnd,
    ReadToString, ReadUntil, Shutdown, Write, WriteAll,
};
pub use traits::{AsyncBufRead, AsyncRead, AsyncWrite};
pub use weft_core::io::{Interest, Ready};
