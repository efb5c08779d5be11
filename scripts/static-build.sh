#!/usr/bin/env bash
# Builds the fully static n4n-mock (x86_64-unknown-linux-musl, release) and
# prints its path as the last line. scripts/image.sh and scripts/dist.sh
# start with it.
#
# Needs the musl target (added with rustup when missing) and musl-gcc, since
# some dependencies compile C (Debian: apt-get install musl-tools).
#
# Usage: scripts/static-build.sh    (CARGO_TARGET_DIR is honoured, as by cargo)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TARGET=x86_64-unknown-linux-musl

note() { printf 'static-build: %s\n' "$*" >&2; }

if command -v rustup >/dev/null 2>&1 &&
  ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  note "adding the Rust target $TARGET"
  rustup target add "$TARGET" >&2
fi
if ! command -v musl-gcc >/dev/null 2>&1; then
  note "musl-gcc is needed to compile the C parts of the static build;"
  note "install it (Debian, Ubuntu: apt-get install musl-tools) and run again"
  exit 1
fi

# cargo names the executable it built; the target folder may be anywhere.
binary=$(
  cargo build --release --locked --target "$TARGET" --bin n4n-mock \
    --message-format=json-render-diagnostics |
    sed -n 's/.*"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p' |
    tail -n 1
)
if [[ -z $binary || ! -x $binary ]]; then
  note "cargo named no n4n-mock executable"
  exit 1
fi

# A dynamically linked executable names its loader (PT_INTERP); a static one
# runs on any x86_64 Linux, and in an image with nothing else in it.
if command -v readelf >/dev/null 2>&1 && readelf -lW "$binary" | grep -q 'INTERP'; then
  note "$binary is not static: it names a program interpreter"
  exit 1
fi

note "built $binary ($(du -h "$binary" | cut -f1))"
printf '%s\n' "$binary"
