//! Instant and tick conversion arithmetic.

use weft_core::time::{
    duration_to_ticks_ceil, duration_to_ticks_saturating, ticks_to_duration,
    ticks_to_duration_ceil, Duration, Instant, TICK_HZ,
};

const NS_PER_TICK: u64 = 1_000_000_000 / TICK_HZ;

#[test]
fn durations_round_up_to_ticks() {
    assert_eq!(duration_to_ticks_ceil(Duration::ZERO), Some(0));
    assert_eq!(duration_to_ticks_ceil(Duration::from_nanos(1)), Some(1));
    assert_eq!(
        duration_to_ticks_ceil(Duration::from_nanos(NS_PER_TICK)),
        Some(1)
    );
    assert_eq!(
        duration_to_ticks_ceil(Duration::from_nanos(NS_PER_TICK + 1)),
        Some(if NS_PER_TICK == 1 { NS_PER_TICK + 1 } else { 2 })
    );
    // Never early: converting back covers at least the requested duration.
    for ns in [1, 999, 30_517, 30_518, 1_000_001, 123_456_789] {
        let d = Duration::from_nanos(ns);
        assert!(ticks_to_duration_ceil(duration_to_ticks_ceil(d).unwrap()) >= d);
    }
    assert_eq!(
        duration_to_ticks_ceil(Duration::from_secs(3)),
        Some(3 * TICK_HZ)
    );
    assert_eq!(duration_to_ticks_ceil(Duration::MAX), None);
    assert_eq!(duration_to_ticks_saturating(Duration::MAX), u64::MAX);
    let max_secs = u64::MAX / TICK_HZ;
    assert_eq!(
        duration_to_ticks_ceil(Duration::from_secs(max_secs)),
        Some(max_secs * TICK_HZ)
    );
    assert_eq!(
        duration_to_ticks_ceil(Duration::from_secs(max_secs + 1)),
        None
    );
}

#[test]
fn ticks_round_down_to_durations_and_back() {
    for t in [
        0,
        1,
        7,
        TICK_HZ - 1,
        TICK_HZ,
        TICK_HZ + 1,
        123_456_789,
        u64::MAX,
    ] {
        let d = ticks_to_duration(t);
        let up = ticks_to_duration_ceil(t);
        assert!(d <= up);
        // Both directions are exact for the decimal rates; otherwise the round trip through
        // the rounded-down duration may land one tick lower, never higher.
        let back = duration_to_ticks_ceil(d).unwrap();
        if 1_000_000_000 % TICK_HZ == 0 {
            assert_eq!(back, t, "ticks {t}");
        } else {
            assert!(
                back <= t && back.saturating_add(1) >= t,
                "ticks {t} -> {back}"
            );
        }
        assert!(duration_to_ticks_ceil(up).is_none_or(|b| b >= t));
    }
    assert_eq!(ticks_to_duration(TICK_HZ), Duration::from_secs(1));
}

#[test]
fn checked_and_saturating_add_sub() {
    let i = Instant::from_ticks(10 * TICK_HZ);
    assert_eq!(
        i.checked_add(Duration::from_secs(1)),
        Some(Instant::from_ticks(11 * TICK_HZ))
    );
    assert_eq!(i.checked_sub(Duration::from_secs(10)), Some(Instant::MIN));
    assert_eq!(i.checked_sub(Duration::from_secs(11)), None);
    assert_eq!(i.saturating_sub(Duration::from_secs(11)), Instant::MIN);
    assert_eq!(Instant::MAX.checked_add(Duration::from_nanos(1)), None);
    assert_eq!(
        Instant::MAX.saturating_add(Duration::from_nanos(1)),
        Instant::MAX
    );
    assert_eq!(Instant::MIN.checked_add(Duration::MAX), None);
    assert_eq!(Instant::MIN.saturating_add(Duration::MAX), Instant::MAX);
    assert_eq!(Instant::MIN.checked_add(Duration::ZERO), Some(Instant::MIN));
    assert_eq!(
        Instant::from_ticks(u64::MAX - 1).checked_add_ticks(1),
        Some(Instant::MAX)
    );
    assert_eq!(Instant::MAX.checked_add_ticks(1), None);
}

#[test]
fn sub_instants_saturates_and_checked_reports() {
    let a = Instant::from_ticks(TICK_HZ);
    let b = Instant::from_ticks(4 * TICK_HZ);
    assert_eq!(b - a, Duration::from_secs(3));
    assert_eq!(a - b, Duration::ZERO);
    assert_eq!(b.checked_duration_since(a), Some(Duration::from_secs(3)));
    assert_eq!(a.checked_duration_since(b), None);
    assert_eq!(a.saturating_duration_since(b), Duration::ZERO);
    assert_eq!(b.duration_since(a), Duration::from_secs(3));
    assert_eq!(
        Instant::MAX.saturating_duration_since(Instant::MIN),
        ticks_to_duration(u64::MAX)
    );
}

#[test]
fn operators_and_assign() {
    let mut i = Instant::MIN;
    i += Duration::from_millis(1500);
    assert_eq!(i.as_ticks(), TICK_HZ * 3 / 2);
    i -= Duration::from_millis(500);
    assert_eq!(i, Instant::from_ticks(TICK_HZ));
    assert_eq!(i + Duration::from_secs(1) - Duration::from_secs(1), i);
    assert!(Instant::MIN < Instant::MAX);
}

#[test]
#[should_panic(expected = "overflow when adding a duration to an Instant")]
fn add_overflow_panics_with_advice() {
    let _ = Instant::MAX + Duration::from_secs(1);
}

#[test]
#[should_panic(expected = "overflow when subtracting a duration from an Instant")]
fn sub_overflow_panics_with_advice() {
    let _ = Instant::MIN - Duration::from_secs(1);
}

#[test]
#[should_panic(
    expected = "no time driver: call sleep inside a weft runtime or register one with weft_core::time_driver!"
)]
fn now_without_driver_panics_with_advice() {
    let _ = Instant::now();
}
