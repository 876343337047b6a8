//! Without `std` there are no thread-locals: only the global driver exists.

use super::{Handle, TimeDriver};

pub(super) fn current() -> Option<Handle> {
    None
}

pub(super) fn with<R>(_f: impl FnOnce(&dyn TimeDriver) -> R) -> Option<R> {
    None
}
