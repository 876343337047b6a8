//! Pins the compile errors of `#[weft_core::task]` and checks that the accepted forms
//! compile. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p weft-core --test ui_task`, then read each one.

#[test]
fn ui_task() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui_task/pass/*.rs");
    t.compile_fail("tests/ui_task/fail/*.rs");
}
