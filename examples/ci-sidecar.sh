#!/usr/bin/env bash
# Run a test command against n4n-mock started as a sidecar: start it in the
# background on a free port, wait until it answers, run the tests, stop it
# whatever happened.
#
#   examples/ci-sidecar.sh [TEST COMMAND...]
#
# The test command sees N4N_MOCK_URL (the mock's base URL, e.g.
# http://127.0.0.1:43817). Without one, a smoke check looks up the API page's
# example click. Environment:
#   N4N_MOCK       the n4n-mock binary  (default: n4n-mock on PATH; from a
#                  clone without it, this repository is built once with cargo)
#   N4N_MOCK_PORT  the port to listen on (default: 0, a free one)
#   any other N4N_MOCK_* serve setting, e.g. N4N_MOCK_SCENARIO=empty
set -euo pipefail

mock=${N4N_MOCK:-}
if [ -z "$mock" ]; then
    if command -v n4n-mock >/dev/null 2>&1; then
        mock=n4n-mock
    else
        repo=$(cd "$(dirname "$0")/.." && pwd)
        echo "n4n-mock is not on PATH: building it in $repo (the first build takes a few minutes)" >&2
        # cargo names the executable it built: the target folder may be
        # anywhere (CARGO_TARGET_DIR, a CI cache's).
        mock=$(cargo build --release --locked --quiet --manifest-path "$repo/Cargo.toml" \
            --bin n4n-mock --message-format=json |
            sed -n 's/.*"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p' |
            tail -n 1)
        if [ -z "$mock" ] || [ ! -x "$mock" ]; then
            echo "cargo named no n4n-mock executable" >&2
            exit 1
        fi
    fi
fi
port=${N4N_MOCK_PORT:-0}
run_dir=$(mktemp -d)
url_file="$run_dir/n4n-mock.url"

# 1. Start the mock in the background (its listening line and logs on stderr);
#    stop it on every way out of this script.
"$mock" serve --port "$port" --url-file "$url_file" >&2 &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null; wait "$mock_pid" 2>/dev/null || true; rm -rf "$run_dir"' EXIT

# 2. Wait until it answers its health check (exit 1 after 30 s); `wait`
#    prints the base URL it found ready, and nothing else, on stdout.
N4N_MOCK_URL=$("$mock" wait --url-file "$url_file" --timeout 30s)
export N4N_MOCK_URL

# 3. Run the tests against it.
if [ "$#" -gt 0 ]; then
    "$@"
else
    curl --fail --silent --show-error -X GET "$N4N_MOCK_URL/api/transaction/click_detail" \
        -H 'api-key: 44b5498dbcb481a0d00b404c0169af62' \
        -H 'api-username: n4n_admin' \
        -d 'transaction_hash=35b71a300115be9.16738986'
    echo
fi
# 4. The trap stops the mock: SIGTERM finishes requests in flight, then exits.
