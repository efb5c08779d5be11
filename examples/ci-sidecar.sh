#!/usr/bin/env bash
# Run a test command against n4n-mock started as a sidecar: start it in the
# background, wait until it answers, run the tests, stop it whatever happened.
#
#   examples/ci-sidecar.sh [TEST COMMAND...]
#
# The test command sees N4N_MOCK_URL (the mock's base URL). Without one, a
# smoke check looks up the API page's example click. Environment:
#   N4N_MOCK       the n4n-mock binary       (default: n4n-mock on PATH)
#   N4N_MOCK_PORT  the port to listen on     (default: 8080)
#   any other N4N_MOCK_* serve setting, e.g. N4N_MOCK_SCENARIO=empty
set -euo pipefail

mock=${N4N_MOCK:-n4n-mock}
port=${N4N_MOCK_PORT:-8080}
export N4N_MOCK_URL="http://127.0.0.1:${port}"

# 1. Start the mock in the background; stop it on every way out of this script.
"$mock" serve --port "$port" &
mock_pid=$!
trap 'kill "$mock_pid" 2>/dev/null; wait "$mock_pid" 2>/dev/null || true' EXIT

# 2. Wait until it answers its health check (exit 1 after 30 s).
"$mock" wait --url "$N4N_MOCK_URL" --timeout 30s

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
