#!/usr/bin/env bash
# Packs the npm package n4n-mock (clients/npm) with the static binary in it:
#
#   target/npm/n4n-mock-VERSION.tgz     (under CARGO_TARGET_DIR when set)
#
# Builds the static binary with scripts/static-build.sh, copies clients/npm
# to a staging folder with the binary as bin/n4n-mock (mode 0755) and the
# version Cargo.toml names, and runs `npm pack` there. Prints the tarball's
# path as the last line; everything else goes to stderr.
#
# Usage: scripts/npm-pack.sh    (NPM_PACK_DIR=PATH writes elsewhere than target/npm)
set -euo pipefail
cd "$(dirname "$0")/.."

note() { printf 'npm-pack: %s\n' "$*" >&2; }
fail() {
  note "$*"
  exit 1
}

command -v npm >/dev/null 2>&1 || fail "npm is needed (Node.js 18 or later)"

# The [package] version, the first `version = "..."` line of Cargo.toml.
version=$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -n 1)
[[ -n $version ]] || fail "no version in Cargo.toml"

binary=$(scripts/static-build.sh | tail -n 1)
[[ -x $binary ]] || fail "scripts/static-build.sh named no executable: '$binary'"
reported=$("$binary" --version)
[[ $reported == "n4n-mock $version" ]] ||
  fail "$binary says '$reported', Cargo.toml says $version"

out=${NPM_PACK_DIR:-${CARGO_TARGET_DIR:-target}/npm}
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d -t n4n-npm-pack.XXXXXX)
trap 'rm -rf "$stage"' EXIT
cp -R clients/npm/. "$stage/"
rm -rf "$stage/bin" "$stage/node_modules"
install -D -m 0755 "$binary" "$stage/bin/n4n-mock"

# The version from Cargo.toml; and, checked here since npm would take them,
# no dependencies and no install scripts.
node - "$stage/package.json" "$version" <<'JS'
const fs = require('fs');
const [file, version] = process.argv.slice(2);
const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const key of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bundleDependencies', 'bundledDependencies']) {
  if (pkg[key] && Object.keys(pkg[key]).length) throw new Error(`package.json has ${key}: it must have none`);
}
for (const script of ['preinstall', 'install', 'postinstall', 'prepare', 'prepack', 'postpack']) {
  if (pkg.scripts && pkg.scripts[script]) throw new Error(`package.json has a ${script} script: it must have none`);
}
pkg.version = version;
fs.writeFileSync(file, JSON.stringify(pkg, null, 2) + '\n');
JS

json=$(cd "$stage" && npm pack --json --ignore-scripts --pack-destination "$out")
filename=$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8"))[0].filename)' <<<"$json")
tarball="$out/$filename"
[[ -f $tarball ]] || fail "npm pack wrote no $tarball"

# The binary is in it, executable.
listing=$(tar -tvzf "$tarball")
grep -Eq '^-rwxr-xr-x .* package/bin/n4n-mock$' <<<"$listing" ||
  fail "$tarball holds no executable package/bin/n4n-mock:"$'\n'"$listing"

note "$(du -h "$tarball" | cut -f1) $tarball"
printf '%s\n' "$tarball"
