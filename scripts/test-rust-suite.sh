#!/usr/bin/env bash
# A Rust test suite outside this repository, depending on n4n-mock by path as
# "From a Rust test suite" in docs/test-suites.md says: it runs its example
# (examples/rust/click_detail.rs, verbatim) and a lifecycle test that names a
# bundled scenario (tests/rust-suite/lifecycle.rs), from a folder with no
# scenarios of its own.
#
# It builds into the repository's target folder (CARGO_TARGET_DIR honoured),
# so the dependencies already built for the repository's own tests are
# reused; the crate's lock starts from the repository's Cargo.lock, so it
# resolves the same versions.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

target_dir=$(cargo metadata --locked --format-version 1 --no-deps --manifest-path "$repo/Cargo.toml" |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
suite=$(mktemp -d -t n4n-rust-suite.XXXXXX)
trap 'rm -rf "$suite"' EXIT

mkdir -p "$suite/tests"
cat >"$suite/Cargo.toml" <<TOML
[package]
name = "affiliate-integration"
version = "0.1.0"
edition = "2021"
publish = false

[dev-dependencies]
n4n-mock = { path = "$repo" }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
reqwest = { version = "0.13", default-features = false, features = ["json"] }
serde_json = "1"
TOML
mkdir -p "$suite/src"
: >"$suite/src/lib.rs"
cp "$repo/Cargo.lock" "$suite/Cargo.lock"
cp "$repo/examples/rust/click_detail.rs" "$suite/tests/click_detail.rs"
cp "$repo/tests/rust-suite/lifecycle.rs" "$suite/tests/lifecycle.rs"

cd "$suite"
CARGO_TARGET_DIR="$target_dir" cargo test --quiet
