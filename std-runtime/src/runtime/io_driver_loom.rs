//! Stand-in for `io_driver.rs` under `cfg(loom)`: the loom models park without a reactor, so an
//! `Io` is never created.
use std::io;
use std::time::Duration;

/// Uninhabited: no reactor exists under loom.
#[derive(Clone, Debug)]
pub(crate) enum Io {}

/// No reactor kinds under loom.
pub(crate) type Kind = ();

/// Nothing to restore.
#[derive(Debug)]
pub(crate) struct IoGuard;

impl Io {
    #[allow(dead_code)]
    pub(crate) fn new(_kind: Kind) -> io::Result<Io> {
        Err(io::Error::other("no reactor under loom"))
    }
    pub(crate) fn turn(&self, _timeout: Option<Duration>) -> bool {
        match *self {}
    }
    pub(crate) fn unpark(&self) {
        match *self {}
    }
    pub(crate) fn shutdown(&self) {
        match *self {}
    }
    pub(crate) fn enter(&self) -> IoGuard {
        match *self {}
    }
}
