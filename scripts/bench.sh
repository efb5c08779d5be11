#!/usr/bin/env bash
# Throughput, latency, start-up time and memory of n4n-mock against a bare
# hyper server (examples/bare_hyper.rs: hyper's own cost, answering every
# request with a fixed body of the mock's answer's size), on one machine.
#
# The two take turns, A B A B, for several rounds, each run on a freshly
# started server: one back-to-back pair on a shared machine is not a
# measurement, since the machine's own drift is larger than the difference.
# The report gives medians, the spread (lowest-highest) and the median of
# each round's ratio (adjacent runs share the machine's state, so that ratio
# drifts less than the medians do).
#
#   A  bare hyper             the baseline
#   B  n4n-mock, `default`    as shipped: `info` logs to a file, journal on,
#                             faults and lifecycle checks in place
#   C  n4n-mock, dead target  `default`'s data with 200 postback targets at
#                             a receiver that accepts and never answers,
#                             2,000 postbacks queued before the load (200
#                             attempts held open, the rest waiting): the
#                             API's answers must not notice
#
# Then, unless skipped: a 60 s run of `default` for memory, and a generated
# scenario of 1,000,000 clicks and 1,000,000 transactions (start-up to the
# first 200 for its LAST click, memory, throughput).
#
# Usage: scripts/bench.sh
#   BENCH_ROUNDS=N       rounds of A B (default 5; at least 3)
#   BENCH_QUICK=1        3 rounds of 3 s, a 10 s soak, 5,000 generated clicks
#   BENCH_LONG=0         skip the 60 s memory soak
#   BENCH_BIG=0          skip the generated scenario
#   BENCH_BIG_CLICKS=N   its clicks (1,000,000; quick: 5,000)
#   BENCH_BIG_FORMAT=F   json (the default: the format for large data, read
#                        several times faster) or yaml
#   BENCH_BIG_FILE=PATH  serve this file, written by `n4n-mock generate`,
#                        instead of generating one
#   BENCH_RUST_LOG=...   the mock's log filter (default `info`, as shipped;
#                        its stderr goes to a file)
#   BENCH_EXTRA="NAME=PATH ..."  more n4n-mock binaries taking their turn in
#                        every round after the mock (a candidate change, say)
#   BENCH_DEAD_TARGET=0  skip run C
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  DURATION=3 WARMUP=1 SOAK=10 ROUNDS=${BENCH_ROUNDS:-3} BIG_CLICKS=${BENCH_BIG_CLICKS:-5000}
else
  DURATION=10 WARMUP=3 SOAK=60 ROUNDS=${BENCH_ROUNDS:-5} BIG_CLICKS=${BENCH_BIG_CLICKS:-1000000}
fi
((ROUNDS >= 3)) || { note "BENCH_ROUNDS must be at least 3"; exit 2; }
LOG_FILTER=${BENCH_RUST_LOG:-info}
# How long a big scenario may take to load.
readonly LOAD_LIMIT=${BENCH_LOAD_TIMEOUT:-900}
readonly LOOKUP="transaction_hash=$EXAMPLE_CLICK"

start_work n4n-bench
note "building release binaries"
cargo build --release --locked --example bare_hyper --bin n4n-mock
readonly MOCK=target/release/n4n-mock BARE=target/release/examples/bare_hyper

# --- the dead receiver of run C ---------------------------------------------

# A receiver that accepts every connection and never answers: each target's
# attempt in flight waits out its timeout, the rest of its postbacks queue.
DEAD_TARGETS=200 DEAD_CONVERSIONS=10
if [[ ${BENCH_DEAD_TARGET:-1} == 1 ]]; then
  # It reads what it is sent (so a closed connection is noticed and let go)
  # and never writes a byte.
  python3 -c '
import selectors, socket
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1024)
print(server.getsockname()[1], flush=True)
watch = selectors.DefaultSelector()
watch.register(server, selectors.EVENT_READ)
while True:
    for key, _ in watch.select():
        if key.fileobj is server:
            watch.register(server.accept()[0], selectors.EVENT_READ)
        elif not key.fileobj.recv(65536):
            watch.unregister(key.fileobj)
            key.fileobj.close()
' >"$WORK/dead.port" &
  DEAD_PID=$!
  trap 'kill "$DEAD_PID" 2>/dev/null; stop_server; rm -rf "$WORK"' EXIT
  for _ in {1..50}; do [[ -s $WORK/dead.port ]] && break; sleep 0.1; done
  DEAD_PORT=$(<"$WORK/dead.port")
  {
    echo "name: dead-target"
    echo "credentials:"
    echo "  - {username: $API_USERNAME, api_key: $API_KEY}"
    echo "include: [$PWD/fixtures/api-page-example.yaml, $PWD/fixtures/conversions.yaml]"
    echo "postbacks:"
    for ((t = 1; t <= DEAD_TARGETS; t++)); do
      echo "  - {name: dead-$t, url: \"http://127.0.0.1:$DEAD_PORT/n4n?tx=%%transaction_hash%%\", timeout: 60s, retry: [1s, 4s]}"
    done
  } >"$WORK/dead-target.yaml"
fi

# prepare_deadtarget ADDR: queues the postbacks of run C before its load.
prepare_deadtarget() {
  local i queued
  for ((i = 1; i <= DEAD_CONVERSIONS; i++)); do
    curl -sf -X POST "http://$1/__mock/conversions" \
      -d "{\"click_hash\":\"$EXAMPLE_CLICK\",\"amount\":\"29.95\"}" >/dev/null
  done
  queued=$(curl -sf "http://$1/__mock/postbacks?limit=1000" | grep -o '"state":"\(queued\|sending\)"' | wc -l)
  note "dead target: $queued of the first 1,000 postbacks queued or sending"
}

# --- A B A B ---------------------------------------------------------------

for ((round = 1; round <= ROUNDS; round++)); do
  note "round $round of $ROUNDS"
  measure_run bare "$round" "$LOOKUP" 30 "$BARE" 0
  measure_run default "$round" "$LOOKUP" 30 "$MOCK" --port 0 --scenario default
  if [[ ${BENCH_DEAD_TARGET:-1} == 1 ]]; then
    measure_run deadtarget "$round" "$LOOKUP" 30 "$MOCK" --port 0 --scenario "$WORK/dead-target.yaml"
  fi
  for extra in ${BENCH_EXTRA:-}; do
    measure_run "${extra%%=*}" "$round" "$LOOKUP" 30 "${extra#*=}" --port 0 --scenario default
  done
done

# --- memory over a long run of `default` -----------------------------------

SOAK_LINE="skipped (BENCH_LONG=0)"
if [[ ${BENCH_LONG:-1} == 1 ]]; then
  note "default: ${SOAK} s soak for memory"
  mkfifo "$WORK/soak.stdout"
  RUST_LOG=$LOG_FILTER "$MOCK" --port 0 --scenario default \
    >"$WORK/soak.stdout" 2>"$WORK/soak.stderr" </dev/null &
  SERVER_PID=$!
  exec {SERVER_FD}<"$WORK/soak.stdout"
  read -r -t 30 -u "$SERVER_FD" line
  addr=${line#*listening on http://}
  addr=${addr%% *}
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SOAK}s" -s "$(lookup_script "$LOOKUP")" \
    "http://$addr$LOOKUP_PATH" >"$WORK/soak.wrk" &
  wrk_pid=$!
  sleep 1
  soak_start=$(rss_mb "$SERVER_PID")
  sleep $((SOAK - 2))
  soak_end=$(rss_mb "$SERVER_PID")
  wait "$wrk_pid"
  stop_server
  # A minute of request lines is over a gigabyte. Left whole, it sat in the
  # page cache while the generated scenario below loaded, and made that
  # load three to four times slower on a virtual machine.
  keep_log_end "$WORK/soak.stderr"
  soak_rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$WORK/soak.wrk")
  change=$(awk -v a="$soak_start" -v b="$soak_end" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }')
  verdict=$(awk -v c="$change" 'BEGIN { print (c <= 10 && c >= -10) ? "flat (within 10 %)" : "NOT flat" }')
  SOAK_LINE="$soak_start MB at 1 s, $soak_end MB at $((SOAK - 1)) s ($change %, $verdict), $soak_rps req/s"
fi

# --- a generated scenario ---------------------------------------------------

# last_click FILE: the hash of a generated scenario's last click, the last
# `click_hash` before the transactions (one record per line, as `generate`
# writes them, in YAML or JSON).
last_click() {
  awk '/^"?transactions"?:/ { print hash; exit }
    match($0, /click_hash"?: "?[0-9a-f]+\.[0-9]+/) {
      hash = substr($0, RSTART, RLENGTH); sub(/.*[ "]/, "", hash) }
    END { if (hash != "") print hash }' "$1" | head -n 1
}

BIG_LINE="skipped (BENCH_BIG=0)"
if [[ ${BENCH_BIG:-1} == 1 ]]; then
  BIG_FILE=${BENCH_BIG_FILE:-}
  BIG_FORMAT=${BENCH_BIG_FORMAT:-json}
  GENERATED="given as $BIG_FILE"
  if [[ -z $BIG_FILE ]]; then
    BIG_FILE="$WORK/generated.$BIG_FORMAT"
    note "generating $BIG_CLICKS clicks, 1 transaction each, as $BIG_FORMAT"
    now_us gen_start
    "$MOCK" generate --clicks "$BIG_CLICKS" --transactions-per-click 1 --seed 1 \
      --format "$BIG_FORMAT" --out "$BIG_FILE" \
      >"$WORK/generate.log" 2>&1 || { cat "$WORK/generate.log" >&2; exit 1; }
    now_us gen_end
    GENERATED="generated as $BIG_FORMAT in $(((gen_end - gen_start) / 1000)) ms"
  fi
  BIG_MB=$(awk -v b="$(stat -c %s "$BIG_FILE")" 'BEGIN { printf "%.1f", b / 1048576 }')
  LAST=$(last_click "$BIG_FILE")
  note "serving the generated scenario ($BIG_MB MB), looking up its last click $LAST"
  # Its first run times the load; the others measure throughput next to `default`'s.
  for ((round = 1; round <= 2; round++)); do
    measure_run big "$round" "transaction_hash=$LAST" "$LOAD_LIMIT" "$MOCK" --port 0 --scenario "$BIG_FILE"
    measure_run default-beside-big "$round" "$LOOKUP" 30 "$MOCK" --port 0 --scenario default
  done
  BIG_LINE="$GENERATED ($BIG_MB MB); first 200 for the last click after $(column_of big 9 | median) ms (median of $(column_of big 9 | paste -sd ' ')); RSS $(column_of big 7 | median | xargs printf '%.0f') MB after the load test, at most $(column_of big 11 | median | xargs printf '%.0f') MB while loading; throughput $(ratio_of big default-beside-big 2) of \`default\`'s in alternate runs"
fi

# --- report ----------------------------------------------------------------

mode="full"
[[ ${BENCH_QUICK:-0} != 1 ]] || mode="quick (BENCH_QUICK=1)"
row() {
  local name=$1 label=$2
  printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" \
    "$(column_of "$name" 2 | median | xargs printf '%.0f')" "$(column_of "$name" 2 | spread)" \
    "$(ratio_of "$name" bare 2)" \
    "$(column_of "$name" 3 | median | xargs printf '%.3f')" "$(column_of "$name" 4 | median | xargs printf '%.3f')" \
    "$(ratio_of "$name" bare 4)" \
    "$(column_of "$name" 6 | median | xargs printf '%.1f')" \
    "$(column_of "$name" 9 | median | xargs printf '%.1f')" "$(column_of "$name" 7 | median | xargs printf '%.1f')" \
    "$(column_of "$name" 5 | awk '{ n += $1 } END { print n + 0 }')"
}

cat <<EOF

## n4n-mock benchmark

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(commit_described); mode: $mode
- machine: $(nproc) CPUs, $(cpu_model), $(uname -srm); wrk on the same machine
- load: wrk $THREADS thread, $CONNECTIONS connections, ${DURATION} s after ${WARMUP} s warm-up, $ROUNDS rounds
  taken in turn (bare hyper, then n4n-mock), each on a freshly started server;
  GET $LOOKUP_PATH with form body \`$LOOKUP\`; n4n-mock \`default\` logs at \`$LOG_FILTER\` to a file

| server | req/s, median | req/s, lowest-highest | req/s vs bare, median of rounds | p50 ms | p99 ms | p99 vs bare, median of rounds | server CPU µs per request | start → first 200 ms | RSS after load MB | errors |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|
$(row bare "bare hyper (baseline)")
$(row default "n4n-mock \`default\`")
$([[ ${BENCH_DEAD_TARGET:-1} == 1 ]] && row deadtarget "n4n-mock, $DEAD_TARGETS dead postback targets")
$(for extra in ${BENCH_EXTRA:-}; do row "${extra%%=*}" "${extra%%=*} \`default\`"; done)

Each round, req/s (bare, n4n-mock): $(paste -d, <(column_of bare 2) <(column_of default 2) | paste -sd ' ')
$([[ ${BENCH_DEAD_TARGET:-1} == 1 ]] && echo "
Dead postback targets ($DEAD_TARGETS targets, $((DEAD_TARGETS * DEAD_CONVERSIONS)) postbacks queued): req/s $(ratio_of deadtarget default 2) of \`default\`'s, p99 $(ratio_of deadtarget default 4) of \`default\`'s (medians of each round's ratio); each round's req/s: $(column_of deadtarget 2 | paste -sd ' ')")

- \`default\`, memory over a ${SOAK} s run: $SOAK_LINE
- generated scenario, $BIG_CLICKS clicks: $BIG_LINE
EOF
