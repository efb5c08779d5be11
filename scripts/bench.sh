#!/usr/bin/env bash
# Throughput, latency, start-up time and memory of n4n-mock, measured in one
# run against a bare hyper server (examples/bare_hyper.rs) answering a fixed
# body of the same size, on the same machine:
#
#   (a) bare_hyper              the baseline: hyper's own cost
#   (b) n4n-mock, `default`     the API page's example lookup
#   (c) n4n-mock, generated     1,000,000 clicks and 1,000,000 transactions
#
# Each gets wrk (1 thread, 32 connections, 10 s, after a short warm-up) sending
# the API page's example request, a GET with a form body. Prints a Markdown
# table at the end.
#
# Usage: scripts/bench.sh
#   BENCH_QUICK=1        shorter runs and a small generated scenario (smoke test)
#   BENCH_LONG=0         skip the 60 s memory soak of `default` (on by default)
#   BENCH_BIG_CLICKS=N   clicks of the generated scenario (1,000,000; quick: 5,000)
#   BENCH_BIG_FILE=PATH  serve this file, written by `n4n-mock generate`,
#                        instead of generating one
#   BENCH_RUST_LOG=...   the mock's log filter during the runs (default `info`,
#                        as shipped; its stderr goes to a file)
set -euo pipefail
cd "$(dirname "$0")/.."

readonly API_KEY=44b5498dbcb481a0d00b404c0169af62
readonly API_USERNAME=n4n_admin
# The API page's example click; a generated scenario's click 0 has this hash
# too, whatever the seed (n4n_mock::generate::FIRST_CLICK_HASH).
readonly EXAMPLE_CLICK=35b71a300115be9.16738986
readonly LOOKUP_PATH=/api/transaction/click_detail
readonly THREADS=1 CONNECTIONS=32

if [[ ${BENCH_QUICK:-0} == 1 ]]; then
  DURATION=3 WARMUP=1 SOAK=10 BIG_CLICKS=${BENCH_BIG_CLICKS:-5000}
else
  DURATION=10 WARMUP=3 SOAK=60 BIG_CLICKS=${BENCH_BIG_CLICKS:-1000000}
fi
LONG=${BENCH_LONG:-1}
LOG_FILTER=${BENCH_RUST_LOG:-info}
# How long a big scenario may take to load.
LOAD_TIMEOUT=${BENCH_LOAD_TIMEOUT:-900}

WORK=$(mktemp -d -t n4n-bench.XXXXXX)
PIDS=()

cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { printf '%s\n' "bench: $*" >&2; }

# --- tools and build -------------------------------------------------------

if ! command -v wrk >/dev/null 2>&1; then
  note "installing wrk from Debian's packages"
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk; }
fi
command -v curl >/dev/null 2>&1 || { note "curl is needed"; exit 1; }

note "building release binaries"
cargo build --release --examples --bins
readonly MOCK=target/release/n4n-mock BARE=target/release/examples/bare_hyper

# --- helpers ---------------------------------------------------------------

# now_us VAR: the wall clock in microseconds, into VAR (no subshell, so no
# fork delays the reading).
now_us() { printf -v "$1" '%d' "$((10#${EPOCHREALTIME/[.,]/}))"; }

# Milliseconds between two now_us readings, one decimal.
ms_between() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

rss_mb() {
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo "?"
}

# start NAME PREFIX COMMAND...: starts a server whose first stdout line is
# `PREFIX http://ADDR...`, waits for that line, and sets SERVER_PID,
# SERVER_ADDR, STARTED_US, LISTENING_US. Returns 1 when the server exits first.
start() {
  local name=$1 prefix=$2 line fd
  shift 2
  mkfifo "$WORK/$name.out"
  now_us STARTED_US
  RUST_LOG=$LOG_FILTER "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" </dev/null &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  # The fifo wakes us the moment the line is written: no polling, no sleeps.
  exec {fd}<"$WORK/$name.out"
  if ! read -r -t "$LOAD_TIMEOUT" -u "$fd" line; then
    exec {fd}<&-
    note "$name printed no listening line; its stderr ends with:"
    tail -n 5 "$WORK/$name.err" >&2 || true
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    return 1
  fi
  now_us LISTENING_US
  # Keep the read end open so the server never writes to a closed pipe.
  SERVER_FD=$fd
  if [[ $line != "$prefix listening on http://"* ]]; then
    note "$name: unexpected first line: $line"
    return 1
  fi
  SERVER_ADDR=${line#"$prefix listening on http://"}
  SERVER_ADDR=${SERVER_ADDR%% *}
}

stop() {
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  exec {SERVER_FD}<&-
}

# first_200 BODY: sends the lookup over bash's /dev/tcp (no process to spawn,
# so the time is the server's) until it answers 200; sets FIRST_200_US then.
first_200() {
  local body=$1 sock status now deadline
  local host=${SERVER_ADDR%:*} port=${SERVER_ADDR##*:}
  now_us now
  deadline=$((now + 10000000))
  while ((now < deadline)); do
    if exec {sock}<>"/dev/tcp/$host/$port"; then
      printf 'GET %s HTTP/1.1\r\nHost: %s\r\napi-key: %s\r\napi-username: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "$LOOKUP_PATH" "$SERVER_ADDR" "$API_KEY" "$API_USERNAME" "${#body}" "$body" >&"$sock"
      status=
      read -r -t 5 -u "$sock" status || true
      exec {sock}>&-
      if [[ $status == "HTTP/1.1 200 "* ]]; then
        now_us FIRST_200_US
        return 0
      fi
    fi 2>/dev/null
    now_us now
  done
  return 1
}

# answer_of BODY: `STATUS BYTES` of one lookup.
answer_of() {
  curl -s -o /dev/null -w '%{http_code} %{size_download}' -X GET \
    -H "api-key: $API_KEY" -H "api-username: $API_USERNAME" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-raw "$1" "http://$SERVER_ADDR$LOOKUP_PATH"
}

lua_script() {
  local file="$WORK/lookup-$RANDOM.lua"
  cat >"$file" <<EOF
wrk.method = "GET"
wrk.headers["api-key"] = "$API_KEY"
wrk.headers["api-username"] = "$API_USERNAME"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$1"
EOF
  echo "$file"
}

# wrk_run SECONDS SCRIPT OUTPUT
wrk_run() {
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1s" --latency -s "$2" \
    "http://$SERVER_ADDR$LOOKUP_PATH" >"$3"
}

# Reads wrk's report: sets RPS, P50, P99 (ms) and BAD (non-2xx and socket errors).
parse_wrk() {
  local ms='function ms(v) {
      if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
      if (v ~ /m$/) return v * 60000; if (v ~ /s$/) return v * 1000; return v }'
  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$1")
  P50=$(awk "$ms"' $1 == "50%" { printf "%.3f", ms($2) }' "$1")
  P99=$(awk "$ms"' $1 == "99%" { printf "%.3f", ms($2) }' "$1")
  BAD=$(awk '/Non-2xx/ { n += $NF } /Socket errors/ { gsub(/,/, ""); n += $4 + $6 + $8 + $10 }
             END { print n + 0 }' "$1")
}

# measure NAME BODY: warm-up, then the measured run; sets RPS, P50, P99, BAD.
measure() {
  local script
  script=$(lua_script "$2")
  wrk_run "$WARMUP" "$script" "$WORK/$1.warmup"
  wrk_run "$DURATION" "$script" "$WORK/$1.wrk"
  parse_wrk "$WORK/$1.wrk"
  ((BAD == 0)) || note "$1: $BAD answers were not 2xx or failed; see wrk's report below"
  ((BAD == 0)) || cat "$WORK/$1.wrk" >&2
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "?" }'; }

ROWS=()

# row NAME: one line of the table from the last start/measure.
row() {
  ROWS+=("| $1 | $RPS | $P50 | $P99 | $(ratio "$RPS" "$BARE_RPS") | $(ratio "$P99" "$BARE_P99") | $LISTEN_MS | $FIRST_MS | $BYTES | $RSS_LOADED |")
}

# run_server NAME BODY: starts are done; measures and fills the row values.
run_server() {
  local answer
  first_200 "$2" || { note "$1 never answered 200"; return 1; }
  LISTEN_MS=$(ms_between "$STARTED_US" "$LISTENING_US")
  FIRST_MS=$(ms_between "$STARTED_US" "$FIRST_200_US")
  answer=$(answer_of "$2")
  [[ $answer == 200\ * ]] || { note "$1 answered $answer"; return 1; }
  BYTES=${answer#* }
  RSS_IDLE=$(rss_mb "$SERVER_PID")
  note "$1: listening after $LISTEN_MS ms, first 200 after $FIRST_MS ms; running wrk"
  measure "$1" "$2"
  RSS_LOADED=$(rss_mb "$SERVER_PID")
}

LOOKUP="transaction_hash=$EXAMPLE_CLICK"

# --- (a) bare hyper --------------------------------------------------------

start bare_hyper bare-hyper "$BARE" 0
run_server bare_hyper "$LOOKUP"
BARE_RPS=$RPS BARE_P99=$P99
row "bare hyper (baseline)"
stop

# --- (b) n4n-mock, default -------------------------------------------------

start default n4n-mock "$MOCK" --port 0 --scenario default
run_server default "$LOOKUP"
row "n4n-mock \`default\`"

SOAK_LINE="skipped (BENCH_LONG=0)"
if [[ $LONG == 1 ]]; then
  note "default: ${SOAK} s soak for memory"
  script=$(lua_script "$LOOKUP")
  wrk_run "$SOAK" "$script" "$WORK/soak.wrk" &
  WRK_PID=$!
  PIDS+=("$WRK_PID")
  sleep 1
  soak_start=$(rss_mb "$SERVER_PID")
  sleep $((SOAK - 2))
  soak_end=$(rss_mb "$SERVER_PID")
  wait "$WRK_PID"
  parse_wrk "$WORK/soak.wrk"
  change=$(awk -v a="$soak_start" -v b="$soak_end" 'BEGIN { printf "%+.1f", (b - a) * 100 / a }')
  verdict=$(awk -v c="$change" 'BEGIN { print (c <= 10 && c >= -10) ? "flat (within 10 %)" : "NOT flat" }')
  SOAK_LINE="$soak_start MB at 1 s, $soak_end MB at $((SOAK - 1)) s ($change %, $verdict), $RPS req/s, $BAD errors"
fi
stop

# --- (c) n4n-mock, generated ------------------------------------------------

# The generated scenario is written as JSON, the format for large data (it
# loads several times faster than the same in YAML); BENCH_BIG_FORMAT=yaml
# measures the YAML one. Start-up is timed to the first 200 for the LAST
# generated click, so that the whole file has been read; the API page's
# example click (click 0) must answer 200 too.
BIG_LINE=
BIG_FILE=${BENCH_BIG_FILE:-}
BIG_FORMAT=${BENCH_BIG_FORMAT:-json}
if [[ -z $BIG_FILE ]]; then
  if "$MOCK" generate --help >/dev/null 2>&1; then
    BIG_FILE="$WORK/generated.$BIG_FORMAT"
    note "generating $BIG_CLICKS clicks, 1 transaction each, as $BIG_FORMAT"
    gen_start=0 gen_end=0
    now_us gen_start
    if "$MOCK" generate --clicks "$BIG_CLICKS" --transactions-per-click 1 --seed 1 \
      --format "$BIG_FORMAT" --out "$BIG_FILE" >"$WORK/generate.log" 2>&1; then
      now_us gen_end
      GENERATED="generated as $BIG_FORMAT in $(ms_between "$gen_start" "$gen_end") ms"
    else
      BIG_LINE="skipped: \`n4n-mock generate\` failed: $(tail -n 1 "$WORK/generate.log" | cut -c1-300)"
      BIG_FILE=
    fi
  else
    BIG_LINE="skipped: this n4n-mock has no \`generate\` subcommand (set BENCH_BIG_FILE to a generated file)"
  fi
else
  GENERATED="given as $BIG_FILE"
fi

if [[ -n $BIG_FILE ]]; then
  BIG_MB=$(awk -v b="$(stat -c %s "$BIG_FILE")" 'BEGIN { printf "%.1f", b / 1048576 }')
  big_name="n4n-mock generated, $(printf "%'d" "$BIG_CLICKS" 2>/dev/null || echo "$BIG_CLICKS") clicks"
  [[ -z ${BENCH_BIG_FILE:-} ]] || big_name="n4n-mock $(basename "$BIG_FILE")"
  # The last click's hash: the last `click_hash` before the transactions
  # (one record per line, as `generate` writes them, in YAML or JSON).
  LAST_CLICK=$(awk '/^"?transactions"?:/ { print hash; exit }
    match($0, /click_hash"?: "?[0-9a-f]+\.[0-9]+/) {
      hash = substr($0, RSTART, RLENGTH); sub(/.*[ "]/, "", hash) }' "$BIG_FILE")
  BIG_LOOKUP="transaction_hash=${LAST_CLICK:-$EXAMPLE_CLICK}"
  note "loading the generated scenario ($BIG_MB MB); timing the lookup of ${LAST_CLICK:-$EXAMPLE_CLICK}"
  if start big n4n-mock "$MOCK" --port 0 --scenario "$BIG_FILE"; then
    if run_server big "$BIG_LOOKUP" && [[ $(answer_of "$LOOKUP") == 200\ * ]]; then
      row "$big_name"
      BIG_LINE="$GENERATED ($BIG_MB MB); first 200 for the last click (${LAST_CLICK:-?}) $FIRST_MS ms after start; RSS $RSS_IDLE MB after loading, $RSS_LOADED MB after the load test"
    else
      BIG_LINE="started but failed the lookup of ${LAST_CLICK:-?} or $EXAMPLE_CLICK (see above)"
    fi
    stop
  else
    BIG_LINE="did not start: $(head -n 3 "$WORK/big.err" 2>/dev/null | paste -sd ' ' | cut -c1-400)"
  fi
fi

# --- report ----------------------------------------------------------------

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
mode="full"
[[ ${BENCH_QUICK:-0} != 1 ]] || mode="quick (BENCH_QUICK=1)"

cat <<EOF

## n4n-mock benchmark

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit; mode: $mode
- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -srm); wrk on the same machine
- load: wrk $THREADS thread, $CONNECTIONS connections, ${DURATION} s after ${WARMUP} s warm-up;
  GET $LOOKUP_PATH with form body \`$LOOKUP\`; n4n-mock logs at \`$LOG_FILTER\` to a file

| server | req/s | p50 ms | p99 ms | req/s vs bare | p99 vs bare | start → listening ms | start → first 200 ms | body bytes | RSS after load MB |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|
EOF
printf '%s\n' "${ROWS[@]}"
cat <<EOF

- \`default\`, memory over a ${SOAK} s run: $SOAK_LINE
- generated scenario: ${BIG_LINE:-not run}
EOF
