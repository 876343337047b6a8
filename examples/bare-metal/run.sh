#!/usr/bin/env bash
# Builds and runs the bare-metal example, then checks what it claims:
#  - it is a #![no_std] #![no_main] binary: no Rust std, no allocator symbols linked in, no
#    C library or C start files (static, no undefined symbols, no dynamic loader);
#  - it runs its tasks to the expected output and exits 0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../target}/bare-metal"
cd "$here"
cargo fmt --check
cargo clippy --release --locked -- -D warnings
cargo build --release --locked
bin="$CARGO_TARGET_DIR/x86_64-unknown-linux-gnu/release/weft-bare-metal"
if nm "$bin" | grep -E '__rust_alloc|__rg_alloc|std::' >/dev/null; then
    echo "bare-metal: found allocator or std symbols in $bin" >&2
    nm "$bin" | grep -E '__rust_alloc|__rg_alloc|std::' | head >&2
    exit 1
fi
if [ -n "$(nm -u "$bin")" ]; then
    echo "bare-metal: the binary has undefined symbols (it must not need a C library):" >&2
    nm -u "$bin" >&2
    exit 1
fi
if readelf -l "$bin" | grep -q INTERP; then
    echo "bare-metal: the binary asks for a dynamic loader" >&2
    exit 1
fi
echo "bare-metal: static binary of $(stat -c %s "$bin") bytes: no std, no allocator, no C library"
out="$("$bin")"
echo "$out"
grep -qx "all checks passed" <<<"$out"
