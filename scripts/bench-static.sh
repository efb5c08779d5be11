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
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh

readonly LOOKUP="transaction_hash=$EXAMPLE_CLICK"
readonly WARMUP=3
ROUNDS=${BENCH_ROUNDS:-5}
DURATION=${BENCH_DURATION:-10}
LOG_FILTER=info
THREADS_ENV=()
WORKERS="one per core"
if [[ -n ${BENCH_WORKER_THREADS:-} ]]; then
  THREADS_ENV=(TOKIO_WORKER_THREADS="$BENCH_WORKER_THREADS")
  WORKERS="$BENCH_WORKER_THREADS"
fi

start_work n4n-bench-static

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

for ((round = 1; round <= ROUNDS; round++)); do
  note "round $round of $ROUNDS"
  for name in "${NAMES[@]}"; do
    measure_run "$name" "$round" "$LOOKUP" 30 env "${THREADS_ENV[@]}" "$WORK/$name" --port 0 --scenario default
  done
done

glibc_rps=$(column_of glibc 2 | median)

cat <<REPORT

## Static build against glibc build

- date: $(date -u '+%Y-%m-%d %H:%M UTC'); commit $(commit_described)
- machine: $(nproc) CPUs, $(cpu_model), $(uname -srm); wrk on the same machine
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
    "$(awk -v a="$rps" -v b="$glibc_rps" 'BEGIN { printf "%.2f", a / b }'), $(ratio_of "$name" glibc 2)" \
    "$(column_of "$name" 3 | median)" "$(column_of "$name" 4 | median)" \
    "$(column_of "$name" 6 | median)" "$(column_of "$name" 7 | median)" \
    "$(column_of "$name" 5 | awk '{ n += $1 } END { print n + 0 }')"
done
