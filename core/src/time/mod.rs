//! Time: drivers, timer wheel, sleep, timeout, interval.
