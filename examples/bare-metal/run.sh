#!/usr/bin/env bash
# Builds and runs the bare-metal example, then checks what it claims:
#  - it is a #![no_std] #![no_main] binary: no Rust std, no allocator symbols linked in;
#  - it runs its tasks to the expected output and exits 0.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/../../target}/bare-metal"
cd "$here"
cargo clippy --release --locked -- -D warnings
cargo build --release --locked
bin="$CARGO_TARGET_DIR/release/weft-bare-metal"
if nm "$bin" | grep -E '__rust_alloc|__rg_alloc|std::' >/dev/null; then
    echo "bare-metal: found allocator or std symbols in $bin" >&2
    nm "$bin" | grep -E '__rust_alloc|__rg_alloc|std::' | head >&2
    exit 1
fi
if nm -u "$bin" | grep -wE 'malloc|calloc|realloc|free' >/dev/null; then
    echo "bare-metal: the binary calls the C allocator" >&2
    exit 1
fi
echo "bare-metal: binary size $(stat -c %s "$bin") bytes, no std, no allocator"
out="$("$bin")"
echo "$out"
grep -qx "all checks passed" <<<"$out"
