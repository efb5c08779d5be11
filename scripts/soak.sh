#!/usr/bin/env bash
# Soak test: 60 s of mixed valid and invalid requests from 64 connections
# (wrk, one thread), against n4n-mock serving `default`. Reports every status
# that the contract does not give one of the requests sent, wrk's socket
# errors, and the mock's resident memory at the start and at the end.
#
# Usage: scripts/soak.sh
#   SOAK_SECONDS=N      how long (default 60)
#   SOAK_CONNECTIONS=N  how many connections (default 64)
# Exit status: 0 when every answer had an expected status and no socket
# error happened, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${SOAK_SECONDS:-60}
connections=${SOAK_CONNECTIONS:-64}
work=$(mktemp -d -t n4n-soak.XXXXXX)
mock_pid=

finish() {
  [[ -n $mock_pid ]] && kill -TERM "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
  rm -rf "$work"
}
trap finish EXIT

if ! command -v wrk >/dev/null; then
  sudo_if_needed=$([[ $(id -u) == 0 ]] || echo sudo)
  $sudo_if_needed apt-get install -y wrk >&2
fi
cargo build --release --bin n4n-mock >&2

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }

RUST_LOG=warn target/release/n4n-mock --scenario default --port 0 >"$work/out" 2>"$work/err" &
mock_pid=$!
for _ in $(seq 1 200); do
  grep -q '^n4n-mock listening on ' "$work/out" 2>/dev/null && break
  sleep 0.05
done
address=$(sed -n 's|^n4n-mock listening on http://\([^ ]*\) .*|\1|p' "$work/out")
[[ -n $address ]] || { echo "soak: n4n-mock did not start" >&2; cat "$work/err" >&2; exit 1; }
rss_start=$(rss_mb "$mock_pid")

# Each request of the mix, and the status the contract gives it.
cat >"$work/mix.lua" <<'LUA'
local key = "44b5498dbcb481a0d00b404c0169af62"
local form = "application/x-www-form-urlencoded"
local api = { ["api-key"] = key, ["api-username"] = "n4n_admin", ["Content-Type"] = form }
local wrong = { ["api-key"] = "wrong", ["api-username"] = "n4n_admin", ["Content-Type"] = form }
local json = { ["api-key"] = key, ["api-username"] = "n4n_admin", ["Content-Type"] = "application/json" }
local lookup = "/api/transaction/click_detail"
local mix = {
  { "GET", lookup, api, "transaction_hash=35b71a300115be9.16738986", 200 },
  { "GET", lookup, api, "subscription_id=SUB-88", 200 },
  { "GET", "/api/service/ping", api, nil, 200 },
  { "GET", lookup, wrong, "transaction_hash=35b71a300115be9.16738986", 401 },
  { "GET", lookup, {}, "transaction_hash=x", 401 },
  { "GET", lookup, api, "orderid=", 400 },
  { "GET", lookup, json, "{not json", 400 },
  { "GET", lookup, api, "transaction_hash=nope", 404 },
  { "GET", "/api/transaction/nothing", api, nil, 404 },
  { "POST", lookup, api, "transaction_hash=x", 405 },
  { "GET", lookup, api, string.rep("a", 70 * 1024), 413 },
}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  requests, expected, counts, unexpected, sent = {}, {}, {}, 0, 0
  for i, m in ipairs(mix) do
    requests[i] = wrk.format(m[1], m[2], m[3], m[4])
    expected[m[5]] = true
  end
end
function request()
  sent = sent + 1
  return requests[(sent % #requests) + 1]
end
function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
  if not expected[status] then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unexpected")
    for status, n in pairs(thread:get("counts")) do
      io.write(string.format("status %d: %d\n", status, n))
    end
  end
  local e = summary.errors
  io.write(string.format("unexpected statuses: %d\n", total))
  io.write(string.format("socket errors: connect %d, read %d, write %d, timeout %d\n",
    e.connect, e.read, e.write, e.timeout))
end
LUA

wrk -t1 -c"$connections" -d"${seconds}s" --timeout 10s -s "$work/mix.lua" "http://$address/" | tee "$work/wrk"
rss_end=$(rss_mb "$mock_pid")

unexpected=$(awk -F': ' '/^unexpected statuses/ { print $2 }' "$work/wrk")
socket_errors=$(awk '/^socket errors/ { gsub(/,/, ""); print $4 + $6 + $8 + $10 }' "$work/wrk")
requests=$(awk '/requests in/ { print $1 }' "$work/wrk")
rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$work/wrk")
alive=$(kill -0 "$mock_pid" 2>/dev/null && echo yes || echo no)

cat <<EOF

| soak | value |
|---|---|
| date | $(date -u '+%Y-%m-%d %H:%M UTC') |
| machine | $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(uname -srm) |
| load | wrk, 1 thread, $connections connections, ${seconds} s, 11 kinds of request (3 valid, 8 invalid) |
| requests | $requests ($rps/s) |
| unexpected statuses | $unexpected |
| socket errors | $socket_errors |
| resident memory at start | $rss_start MB |
| resident memory at end | $rss_end MB |
| server still running | $alive |
EOF

[[ $unexpected == 0 && $socket_errors == 0 && $alive == yes ]]
