#!/usr/bin/env bash
# Throughput of the static (musl) build against the glibc build, on
# scripts/bench.sh's workload: wrk, 1 thread, 32 connections, 10 s after a
# 3 s warm-up, the API page's example lookup (a GET with a form body), the
# mock logging at `info` to a file. The builds take turns, A B A B, for
# several rounds, and the medians are compared, since one run on a shared
# machine can be off by more than the difference measured.
#
#   A  glibc build (cargo build --release): glibc's allocator
#   B  static build (scripts/static-build.sh): mimalloc
#   C  static build with musl's own allocator (--no-default-features),
#      with BENCH_MUSL_SYSTEM=1: why B does not use it
#
# Usage: scripts/bench-static.sh
#   BENCH_ROUNDS=N       rounds (default 5)
#   BENCH_DURATION=S     seconds measured per run (default 10)
#   BENCH_MUSL_SYSTEM=1  add C to every round
#   BENCH_EXTRA="NAME=PATH ..."  more builds to take turns with (another
#                        allocator, say), each an n4n-mock binary
#   BENCH_WORKER_THREADS=N  the servers' worker threads (TOKIO_WORKER_THREADS;
#                        default one per core): more threads than cores shows
#                        how each allocator bears threads contending for it
set -euo pipefail
cd "$(dirname "$0")/.."

readonly API_KEY=44b5498dbcb481a0d00b404c0169af62
readonly API_USERNAME=n4n_admin
readonly LOOKUP=transaction_hash=35b71a300115be9.16738986
readonly LOOKUP_PATH=/api/transaction/click_detail
readonly THREADS=1 CONNECTIONS=32 WARMUP=3
ROUNDS=${BENCH_ROUNDS:-5}
THREADS_ENV=()
WORKERS="one per core"
if [[ -n ${BENCH_WORKER_THREADS:-} ]]; then
  THREADS_ENV=(TOKIO_WORKER_THREADS="$BENCH_WORKER_THREADS")
  WORKERS="$BENCH_WORKER_THREADS"
fi
DURATION=${BENCH_DURATION:-10}

WORK=$(mktemp -d -t n4n-bench-static.XXXXXX)
SERVER_PID=
cleanup() {
  [[ -z $SERVER_PID ]] || { kill -TERM "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null; } || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

note() { printf '%s\n' "bench-static: $*" >&2; }

if ! command -v wrk >/dev/null 2>&1; then
  note "installing wrk from Debian's packages"
  sudo=()
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  "${sudo[@]}" apt-get install -y -qq wrk >/dev/null 2>&1 ||
    { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk; }
fi

# --- builds, copied aside so that building one does not replace another ----

note "building the glibc build"
glibc=$(cargo build --release --locked --bin n4n-mock --message-format=json-render-diagnostics |
  sed -n 's/.*"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
cp "$glibc" "$WORK/glibc"
note "building the static build"
cp "$(scripts/static-build.sh | tail -n 1)" "$WORK/static"
NAMES=(glibc static)
if [[ ${BENCH_MUSL_SYSTEM:-0} == 1 ]]; then
  note "building the static build with musl's allocator"
  musl=$(cargo build --release --locked --target x86_64-unknown-linux-musl --bin n4n-mock \
    --no-default-features --message-format=json-render-diagnostics |
    sed -n 's/.*"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
  cp "$musl" "$WORK/musl-system"
  NAMES+=(musl-system)
fi

for extra in ${BENCH_EXTRA:-}; do
  cp "${extra#*=}" "$WORK/${extra%%=*}"
  NAMES+=("${extra%%=*}")
done

cat >"$WORK/lookup.lua" <<LUA
wrk.method = "GET"
wrk.headers["api-key"] = "$API_KEY"
wrk.headers["api-username"] = "$API_USERNAME"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$LOOKUP"
LUA

# The server's CPU time so far (user and system, every thread), in clock ticks.
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

# run NAME ROUND: starts that build on a free port, waits for its listening
# line, loads it, stops it; appends `NAME RPS P50 P99 BAD CPU_US RSS_MB` to results
# (CPU_US: the server's CPU time per request, in microseconds, which a
# busy machine disturbs less than it disturbs req/s).
run() {
  local name=$1 round=$2 fd line addr out="$WORK/$1.$2.wrk"
  mkfifo "$WORK/$name.$round.out"
  env RUST_LOG=info "${THREADS_ENV[@]}" "$WORK/$name" --port 0 --scenario default \
    >"$WORK/$name.$round.out" 2>"$WORK/$name.$round.log" </dev/null &
  SERVER_PID=$!
  exec {fd}<"$WORK/$name.$round.out"
  if ! read -r -t 30 -u "$fd" line || [[ $line != "n4n-mock listening on http://"* ]]; then
    note "$name printed no listening line; its stderr ends with:"
    tail -n 5 "$WORK/$name.$round.log" >&2 || true
    exit 1
  fi
  addr=${line#n4n-mock listening on http://}
  addr=${addr%% *}
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$WORK/lookup.lua" \
    "http://$addr$LOOKUP_PATH" >/dev/null
  cpu_before=$(cpu_ticks "$SERVER_PID")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$WORK/lookup.lua" \
    "http://$addr$LOOKUP_PATH" >"$out"
  cpu_after=$(cpu_ticks "$SERVER_PID")
  rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  kill -TERM "$SERVER_PID"
  wait "$SERVER_PID" || true
  SERVER_PID=
  exec {fd}<&-
  awk -v name="$name" -v ticks=$((cpu_after - cpu_before)) -v hz="$HZ" -v rss="$rss" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
                     if (v ~ /s$/) return v * 1000; return v }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad += $NF }
    /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    /requests in/ { requests = $1 }
    END { printf "%s %.0f %.3f %.3f %d %.1f %s\n", name, rps, p50, p99, bad,
                 ticks / hz * 1e6 / requests, rss }' "$out" |
    tee -a "$WORK/results" >&2
}

for ((round = 1; round <= ROUNDS; round++)); do
  note "round $round of $ROUNDS"
  for name in "${NAMES[@]}"; do
    run "$name" "$round"
  done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$WORK/results"; }

cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
glibc_rps=$(column_of glibc 2 | median)

cat <<REPORT

## Static build against glibc build

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $commit
- machine: $(nproc) CPUs, ${cpu:-unknown CPU}, $(uname -srm); wrk on the same machine
- load: wrk $THREADS thread, $CONNECTIONS connections, ${DURATION} s after ${WARMUP} s warm-up, $ROUNDS rounds taken in turn (${NAMES[*]});
  GET $LOOKUP_PATH with form body \`$LOOKUP\`; n4n-mock \`default\`, logging at \`info\` to a file;
  server worker threads: $WORKERS

| build | req/s, median | each round | req/s vs glibc: medians, median of each round's ratio | p50 ms, median | p99 ms, median | server CPU µs per request, median | RSS after load MB, median | errors |
|---|---:|---|---:|---:|---:|---:|---:|---:|
REPORT
for name in "${NAMES[@]}"; do
  rps=$(column_of "$name" 2 | median)
  printf '| %s | %.0f | %s | %s | %.3f | %.3f | %.1f | %.1f | %d |\n' "$name" "$rps" \
    "$(column_of "$name" 2 | paste -sd ' ')" \
    "$(awk -v a="$rps" -v b="$glibc_rps" 'BEGIN { printf "%.2f", a / b }'), $(paste -d' ' <(column_of "$name" 2) <(column_of glibc 2) | awk '{ print $1 / $2 }' | median | xargs printf '%.2f')" \
    "$(column_of "$name" 3 | median)" "$(column_of "$name" 4 | median)" \
    "$(column_of "$name" 6 | median)" "$(column_of "$name" 7 | median)" \
    "$(column_of "$name" 5 | awk '{ n += $1 } END { print n + 0 }')"
done
