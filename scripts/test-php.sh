#!/usr/bin/env bash
# The PHP helper's tests (tests/php) and the PHP example of docs/test-suites.md
# (examples/php), run the way a user gets the helper: installed with Composer
# from clients/php (a path repository; Packagist is off) into a project in a
# temporary folder outside this repository, then Debian's phpunit with that
# project's vendor/autoload.php.
#
#   N4N_MOCK_BIN=target/debug/n4n-mock scripts/test-php.sh
#
# N4N_MOCK_BIN (required) names the n4n-mock binary to test: CI passes the
# static or the debug build. php-cli, phpunit and composer are installed from
# Debian when missing. Fails loudly; never skips.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)

fail() {
  echo "test-php.sh: $*" >&2
  exit 1
}

[ -n "${N4N_MOCK_BIN:-}" ] ||
  fail "N4N_MOCK_BIN is not set: set it to the n4n-mock binary to test (e.g. N4N_MOCK_BIN=target/debug/n4n-mock)"
case $N4N_MOCK_BIN in
  */*)
    [ -f "$N4N_MOCK_BIN" ] && [ -x "$N4N_MOCK_BIN" ] ||
      fail "N4N_MOCK_BIN=$N4N_MOCK_BIN is not an executable file"
    # The tests run in another folder: make the path absolute.
    N4N_MOCK_BIN="$(cd "$(dirname "$N4N_MOCK_BIN")" && pwd)/$(basename "$N4N_MOCK_BIN")"
    ;;
  *)
    command -v "$N4N_MOCK_BIN" >/dev/null 2>&1 || fail "N4N_MOCK_BIN=$N4N_MOCK_BIN is not on PATH"
    ;;
esac
export N4N_MOCK_BIN

missing=()
command -v php >/dev/null 2>&1 || missing+=(php-cli)
command -v phpunit >/dev/null 2>&1 || missing+=(phpunit)
command -v composer >/dev/null 2>&1 || missing+=(composer)
if ((${#missing[@]})); then
  apt-get update -qq && apt-get install -y -qq "${missing[@]}"
fi
echo "test-php.sh: $(php -r 'echo "PHP ", PHP_VERSION;'), $(phpunit --version | grep -o 'PHPUnit [0-9.]*'), $(composer --version 2>/dev/null | grep -o 'Composer version [0-9.]*'), n4n-mock $N4N_MOCK_BIN"

project=$(mktemp -d "${TMPDIR:-/tmp}/n4n-mock-php.XXXXXX")
trap 'rm -rf "$project"' EXIT

# Composer in the project alone: its own home and cache, no prompt, root allowed.
export COMPOSER_HOME="$project/.composer" COMPOSER_CACHE_DIR="$project/.composer/cache"
export COMPOSER_NO_INTERACTION=1 COMPOSER_ALLOW_SUPERUSER=1

# The package from clients/php, copied into vendor/ (not symlinked), as an
# installed package is; Packagist off, so nothing comes from the network.
php -r '
  echo json_encode([
    "name" => "n4n-mock/php-helper-check",
    "description" => "scripts/test-php.sh: the PHP helper, installed",
    "license" => "MIT OR Apache-2.0",
    "repositories" => [
      ["packagist.org" => false],
      ["type" => "path", "url" => $argv[1], "options" => ["symlink" => false]],
    ],
    "require" => ["n4n-mock/n4n-mock" => "*@dev"],
  ], JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
' "$repo/clients/php" >"$project/composer.json"
(cd "$project" && composer install --no-interaction --no-progress)
[ -f "$project/vendor/n4n-mock/n4n-mock/src/N4nMock.php" ] ||
  fail "composer install did not install n4n-mock/n4n-mock into $project/vendor"

cp -R "$repo/tests/php" "$project/tests"
cp -R "$repo/examples/php" "$project/examples"
cat >"$project/phpunit.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<phpunit bootstrap="vendor/autoload.php"
         colors="false"
         failOnWarning="true"
         failOnRisky="true"
         failOnSkipped="true"
         failOnIncomplete="true"
         beStrictAboutOutputDuringTests="true"
         convertDeprecationsToExceptions="true">
  <testsuites>
    <testsuite name="helper">
      <directory>tests</directory>
    </testsuite>
    <testsuite name="examples">
      <directory>examples</directory>
    </testsuite>
  </testsuites>
</phpunit>
XML

# Debian's phpunit, the project's autoloader as its bootstrap; a hung test
# fails the run rather than holding CI.
expected=$(cat "$project"/tests/*Test.php "$project"/examples/*Test.php | grep -c 'public function test')
cd "$project"
timeout 900 phpunit --configuration phpunit.xml --bootstrap vendor/autoload.php \
  --log-junit "$project/junit.xml" ||
  fail "phpunit failed"

ran=$(php -r 'echo (int) simplexml_load_file($argv[1])->testsuite["tests"];' "$project/junit.xml")
[ "$ran" -eq "$expected" ] || fail "phpunit ran $ran tests, expected $expected"
echo "test-php.sh: OK, $ran PHP tests passed against $N4N_MOCK_BIN"
