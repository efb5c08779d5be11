#!/usr/bin/env bash
# Builds the static n4n-mock and packs it as a release tarball,
#
#   dist/n4n-mock-VERSION-x86_64-unknown-linux-musl.tar.gz
#   dist/n4n-mock-VERSION-x86_64-unknown-linux-musl.tar.gz.sha256
#
# holding one folder of that name: the binary, the bundled scenarios and
# fixtures (so `--scenario NAME` works from inside it), README.md, the
# guides it links to (docs/), the licences, CHANGELOG.md and openapi.yaml. The .sha256 file is in `sha256sum` format:
#
#   sha256sum -c n4n-mock-VERSION-x86_64-unknown-linux-musl.tar.gz.sha256
#
# The same commit gives the same tarball bytes: names sorted, owner root,
# every time stamp the commit's. Prints the tarball's path as the last line.
#
# Usage: scripts/dist.sh    (DIST_DIR=PATH writes elsewhere than dist/)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly TARGET=x86_64-unknown-linux-musl

note() { printf 'dist: %s\n' "$*" >&2; }

binary=$(scripts/static-build.sh | tail -n 1)
version=$("$binary" --version)
version=${version##* }
name="n4n-mock-$version-$TARGET"
out=${DIST_DIR:-dist}
mkdir -p "$out"
out=$(cd "$out" && pwd)

stage=$(mktemp -d -t n4n-dist.XXXXXX)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name/scenarios" "$stage/$name/fixtures" "$stage/$name/docs/ui"
install -m 0755 "$binary" "$stage/$name/n4n-mock"
install -m 0644 scenarios/*.yaml "$stage/$name/scenarios/"
install -m 0644 fixtures/*.yaml "$stage/$name/fixtures/"
install -m 0644 README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE openapi.yaml "$stage/$name/"
install -m 0644 docs/*.md "$stage/$name/docs/"
install -m 0644 docs/ui/*.png "$stage/$name/docs/ui/"

# The commit's time, so that rebuilding the same commit gives the same bytes.
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
tarball="$name.tar.gz"
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
  -C "$stage" -cf - "$name" | gzip -9n >"$out/$tarball"
(cd "$out" && sha256sum "$tarball" >"$tarball.sha256")

note "$(cat "$out/$tarball.sha256")"
note "$(du -h "$out/$tarball" | cut -f1) $out/$tarball"
printf '%s\n' "$out/$tarball"
