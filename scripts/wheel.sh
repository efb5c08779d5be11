#!/usr/bin/env bash
# Builds the n4n-mock Python wheel (clients/python): the static n4n-mock
# executable (x86_64-unknown-linux-musl, release) installed into bin/, and the
# n4n_mock package (MockServer, the pytest plugin). Tagged manylinux2014 and
# musllinux_1_2 at once: a static binary runs on both. Prints the wheel's
# path as the last line; everything else goes to stderr.
#
# maturin comes pinned with its hash (scripts/python-requirements.txt) into a
# virtual environment of its own, .venv-maturin. It starts with
# scripts/static-build.sh (which needs the musl target and musl-gcc); cargo's
# build under maturin is the same (release, the same target and features),
# so it compiles nothing twice.
#
# Usage: scripts/wheel.sh    (CARGO_TARGET_DIR is honoured, as by cargo;
#                             WHEEL_DIR=PATH writes elsewhere than dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TARGET=x86_64-unknown-linux-musl
readonly VENV=.venv-maturin

note() { printf 'wheel: %s\n' "$*" >&2; }

# The static build first, with its own checks (the musl target, musl-gcc):
# maturin's build below is the same one, and compiles nothing again.
scripts/static-build.sh >&2

# (Re)made whenever the pinned requirements change.
if [[ ! -x $VENV/bin/maturin ]] || ! cmp -s scripts/python-requirements.txt "$VENV/requirements.txt"; then
  note "installing maturin into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  printf '*\n' >"$VENV/.gitignore"
  "$VENV/bin/pip" install --quiet --require-hashes -r scripts/python-requirements.txt >&2
  cp scripts/python-requirements.txt "$VENV/requirements.txt"
fi

out=$(mktemp -d -t n4n-wheel.XXXXXX)
trap 'rm -rf "$out"' EXIT
# Both tags on one wheel: --compatibility takes several values (the
# pyproject's [tool.maturin] compatibility only one).
(cd clients/python && "../../$VENV/bin/maturin" build --release --locked \
  --target "$TARGET" --out "$out" --compatibility manylinux2014 musllinux_1_2) >&2

wheels=("$out"/*.whl)
if ((${#wheels[@]} != 1)) || [[ ! -f ${wheels[0]} ]]; then
  note "expected one wheel from maturin, found: ${wheels[*]}"
  exit 1
fi
dest=${WHEEL_DIR:-dist}
mkdir -p "$dest"
dest=$(cd "$dest" && pwd)
wheel="$dest/$(basename "${wheels[0]}")"
mv -f "${wheels[0]}" "$wheel"
note "built $wheel ($(du -h "$wheel" | cut -f1))"
printf '%s\n' "$wheel"
