# Shared by scripts/bench.sh and scripts/bench-static.sh (sourced, not run):
# the load, one measured run of one server, and the report's arithmetic.
#
# The load: wrk, 1 thread, 32 connections, a warm-up then the measured run,
# the API page's example lookup (a GET with a form body) with the `default`
# scenario's credentials. Each measured run starts its server afresh, so the
# start-up times are sampled as often as the throughput.
#
# A caller calls start_work, sets DURATION and WARMUP (seconds) and
# LOG_FILTER (the mock's RUST_LOG), then calls measure_run.

readonly API_KEY=44b5498dbcb481a0d00b404c0169af62
readonly API_USERNAME=n4n_admin
# The API page's example click; a generated scenario's click 0 has this hash
# too, whatever the seed.
readonly EXAMPLE_CLICK=35b71a300115be9.16738986
readonly LOOKUP_PATH=/api/transaction/click_detail
readonly THREADS=1 CONNECTIONS=32

SERVER_PID=
SERVER_FD=

note() { printf '%s\n' "$(basename "$0" .sh): $*" >&2; }

# Debian's wrk, installed when missing; curl is needed too.
need_tools() {
  if ! command -v wrk >/dev/null 2>&1; then
    note "installing wrk from Debian's packages"
    local sudo=()
    [[ $(id -u) == 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get install -y -qq wrk >/dev/null 2>&1 ||
      { "${sudo[@]}" apt-get update -qq && "${sudo[@]}" apt-get install -y -qq wrk; }
  fi
  command -v curl >/dev/null 2>&1 || { note "curl is needed"; exit 1; }
}

# start_work PREFIX: WORK, a scratch folder removed on exit (the server
# measure_run started stopped first), and wrk and curl at hand.
start_work() {
  WORK=$(mktemp -d -t "$1.XXXXXX")
  trap 'stop_server; rm -rf "$WORK"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  need_tools
}

# stop_server: stops the server measure_run started, if it still runs.
stop_server() {
  if [[ -n $SERVER_PID ]]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=
  fi
  if [[ -n $SERVER_FD ]]; then
    exec {SERVER_FD}<&-
    SERVER_FD=
  fi
}

# now_us VAR: the wall clock in microseconds, into VAR (no subshell, so no
# fork delays the reading).
now_us() { printf -v "$1" '%d' "$((10#${EPOCHREALTIME/[.,]/}))"; }

# The server's CPU time so far (user and system, every thread), in clock ticks.
HZ=$(getconf CLK_TCK)
cpu_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }

rss_mb() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status" 2>/dev/null || echo 0; }

# keep_log_end FILE: keeps a stopped server's last 20 log lines in
# FILE.tail and removes FILE. Under load a server logs some 150 MB of
# request lines in 10 s; left whole in the page cache, such files slowed
# later runs on a virtual machine (BENCHMARKS.md, "The seventh round").
keep_log_end() { tail -n 20 "$1" >"$1.tail" && rm -f "$1"; }

# lookup_script BODY: a wrk script sending the lookup with BODY; its path.
lookup_script() {
  local file="$WORK/lookup-${1//[^A-Za-z0-9]/_}.lua"
  cat >"$file" <<LUA
wrk.method = "GET"
wrk.headers["api-key"] = "$API_KEY"
wrk.headers["api-username"] = "$API_USERNAME"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "$1"
LUA
  echo "$file"
}

# first_200 ADDR BODY LIMIT_S: sends the lookup over bash's /dev/tcp (no
# process to spawn, so the time is the server's) until it answers 200; sets
# FIRST_200_US then. Returns 1 after LIMIT_S seconds without one.
first_200() {
  local addr=$1 body=$2 sock status now deadline
  local host=${addr%:*} port=${addr##*:}
  now_us now
  deadline=$((now + $3 * 1000000))
  while ((now < deadline)); do
    if exec {sock}<>"/dev/tcp/$host/$port"; then
      printf 'GET %s HTTP/1.1\r\nHost: %s\r\napi-key: %s\r\napi-username: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s' \
        "$LOOKUP_PATH" "$addr" "$API_KEY" "$API_USERNAME" "${#body}" "$body" >&"$sock"
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

# measure_run NAME ROUND BODY LOAD_LIMIT_S COMMAND...: starts COMMAND (a
# server whose first stdout line ends `listening on http://ADDR`), times
# its start-up to the listening line and to the first 200 for BODY, loads
# it (warm-up, then the measured run), stops it, and appends one line to
# $WORK/results:
#
#   NAME RPS P50_MS P99_MS ERRORS CPU_US_PER_REQUEST RSS_MB LISTEN_MS FIRST_200_MS BYTES HWM_MB
#
# (RSS_MB resident after the load, HWM_MB the most it ever was.)
#
# CPU_US_PER_REQUEST is the server's CPU time over the measured run divided
# by its requests, which a busy machine disturbs less than requests a second.
measure_run() {
  local name=$1 round=$2 body=$3 limit=$4 line addr started listening out script
  shift 4
  out="$WORK/$name.$round"
  mkfifo "$out.stdout"
  # The writes of the runs before (their logs, a generated scenario) go to
  # the disk first, and then a second for the machine to settle (the
  # previous server closing 32 connections, wrk exiting), so that neither
  # the start-up timed nor the load shares the cores with the kernel
  # writing someone else's files.
  sync
  sleep 1
  now_us started
  RUST_LOG=$LOG_FILTER "$@" >"$out.stdout" 2>"$out.stderr" </dev/null &
  SERVER_PID=$!
  # The fifo wakes us the moment the line is written: no polling, no sleeps.
  exec {SERVER_FD}<"$out.stdout"
  if ! read -r -t "$limit" -u "$SERVER_FD" line || [[ $line != *" listening on http://"* ]]; then
    note "$name printed no listening line${line:+ (it printed: $line)}; its stderr ends with:"
    tail -n 5 "$out.stderr" >&2 || true
    stop_server
    return 1
  fi
  now_us listening
  addr=${line#*listening on http://}
  addr=${addr%% *}
  first_200 "$addr" "$body" "$limit" || { note "$name never answered 200"; stop_server; return 1; }
  local bytes
  bytes=$(curl -s -o /dev/null -w '%{size_download}' -X GET \
    -H "api-key: $API_KEY" -H "api-username: $API_USERNAME" \
    -H 'Content-Type: application/x-www-form-urlencoded' \
    --data-raw "$body" "http://$addr$LOOKUP_PATH")
  # A run may set its server up before the load: prepare_NAME ADDR.
  if declare -F "prepare_$name" >/dev/null; then "prepare_$name" "$addr"; fi
  script=$(lookup_script "$body")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "http://$addr$LOOKUP_PATH" >/dev/null
  local cpu_before cpu_after rss hwm
  cpu_before=$(cpu_ticks "$SERVER_PID")
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$script" \
    "http://$addr$LOOKUP_PATH" >"$out.wrk"
  cpu_after=$(cpu_ticks "$SERVER_PID")
  rss=$(rss_mb "$SERVER_PID")
  hwm=$(awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$SERVER_PID/status")
  stop_server
  # A run's log is some 150 MB at info; its end is enough to read.
  keep_log_end "$out.stderr"
  awk -v name="$name" -v ticks=$((cpu_after - cpu_before)) -v hz="$HZ" -v rss="$rss" -v hwm="$hwm" \
    -v listen=$(((listening - started))) -v first=$(((FIRST_200_US - started))) -v bytes="$bytes" '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0
                     if (v ~ /s$/) return v * 1000; return v }
    /^Requests\/sec:/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Non-2xx/ { bad += $NF }
    /Socket errors/ { gsub(/,/, ""); bad += $4 + $6 + $8 + $10 }
    /requests in/ { requests = $1 }
    END { printf "%s %.0f %.3f %.3f %d %.2f %s %.1f %.1f %s %s\n", name, rps, p50, p99, bad,
                 requests ? ticks / hz * 1e6 / requests : 0, rss, listen / 1000, first / 1000, bytes, hwm }' \
    "$out.wrk" | tee -a "$WORK/results" >&2
}

# median: of the numbers on stdin, one a line.
median() {
  sort -g | awk '{ v[NR] = $1 }
    END { if (NR == 0) print "?"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread: `MIN-MAX` of the numbers on stdin.
spread() { sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }

# column_of NAME COLUMN: that column of NAME's results, one a line, in round order.
column_of() { awk -v name="$1" -v col="$2" '$1 == name { print $col }' "$WORK/results"; }

# ratio_of NAME BASE COLUMN: the median of each round's NAME/BASE ratio of COLUMN.
ratio_of() {
  paste -d' ' <(column_of "$1" "$3") <(column_of "$2" "$3") |
    awk '$2 > 0 { print $1 / $2 }' | median | xargs printf '%.2f'
}

# cpu_model: what /proc/cpuinfo calls this machine's CPU.
cpu_model() { awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo; }

# commit_described: the commit, and whether the tree differs from it.
commit_described() {
  local commit
  commit=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
  git diff --quiet HEAD 2>/dev/null || commit="$commit (with uncommitted changes)"
  echo "$commit"
}
