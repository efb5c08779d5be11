#!/usr/bin/env bash
# Start-up to the first 200, as a user outside the clone gets it: every
# bundled scenario parsed from the copies built into the binary, run from an
# empty folder; and, in turn with it, as from a clone (the same scenarios
# read from ./scenarios). Prints each run and the medians, in milliseconds.
#
# Usage: scripts/startup.sh [BINARY] [RUNS]
#   BINARY  default: the release build (built with cargo when missing)
#   RUNS    default: 20 starts of each, alternated
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
# shellcheck source=scripts/bench-common.sh
source scripts/bench-common.sh

binary=${1:-}
if [[ -z $binary ]]; then
  binary=$(cargo build --release --locked --bin n4n-mock --message-format=json-render-diagnostics |
    sed -n 's/.*"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p' | tail -n 1)
fi
binary=$(realpath "$binary")
runs=${2:-20}
start_work n4n-startup
mkdir "$WORK/empty"

# start_once FOLDER: starts the binary in FOLDER, sets LISTEN_MS and
# FIRST_MS (from the start to the listening line, and to the first 200).
start_once() {
  local started listening line addr
  rm -f "$WORK/out"
  mkfifo "$WORK/out"
  sync
  sleep 0.2
  now_us started
  (cd "$1" && RUST_LOG=warn exec "$binary" --port 0 >"$WORK/out" 2>"$WORK/err" </dev/null) &
  SERVER_PID=$!
  exec {SERVER_FD}<"$WORK/out"
  if ! read -r -t 10 -u "$SERVER_FD" line || [[ $line != *" listening on http://"* ]]; then
    note "no listening line from $binary in $1:${line:+ $line}"
    cat "$WORK/err" >&2
    exit 1
  fi
  now_us listening
  addr=${line#*listening on http://}
  addr=${addr%% *}
  first_200 "$addr" "transaction_hash=$EXAMPLE_CLICK" 10 || { note "no 200 from $addr"; exit 1; }
  stop_server
  LISTEN_MS=$(awk -v a="$started" -v b="$listening" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
  FIRST_MS=$(awk -v a="$started" -v b="$FIRST_200_US" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
}

median() { sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f", m }'; }

: >"$WORK/builtin"
: >"$WORK/clone"
for ((i = 1; i <= runs; i++)); do
  start_once "$WORK/empty"
  echo "$LISTEN_MS $FIRST_MS" >>"$WORK/builtin"
  start_once "$repo"
  echo "$LISTEN_MS $FIRST_MS" >>"$WORK/clone"
  note "run $i: first 200 in $(tail -n 1 "$WORK/builtin" | cut -d' ' -f2) ms built in, $(tail -n 1 "$WORK/clone" | cut -d' ' -f2) ms from ./scenarios"
done
for kind in builtin clone; do
  printf '%s: listening %s ms, first 200 %s ms (medians of %d; first 200 at most %s ms)\n' \
    "$kind" "$(cut -d' ' -f1 "$WORK/$kind" | median)" "$(cut -d' ' -f2 "$WORK/$kind" | median)" \
    "$runs" "$(cut -d' ' -f2 "$WORK/$kind" | sort -n | tail -n 1)"
done
