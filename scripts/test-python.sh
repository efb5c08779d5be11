#!/usr/bin/env bash
# The Python distribution's tests, as CI runs them: builds the wheel
# (scripts/wheel.sh), installs it with the pinned test requirements into a
# new virtual environment outside the repository, and runs tests/python and
# examples/python against the INSTALLED package and its packaged binary,
# from a temporary folder (so nothing is imported from the source tree).
#
# Usage: scripts/test-python.sh [pytest arguments...]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

note() { printf 'test-python: %s\n' "$*" >&2; }

# The packaged binary, found by the package itself: never an override.
unset N4N_MOCK_BIN N4N_MOCK_SCENARIOS_DIR N4N_MOCK_SCENARIO

wheel=$(scripts/wheel.sh | tail -n 1)
[[ -f $wheel ]] || { note "scripts/wheel.sh named no wheel"; exit 1; }

work=$(mktemp -d -t n4n-test-python.XXXXXX)
trap 'rm -rf "$work"' EXIT
note "installing $(basename "$wheel") into $work/venv"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --no-index "$wheel"
"$work/venv/bin/pip" install --quiet --require-hashes -r "$repo/tests/python/requirements.txt"
"$work/venv/bin/n4n-mock" --version

mkdir -p "$work/run/tests" "$work/run/examples"
cp -R "$repo/tests/python" "$work/run/tests/python"
cp -R "$repo/examples/python" "$work/run/examples/python"
cd "$work/run"
"$work/venv/bin/pytest" -p no:cacheprovider -ra "$@" tests/python examples/python
