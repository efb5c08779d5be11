#!/usr/bin/env bash
# Tests the npm package as a user gets it: packs it (scripts/npm-pack.sh),
# installs the tarball into a new project outside the repository (offline:
# it has no dependencies), runs its `n4n-mock` command, then the tests of
# tests/js and the example of examples/js there, with `node --test`.
#
# Usage: scripts/test-npm.sh
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

note() { printf 'test-npm: %s\n' "$*" >&2; }
fail() {
  note "$*"
  exit 1
}

tarball=$(scripts/npm-pack.sh | tail -n 1)
[[ -f $tarball ]] || fail "scripts/npm-pack.sh named no tarball: '$tarball'"
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)

work=$(mktemp -d "${TMPDIR:-/tmp}/n4n-npm-test.XXXXXX")
work=$(cd "$work" && pwd -P)
trap 'rm -rf "$work"' EXIT
case "$work/" in
  "$(pwd -P)"/*) fail "the test project $work is inside the repository" ;;
esac

# What a user's shell has: the package's own binary, its built-in scenarios.
unset N4N_MOCK_BIN N4N_MOCK_SCENARIOS_DIR N4N_MOCK_SCENARIO

cd "$work"
note "installing $tarball in $work"
npm init -y >/dev/null
npm install --offline --no-audit --no-fund "$tarball" >&2
grep -q '"n4n-mock"' package.json || fail "npm install did not add n4n-mock to package.json"

# --no: never fetch a package of that name from the registry instead.
got=$(npx --no -- n4n-mock --version)
[[ $got == "n4n-mock $version" ]] || fail "npx n4n-mock --version printed '$got', not 'n4n-mock $version'"
note "npx n4n-mock --version: $got"

mkdir -p tests examples
cp -R "$repo/tests/js" tests/
cp -R "$repo/examples/js" examples/
shopt -s failglob
node --test tests/js/*.test.js examples/js/*.test.js
note "ok: the tests of tests/js and examples/js pass against $(basename "$tarball") installed from the tarball"
