#!/usr/bin/env bash
# Builds the static n4n-mock and the container image of Containerfile with
# podman or docker, whichever is installed; tags it n4n-mock:VERSION and
# n4n-mock:latest, and prints the image reference (n4n-mock:VERSION) as its
# last line.
#
# Usage: scripts/image.sh
#   N4N_MOCK_ENGINE=podman|docker   the one to use when both are installed
#                                   (podman is tried first)
#
# podman builds with `--format docker`: the OCI image format has no place for
# HEALTHCHECK, and the image's health check is the one CI services rely on.
set -euo pipefail
cd "$(dirname "$0")/.."

note() { printf 'image: %s\n' "$*" >&2; }

engine=${N4N_MOCK_ENGINE:-}
if [[ -z $engine ]]; then
  for candidate in podman docker; do
    if command -v "$candidate" >/dev/null 2>&1; then
      engine=$candidate
      break
    fi
  done
fi
case $engine in
  podman) format=(--format docker) ;;
  docker) format=() ;;
  '')
    note "neither podman nor docker is installed (Debian, Ubuntu: apt-get install podman)"
    exit 1
    ;;
  *)
    note "N4N_MOCK_ENGINE is '$engine': podman or docker"
    exit 1
    ;;
esac

binary=$(scripts/static-build.sh | tail -n 1)
# "n4n-mock 0.1.0": the version the binary itself reports.
version=$("$binary" --version)
version=${version##* }

# The build context holds the repository's layout, but only the files the
# image takes: the target folder may be anywhere, and holds gigabytes.
context=$(mktemp -d -t n4n-image.XXXXXX)
trap 'rm -rf "$context"' EXIT
mkdir -p "$context/target/x86_64-unknown-linux-musl/release"
install -m 0755 "$binary" "$context/target/x86_64-unknown-linux-musl/release/n4n-mock"
# Readable by the image's non-root user whatever the umask of the checkout.
for folder in scenarios fixtures; do
  mkdir -m 0755 "$context/$folder"
  install -m 0644 "$folder"/*.yaml "$context/$folder/"
done
install -m 0644 Containerfile "$context/Containerfile"

# The image a rebuild replaces is removed below once no tag names it, so
# that rebuilding does not leave one more untagged image behind each time.
previous=$("$engine" image inspect --format '{{.Id}}' "n4n-mock:$version" 2>/dev/null || true)

note "building n4n-mock:$version with $engine"
"$engine" build "${format[@]}" --build-arg "VERSION=$version" \
  -t "n4n-mock:$version" -t "n4n-mock:latest" \
  -f "$context/Containerfile" "$context" >&2

current=$("$engine" image inspect --format '{{.Id}}' "n4n-mock:$version")
if [[ -n $previous && $previous != "$current" ]]; then
  # Refused, and so kept, while a container or another tag still uses it.
  "$engine" image rm "$previous" >/dev/null 2>&1 || true
fi

note "tagged n4n-mock:$version and n4n-mock:latest ($("$engine" image inspect --format '{{.Size}}' "$current") bytes)"
printf 'n4n-mock:%s\n' "$version"
