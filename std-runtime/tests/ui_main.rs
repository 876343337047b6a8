//! Pins the compile errors of `#[weft::main]` and `#[weft::test]`, and checks that the
//! accepted forms compile and run. Regenerate the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p weft --test ui_main`, then read each one.

#[test]
fn ui_main() {
    let t = trybuild::TestCases::new();
    t.pass("tests/ui_main/pass/*.rs");
    t.compile_fail("tests/ui_main/fail/*.rs");
}
