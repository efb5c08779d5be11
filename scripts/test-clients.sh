#!/usr/bin/env bash
# The served OpenAPI document, as an affiliate developer uses it: generate a
# client with each of openapi-python-client, @hey-api/openapi-ts (fetch
# client) and openapi-typescript + openapi-fetch, install or compile it, and
# run its program of tests/clients/ against a running n4n-mock (the API
# page's example click, a void and the lookup that shows it, a 401 read as
# the error envelope, a scenario switch through the admin API). Spectral's
# `spectral:oas` rules lint the same document: an error fails, warnings are
# printed. A generator's warning fails too. Nothing is skipped: a missing
# tool is an error.
#
# The mock: $N4N_MOCK_BIN, else the debug binary `cargo build --locked`
# makes. The generators: tools/clients/ (npm, package-lock.json) and
# tools/clients/requirements.txt (pip, hashes), installed on first use into
# tools/clients/node_modules/ and .venv-clients/, again when their pins change.
set -euo pipefail
# N4N_MOCK_BIN as the caller wrote it, from the caller's folder.
mock_bin=${N4N_MOCK_BIN:+$(realpath "$N4N_MOCK_BIN")}
cd "$(dirname "$0")/.."
root=$PWD
tools=$root/tools/clients
started=$SECONDS
# The generators' and Spectral's output, without terminal colours.
export NO_COLOR=1 FORCE_COLOR=0

step() { printf '\n== %s\n' "$*"; }
fail() {
  printf 'test-clients: %s\n' "$*" >&2
  exit 1
}

for tool in node npm python3 curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is missing"
done
# @hey-api/openapi-ts 0.95 needs Node 20.19 or later; the clients run in
# Node's own fetch.
node -e 'const [a, b] = process.versions.node.split(".").map(Number);
  process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
  fail "Node $(node --version) is too old: 20.19 or later is needed"

step "generators"
lock_sum=$(sha256sum "$tools/package-lock.json" "$tools/package.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$tools/node_modules/.n4n-installed" 2>/dev/null)" != "$lock_sum" ]; then
  (cd "$tools" && npm ci --loglevel=error)
  echo "$lock_sum" >"$tools/node_modules/.n4n-installed"
fi
venv=$root/.venv-clients
req_sum=$(sha256sum "$tools/requirements.txt" | cut -d' ' -f1)
if [ "$(cat "$venv/.n4n-installed" 2>/dev/null)" != "$req_sum" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --require-hashes -r "$tools/requirements.txt"
  echo "$req_sum" >"$venv/.n4n-installed"
fi
bin_dir=$tools/node_modules/.bin
echo "openapi-python-client $("$venv/bin/openapi-python-client" --version | awk '{print $NF}')," \
  "@hey-api/openapi-ts $(cd "$tools" && node -p 'require("@hey-api/openapi-ts/package.json").version')," \
  "openapi-typescript $("$bin_dir/openapi-typescript" --version | awk '{print $NF}' | sed 's/^v//')," \
  "openapi-fetch $(cd "$tools" && node -p 'require("openapi-fetch/package.json").version')," \
  "typescript $("$bin_dir/tsc" --version | awk '{print $NF}')," \
  "spectral $("$bin_dir/spectral" --version)"

if [ -n "$mock_bin" ]; then
  bin=$mock_bin
else
  cargo build --locked
  target_dir=$(cargo metadata --locked --format-version 1 --no-deps |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
  bin=$target_dir/debug/n4n-mock
fi
[ -x "$bin" ] || fail "no mock binary at $bin"

work=$(mktemp -d "${TMPDIR:-/tmp}/n4n-clients.XXXXXX")
mock_pid=
finish() {
  local status=$?
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  if [ "$status" -eq 0 ]; then
    rm -rf "$work"
  else
    echo "test-clients: FAILED; the generated clients and the mock's log are in $work" >&2
  fi
}
trap finish EXIT

step "the mock"
# The bundled scenarios: `default` (the API page's example click) is
# active, `lifecycle` (the walk-through of docs/lifecycle.md) named per request.
"$bin" serve --port 0 --scenarios-dir "$root/scenarios" --url-file "$work/url" \
  >"$work/mock.log" 2>&1 &
mock_pid=$!
url=$("$bin" wait --url-file "$work/url" --timeout 30s) || {
  cat "$work/mock.log" >&2
  fail "the mock did not start"
}
echo "$url ($bin)"
curl -fsS "$url/__mock/openapi.yaml" -o "$work/openapi.yaml"
echo "the served document: $(wc -c <"$work/openapi.yaml") bytes"

reset_mock() {
  [ "$(curl -fsS -X POST "$url/__mock/reset")" = '{"result":"success"}' ] || fail "POST /__mock/reset failed"
}

# A generator's output: printed, and failed on any warning (a dropped
# operation, schema or response) or anything on its standard error.
generated() {
  local name=$1 out=$2 err=$3
  # @hey-api/openapi-ts colours its lines whatever NO_COLOR says.
  sed 's/\x1b\[[0-9;]*m//g' "$out"
  if [ -s "$err" ] || grep -Eiq 'warn|skipping|unsupported|unhandled|could not|unable|error' "$out"; then
    cat "$err" >&2
    fail "$name warned (above): the document does not generate whole"
  fi
}

step "Spectral (spectral:oas) on the served document"
"$bin_dir/spectral" lint --ruleset "$tools/spectral.yaml" --fail-severity error \
  "$work/openapi.yaml" || fail "Spectral found an error in the served document"

step "openapi-python-client"
mkdir -p "$work/python"
PATH="$venv/bin:$PATH" openapi-python-client generate --path "$work/openapi.yaml" \
  --meta none --output-path "$work/python/n4n_client" \
  --config "$tools/openapi-python-client.yaml" --fail-on-warning \
  >"$work/python/generate.out" 2>"$work/python/generate.err" || {
  cat "$work/python/generate.out" "$work/python/generate.err" >&2
  fail "openapi-python-client failed or warned"
}
generated openapi-python-client "$work/python/generate.out" "$work/python/generate.err"
"$venv/bin/python" -m compileall -q "$work/python/n4n_client"

for client in hey-api openapi-fetch; do
  step "$client: generate and compile"
  dir=$work/$client
  mkdir -p "$dir/src"
  cp "$root/tests/clients/$client/main.ts" "$dir/src/main.ts"
  cp "$root/tests/clients/shared.ts" "$dir/src/shared.ts"
  cp "$root/tests/clients/tsconfig.json" "$dir/tsconfig.json"
  ln -s "$tools/node_modules" "$dir/node_modules"
  if [ "$client" = hey-api ]; then
    (cd "$dir" && "$bin_dir/openapi-ts" --input "$work/openapi.yaml" \
      --output src/generated --client @hey-api/client-fetch --no-log-file) \
      >"$dir/generate.out" 2>"$dir/generate.err" || {
      cat "$dir/generate.out" "$dir/generate.err" >&2
      fail "@hey-api/openapi-ts failed"
    }
    generated @hey-api/openapi-ts "$dir/generate.out" "$dir/generate.err"
  else
    (cd "$dir" && "$bin_dir/openapi-typescript" "$work/openapi.yaml" \
      --output src/generated/schema.d.ts) \
      >"$dir/generate.out" 2>"$dir/generate.err" || {
      cat "$dir/generate.out" "$dir/generate.err" >&2
      fail "openapi-typescript failed"
    }
    generated openapi-typescript "$dir/generate.out" "$dir/generate.err"
  fi
  (cd "$dir" && "$bin_dir/tsc" --project tsconfig.json) || fail "$client: tsc refused the program or the generated code"
done

step "every operation, in every client"
"$venv/bin/python" "$root/tests/clients/check_operations.py" "$work/openapi.yaml" "$work"

step "python (openapi-python-client, httpx) against the mock"
reset_mock
PYTHONPATH="$work/python" "$venv/bin/python" "$root/tests/clients/python/check_client.py" "$url"

step "hey-api (@hey-api/openapi-ts, fetch) against the mock"
reset_mock
(cd "$work/hey-api" && node dist/main.js "$url")

step "openapi-fetch (openapi-typescript types) against the mock"
reset_mock
(cd "$work/openapi-fetch" && node dist/main.js "$url")
reset_mock

echo
echo "test-clients: the three clients and Spectral in $((SECONDS - started)) s"
echo "test-clients: 3 passed, 0 failed"
