//! Compile-fail cases of `join!`, `try_join!` and `select!`: each misuse must give an error that
//! says what to write instead. The expected messages are pinned in `tests/ui/*.stderr`
//! (regenerate with `TRYBUILD=overwrite`, then read them).

#[test]
fn ui() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/select_*.rs");
    cases.compile_fail("tests/ui/join_*.rs");
    cases.compile_fail("tests/ui/try_join_*.rs");
}
