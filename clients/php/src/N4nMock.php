<?php

declare(strict_types=1);

namespace N4nMock;

/**
 * n4n-mock, the NATS for Networks API mock server, run as a child process
 * of a test suite, and its admin API (`/__mock/...`).
 *
 * ```php
 * use N4nMock\N4nMock;
 *
 * $mock = N4nMock::start(['scenario' => 'default']);
 * // ... point the code under test at $mock->url() ...
 * $mock->verify(['path' => '/api/transaction/click_detail', 'status' => 200, 'count' => 1]);
 * $mock->stop();
 * ```
 *
 * In PHPUnit: start it in `setUpBeforeClass()`, call `reset()` in `setUp()`
 * and `stop()` in `tearDownAfterClass()`. An unmet `verify()` throws a
 * {@see VerificationError}, which PHPUnit reports as a failed test; other
 * admin errors throw a {@see MockError}.
 *
 * **The binary.** This Composer package holds no binary: `start()` runs
 * the `binary` option when given, else the file the `N4N_MOCK_BIN`
 * environment variable names, else `n4n-mock` found on `PATH`. Get it with
 * pip (`pip install n4n-mock` puts it on the environment's `PATH`), npm
 * (`node_modules/.bin/n4n-mock`: name it in `N4N_MOCK_BIN`) or cargo
 * (`cargo install`), or take the static binary.
 *
 * Nothing here needs an extension beyond ext-json: HTTP goes through PHP's
 * own `http://` stream wrapper (no curl), the process through `proc_open()`.
 */
final class N4nMock
{
    /** The options start() takes. */
    private const OPTIONS = ['scenario', 'scenariosDir', 'args', 'env', 'binary', 'startTimeout', 'adminToken'];

    /** The environment variables the mock reads its admin token from. */
    private const TOKEN_VARIABLE = 'N4N_MOCK_ADMIN_TOKEN';
    private const TOKEN_FILE_VARIABLE = 'N4N_MOCK_ADMIN_TOKEN_FILE';

    /** How long start() waits for the mock to answer, in seconds, unless told. */
    private const START_TIMEOUT = 10.0;

    /** How long an admin call may take, in seconds (postbacks() waits longer). */
    private const CALL_TIMEOUT = 30.0;

    /** How long stop() waits after SIGTERM before SIGKILL, in seconds. */
    private const STOP_GRACE = 5.0;

    /** The postback states after which nothing more happens to a postback. */
    private const SETTLED = ['delivered', 'failed', 'dropped'];

    /** @var resource|null the process, null once stopped */
    private $process;

    /**
     * @param resource    $process
     * @param string|null $token   the admin token every admin call sends
     */
    private function __construct(
        $process,
        private readonly int $pid,
        private readonly string $url,
        private readonly string $dir,
        #[\SensitiveParameter]
        private readonly ?string $token,
    ) {
        $this->process = $process;
    }

    /**
     * Starts n4n-mock on a free loopback port and waits until it answers.
     *
     * Runs `<binary> serve --port 0 --url-file <tmp>/n4n-mock.url
     * [--scenario S] [--scenarios-dir D] <args...>` with this process's
     * environment plus `env`, its output going to a log file in that
     * temporary folder; waits for the URL file and for `GET /__mock/health`
     * to answer 200.
     *
     * @param array{
     *     scenario?: string,
     *     scenariosDir?: string,
     *     args?: list<string>,
     *     env?: array<string, string>,
     *     binary?: string,
     *     startTimeout?: float,
     *     adminToken?: string,
     * } $options `scenario`: a scenario name or file (`default` unless
     *     `N4N_MOCK_SCENARIO` says otherwise); `scenariosDir`: a folder of
     *     scenario files; `args`: more command line arguments; `env`:
     *     environment variables added for the mock (e.g.
     *     `['N4N_MOCK_RECEIVER' => 'http://127.0.0.1:8081']`); `binary`: the
     *     n4n-mock executable (else `N4N_MOCK_BIN`, else `n4n-mock` on
     *     `PATH`); `startTimeout`: seconds to wait for it to answer (10);
     *     `adminToken`: the admin token the mock asks every admin call for,
     *     handed to it as `N4N_MOCK_ADMIN_TOKEN` in its environment (never on
     *     its command line, where `ps` shows it) and sent by every admin call
     *     as `Authorization: Bearer <token>`. Without it, a token the mock
     *     gets from its environment (`N4N_MOCK_ADMIN_TOKEN`, or the file
     *     `N4N_MOCK_ADMIN_TOKEN_FILE` names, here or in `env`) is sent the
     *     same way.
     *
     * @throws MockError when the binary cannot be found, or the mock exits
     *     or does not answer in time (the text ends with the last lines of its
     *     log, e.g. "unknown scenario `x`"); no process is left behind.
     */
    public static function start(#[\SensitiveParameter] array $options = []): self
    {
        $unknown = \array_diff(\array_keys($options), self::OPTIONS);
        if ($unknown !== []) {
            throw new \InvalidArgumentException(\sprintf(
                'N4nMock::start(): unknown option %s (it takes %s)',
                \implode(', ', $unknown),
                \implode(', ', self::OPTIONS),
            ));
        }
        $adminToken = $options['adminToken'] ?? null;
        if ($adminToken !== null) {
            self::checkToken($adminToken, 'N4nMock::start(): adminToken', \InvalidArgumentException::class);
        }
        $env = \getenv();
        foreach ($options['env'] ?? [] as $name => $value) {
            $env[(string) $name] = (string) $value;
        }
        if ($adminToken !== null) {
            // In the environment, where `ps` does not show it; the mock
            // refuses a token and a token file both, so the option wins.
            $env[self::TOKEN_VARIABLE] = $adminToken;
            unset($env[self::TOKEN_FILE_VARIABLE]);
        }
        $token = self::childToken($env);
        $binary = self::findBinary($options['binary'] ?? null);
        $timeout = (float) ($options['startTimeout'] ?? self::START_TIMEOUT);

        $dir = self::makeTempDir();
        $urlFile = $dir . '/n4n-mock.url';
        $logFile = $dir . '/n4n-mock.log';

        $command = [$binary, 'serve', '--port', '0', '--url-file', $urlFile];
        if (isset($options['scenario'])) {
            \array_push($command, '--scenario', (string) $options['scenario']);
        }
        if (isset($options['scenariosDir'])) {
            \array_push($command, '--scenarios-dir', (string) $options['scenariosDir']);
        }
        foreach ($options['args'] ?? [] as $arg) {
            $command[] = (string) $arg;
        }

        // An array command: no shell. Both output streams append to one log
        // file, never a pipe that nobody reads.
        $process = @\proc_open(
            $command,
            [0 => ['file', '/dev/null', 'r'], 1 => ['file', $logFile, 'a'], 2 => ['file', $logFile, 'a']],
            $pipes,
            null,
            $env,
        );
        if (!\is_resource($process)) {
            $why = \error_get_last()['message'] ?? 'proc_open() failed';
            self::removeDir($dir);
            throw new MockError("n4n-mock: could not run {$binary}: {$why}");
        }
        $pid = (int) \proc_get_status($process)['pid'];

        $deadline = \microtime(true) + $timeout;
        $url = null;
        $lastError = null;
        while (true) {
            $status = \proc_get_status($process);
            if (!$status['running']) {
                $how = $status['signaled']
                    ? 'was killed by signal ' . $status['termsig']
                    : 'exited with code ' . $status['exitcode'];
                self::failStart($process, $dir, "it {$how} before answering", $command);
            }
            if ($url === null && \is_file($urlFile)) {
                // Written atomically: once there, it holds the whole line.
                $line = \trim((string) @\file_get_contents($urlFile));
                $url = $line === '' ? null : \rtrim($line, '/');
            }
            if ($url !== null) {
                try {
                    [$code] = self::http('GET', $url . '/__mock/health', null, \max(0.1, \min(2.0, $deadline - \microtime(true))));
                    if ($code === 200) {
                        return new self($process, $pid, $url, $dir, $token);
                    }
                    $lastError = "GET {$url}/__mock/health answered {$code}";
                } catch (MockError $e) {
                    $lastError = $e->getMessage();
                }
            }
            if (\microtime(true) >= $deadline) {
                $why = \sprintf('it did not answer within %.1f s', $timeout)
                    . ($url === null ? ' (no URL file yet)' : '')
                    . ($lastError === null ? '' : "; last try: {$lastError}");
                self::failStart($process, $dir, $why, $command);
            }
            \usleep(50_000);
        }
    }

    /** The base URL, e.g. `http://127.0.0.1:43817` (no trailing slash). */
    public function url(): string
    {
        return $this->url;
    }

    /** The mock's process id. */
    public function pid(): int
    {
        return $this->pid;
    }

    /**
     * Restores every scenario's data, restarts fault counters, cancels
     * queued postbacks and empties the postback log (`POST /__mock/reset`),
     * then clears the request journal (`DELETE /__mock/requests`). The
     * active scenario stays as it is.
     *
     * @throws MockError
     */
    public function reset(): void
    {
        $this->expect(200, 'POST', '/__mock/reset');
        $this->expect(200, 'DELETE', '/__mock/requests');
    }

    /**
     * Makes `$name` the active scenario for every later request.
     *
     * @return array{result: string, active: string, previous: string}
     *
     * @throws MockError for an unknown scenario (`Unknown scenario: NAME`)
     */
    public function use(string $name): array
    {
        return $this->expect(200, 'PUT', '/__mock/scenario', ['name' => $name]);
    }

    /**
     * Every API request the journal keeps, oldest first: arrays with `seq`,
     * `time`, `method`, `path`, `scenario`, `parameter`, `value`, `outcome`,
     * `click_hash` and `status`.
     *
     * @return list<array<string, mixed>>
     *
     * @throws MockError
     */
    public function requests(): array
    {
        return $this->pages('/__mock/requests', 'requests');
    }

    /**
     * Checks call counts against the journal, and postbacks against their
     * log (`POST /__mock/verify`).
     *
     * ```php
     * $mock->verify([
     *     ['path' => '/api/transaction/click_detail', 'value' => '35b71a300115be9.16738986', 'status' => 200, 'count' => 1],
     *     ['status' => 401, 'at_most' => 0],
     *     ['postback' => ['event' => 'sale', 'state' => 'delivered'], 'count' => 2],
     * ]);
     * ```
     *
     * @param array<mixed> $expect a list of expectations, or one expectation
     *
     * @throws VerificationError when one is not met: its text lists each
     *     unmet expectation with its nearest requests (PHPUnit counts it as
     *     a failure)
     * @throws MockError for an expectation the mock cannot check (400
     *     `Invalid expectation: ...`)
     */
    public function verify(array $expect): void
    {
        $list = \array_is_list($expect) ? $expect : [$expect];
        // [] is "any request, at least once": send it as {}, not [].
        $list = \array_map(static fn ($one) => $one === [] ? new \stdClass() : $one, $list);
        [$status, $headers, $body, $text] = $this->call('POST', '/__mock/verify', ['expect' => $list]);
        if ($status === 200) {
            return;
        }
        if ($status === 422 && \is_array($body) && \is_array($body['failures'] ?? null)) {
            throw new VerificationError(self::describeFailures($body), $body['failures']);
        }
        throw self::error('POST', '/__mock/verify', $status, $headers, $body, $text);
    }

    /**
     * Makes a sale (or rebill) happen on a click, and the postbacks it sends
     * (`POST /__mock/conversions`).
     *
     * @param array<string, mixed> $fields `click_hash` and `amount`, and
     *     optionally `payout`, `trans_type`, `orderid`, `subscription_id`,
     *     `scenario`
     *
     * @return array{result: string, transaction_hash: string, postbacks: list<int>}
     *
     * @throws MockError with the server's message (`Click not found`, `Invalid amount`...)
     */
    public function convert(array $fields): array
    {
        return $this->expect(201, 'POST', '/__mock/conversions', (object) $fields);
    }

    /**
     * The active scenario's postback log, oldest first; with `$settled`,
     * waits until that many postbacks have settled (`delivered`, `failed`
     * or `dropped`) since the last reset and returns the log then.
     *
     * @param int|null $settled how many settled postbacks to wait for
     * @param float    $timeout how long to wait, in seconds (at most 60)
     *
     * @return list<array<string, mixed>>
     *
     * @throws TimeoutError when fewer settled in time: its text says how
     *     many had, and lists every postback's seq, target, event and state
     * @throws MockError
     */
    public function postbacks(?int $settled = null, float $timeout = 5.0): array
    {
        if ($settled === null) {
            return $this->pages('/__mock/postbacks', 'postbacks');
        }
        if ($settled < 0) {
            throw new \InvalidArgumentException("N4nMock::postbacks(): settled must not be negative, got {$settled}");
        }
        if ($timeout < 0 || $timeout > 60) {
            throw new \InvalidArgumentException("N4nMock::postbacks(): timeout must be from 0 to 60 seconds, got {$timeout}");
        }
        $ms = (int) \round($timeout * 1000);
        $path = "/__mock/postbacks?settled={$settled}&timeout={$ms}ms";
        // The HTTP client must wait longer than the mock does.
        [$status, $headers, $body, $text] = $this->call('GET', $path, null, $timeout + 10.0);
        if ($status === 200 && \is_array($body['postbacks'] ?? null)) {
            return $body['postbacks'];
        }
        if ($status === 504 && \is_array($body['postbacks'] ?? null)) {
            throw new TimeoutError(self::describeUnsettled($settled, $timeout, $body['postbacks']), $body['postbacks']);
        }
        throw self::error('GET', $path, $status, $headers, $body, $text);
    }

    /**
     * Stops the mock: SIGTERM, up to 5 s for it to finish, then SIGKILL;
     * removes its temporary folder. Safe to call twice; the destructor calls
     * it too.
     */
    public function stop(): void
    {
        if ($this->process === null) {
            return;
        }
        $process = $this->process;
        $this->process = null;
        self::terminate($process, self::STOP_GRACE);
        self::removeDir($this->dir);
    }

    public function __destruct()
    {
        $this->stop();
    }

    /**
     * What var_dump() and print_r() show: not the admin token.
     *
     * @return array<string, mixed>
     */
    public function __debugInfo(): array
    {
        return [
            'url' => $this->url,
            'pid' => $this->pid,
            'running' => $this->process !== null,
            'adminToken' => $this->token === null ? null : '(hidden)',
        ];
    }

    // ---------------------------------------------------------------- admin

    /**
     * A call that must answer `$want`, its body parsed.
     *
     * @return array<mixed>
     */
    private function expect(int $want, string $method, string $path, mixed $payload = null): array
    {
        [$status, $headers, $body, $text] = $this->call($method, $path, $payload);
        if ($status !== $want || !\is_array($body)) {
            throw self::error($method, $path, $status, $headers, $body, $text);
        }
        return $body;
    }

    /**
     * Every item of a paged admin list (`?after=SEQ`, `next_after`, `more`).
     *
     * @return list<array<string, mixed>>
     */
    private function pages(string $path, string $key): array
    {
        $items = [];
        $after = 0;
        do {
            $page = $this->expect(200, 'GET', "{$path}?after={$after}");
            \array_push($items, ...($page[$key] ?? []));
            $more = (bool) ($page['more'] ?? false);
            $next = (int) ($page['next_after'] ?? $after);
            if ($more && $next <= $after) {
                throw new MockError("n4n-mock: GET {$path} says there is more after {$after} but does not move on");
            }
            $after = $next;
        } while ($more);
        return $items;
    }

    /**
     * @return array{0: int, 1: array<string, string>, 2: mixed, 3: string}
     */
    private function call(string $method, string $path, mixed $payload = null, float $timeout = self::CALL_TIMEOUT): array
    {
        if ($this->process === null) {
            throw new MockError("n4n-mock: {$method} {$path}: the mock was stopped");
        }
        $json = $payload === null
            ? null
            : \json_encode($payload, \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES | \JSON_UNESCAPED_UNICODE);
        return self::http($method, $this->url . $path, $json, $timeout, $this->token);
    }

    /**
     * One HTTP request with PHP's stream wrapper (no curl needed).
     *
     * @return array{0: int, 1: array<string, string>, 2: mixed, 3: string}
     *     status, headers (lower-case names), the body parsed from JSON (null
     *     when it is not JSON), the body as text
     */
    private static function http(
        string $method,
        string $url,
        ?string $json,
        float $timeout,
        #[\SensitiveParameter]
        ?string $token = null,
    ): array {
        $http = [
            'method' => $method,
            'header' => "Accept: application/json\r\n"
                . ($token === null ? '' : "Authorization: Bearer {$token}\r\n"),
            'timeout' => $timeout,
            'ignore_errors' => true, // the body of a 4xx or 5xx too
            'follow_location' => 0,
            'protocol_version' => 1.1, // with Connection: close
        ];
        if ($json !== null) {
            $http['header'] .= "Content-Type: application/json\r\n";
            $http['content'] = $json;
        }
        // fopen() rather than file_get_contents(): the header lines come
        // with the stream (wrapper_data), on every PHP version, where
        // $http_response_header is deprecated from PHP 8.5 on.
        \error_clear_last();
        $stream = @\fopen($url, 'rb', false, \stream_context_create(['http' => $http]));
        if ($stream === false) {
            $why = \error_get_last()['message'] ?? 'no answer';
            throw new MockError("n4n-mock: {$method} {$url} failed: {$why}");
        }
        try {
            $lines = \stream_get_meta_data($stream)['wrapper_data'] ?? [];
            $text = @\stream_get_contents($stream);
            if (\stream_get_meta_data($stream)['timed_out']) {
                throw new MockError(\sprintf('n4n-mock: %s %s: no answer within %.1f s', $method, $url, $timeout));
            }
        } finally {
            \fclose($stream);
        }
        if ($text === false || !\is_array($lines) || $lines === []) {
            $why = \error_get_last()['message'] ?? 'no answer';
            throw new MockError("n4n-mock: {$method} {$url} failed: {$why}");
        }
        $status = 0;
        $headers = [];
        foreach ($lines as $line) {
            if (\preg_match('#^HTTP/\S+\s+(\d{3})#', $line, $m)) {
                $status = (int) $m[1];
                $headers = [];
            } elseif (\str_contains($line, ':')) {
                [$name, $value] = \explode(':', $line, 2);
                $headers[\strtolower(\trim($name))] = \trim($value);
            }
        }
        try {
            $body = $text === '' ? null : \json_decode($text, true, 512, \JSON_THROW_ON_ERROR);
        } catch (\JsonException) {
            $body = null;
        }
        return [$status, $headers, $body, $text];
    }

    /**
     * @param array<string, string> $headers
     */
    private static function error(string $method, string $path, int $status, array $headers, mixed $body, string $text): MockError
    {
        $kind = $headers['x-mock-error'] ?? null;
        $message = \is_array($body) && \is_string($body['message'] ?? null)
            ? $body['message']
            : \trim(\substr($text, 0, 1000));
        return new MockError(
            \sprintf('n4n-mock: %s %s answered %d%s: %s', $method, $path, $status, $kind === null ? '' : " ({$kind})", $message),
            $status,
            $kind,
            $body,
        );
    }

    // ------------------------------------------------------------- messages

    /**
     * The 422 answer of /__mock/verify as text: the summary, then each
     * unmet expectation (as JSON), how many matched, and its nearest entries.
     *
     * @param array<string, mixed> $body
     */
    private static function describeFailures(array $body): string
    {
        $text = (string) ($body['message'] ?? 'expectations not met');
        foreach ($body['failures'] as $failure) {
            $text .= \sprintf(
                "\nexpectation %s: %s: matched %s",
                $failure['index'] ?? '?',
                self::json($failure['expected'] ?? null),
                self::json($failure['actual'] ?? null),
            );
            $nearest = $failure['nearest'] ?? [];
            if ($nearest === []) {
                $text .= isset($failure['expected']['postback'])
                    ? "\n  nothing near it: no postback was sent"
                    : "\n  nothing near it: the journal is empty";
            }
            foreach ($nearest as $near) {
                $differs = $near['differs'] ?? [];
                $text .= "\n  nearest ("
                    . ($differs === [] ? 'matches' : 'differs in ' . \implode(', ', $differs))
                    . '): ';
                if (isset($near['request'])) {
                    $text .= self::describeRequest($near['request']);
                } elseif (isset($near['postback'])) {
                    $text .= self::describePostback($near['postback']);
                } else {
                    $text .= self::json($near);
                }
            }
        }
        return $text;
    }

    /**
     * @param array<string, mixed> $entry
     */
    private static function describeRequest(array $entry): string
    {
        $lookup = isset($entry['parameter']) ? " {$entry['parameter']}=" . ($entry['value'] ?? '') : '';
        return \sprintf(
            '%s %s%s -> %s %s (seq %s, scenario %s, click_hash %s, %s)',
            $entry['method'] ?? '?',
            $entry['path'] ?? '?',
            $lookup,
            $entry['status'] ?? '-',
            $entry['outcome'] ?? '?',
            $entry['seq'] ?? '?',
            $entry['scenario'] ?? '?',
            $entry['click_hash'] ?? '-',
            $entry['time'] ?? '?',
        );
    }

    /**
     * @param array<string, mixed> $postback
     */
    private static function describePostback(array $postback): string
    {
        $attempts = $postback['attempts'] ?? [];
        $last = $attempts === [] ? null : $attempts[\count($attempts) - 1];
        $answer = match (true) {
            $last === null => 'not sent yet',
            isset($last['status']) => 'last answer ' . $last['status'],
            default => 'last error ' . ($last['error'] ?? '?'),
        };
        return \sprintf(
            'postback seq %s: %s to %s, %s %s, transaction %s, %s after %d attempt(s), %s%s',
            $postback['seq'] ?? '?',
            $postback['event'] ?? '?',
            $postback['target'] ?? '?',
            $postback['method'] ?? '?',
            $postback['url'] ?? '?',
            $postback['transaction_hash'] ?? '?',
            $postback['state'] ?? '?',
            \count($attempts),
            $answer,
            isset($postback['reason']) ? " ({$postback['reason']})" : '',
        );
    }

    /**
     * @param list<array<string, mixed>> $postbacks
     */
    private static function describeUnsettled(int $wanted, float $timeout, array $postbacks): string
    {
        $settled = \count(\array_filter(
            $postbacks,
            static fn (array $p) => \in_array($p['state'] ?? null, self::SETTLED, true),
        ));
        $text = \sprintf(
            'n4n-mock: %d of %d postbacks settled within %.1f s (%d in the log)',
            $settled,
            $wanted,
            $timeout,
            \count($postbacks),
        );
        foreach ($postbacks as $postback) {
            $text .= "\n  " . self::describePostback($postback);
        }
        return $text;
    }

    private static function json(mixed $value): string
    {
        return (string) \json_encode($value, \JSON_UNESCAPED_SLASHES | \JSON_UNESCAPED_UNICODE | \JSON_PRESERVE_ZERO_FRACTION);
    }

    // -------------------------------------------------------------- process

    /**
     * Refuses a token no HTTP header can carry as it is (never showing it).
     *
     * @param class-string<\Throwable> $error
     */
    private static function checkToken(#[\SensitiveParameter] mixed $token, string $origin, string $error): void
    {
        if (!\is_string($token)) {
            throw new $error("{$origin} must be a string, not " . \get_debug_type($token));
        }
        if ($token === '') {
            throw new $error("{$origin} must not be empty");
        }
        if (!\preg_match('/^[\x21-\x7e]+$/D', $token)) {
            throw new $error("{$origin} must be printable ASCII without spaces: it goes in an HTTP header");
        }
    }

    /**
     * The admin token the mock will read from `$env`, if any. An empty or
     * unreadable token file is left to the mock, which refuses it at start.
     *
     * @param array<string, string> $env
     */
    private static function childToken(#[\SensitiveParameter] array $env): ?string
    {
        $token = $env[self::TOKEN_VARIABLE] ?? null;
        if ($token !== null) {
            // Refused here when empty, as the mock would: proc_open() drops
            // an empty variable, and the mock would run without a token.
            self::checkToken($token, 'n4n-mock: the admin token (' . self::TOKEN_VARIABLE . ')', MockError::class);
            return $token;
        }
        if (($env[self::TOKEN_FILE_VARIABLE] ?? '') === '') {
            return null;
        }
        $token = @\file_get_contents($env[self::TOKEN_FILE_VARIABLE]);
        if ($token === false) {
            return null;
        }
        // As the mock does: the one line ending a file usually has goes.
        $token = \str_ends_with($token, "\n") ? \substr($token, 0, -1) : $token;
        $token = \str_ends_with($token, "\r") ? \substr($token, 0, -1) : $token;
        if ($token === '') {
            return null;
        }
        self::checkToken($token, 'n4n-mock: the admin token (in the file ' . self::TOKEN_FILE_VARIABLE . ' names)', MockError::class);
        return $token;
    }

    /** The executable to run: the option, else N4N_MOCK_BIN, else n4n-mock on PATH. */
    private static function findBinary(?string $option): string
    {
        $from = 'the binary option';
        $binary = $option;
        if ($binary === null || $binary === '') {
            $from = 'N4N_MOCK_BIN';
            $binary = \getenv('N4N_MOCK_BIN');
        }
        if ($binary === false || $binary === '') {
            foreach (\explode(\PATH_SEPARATOR, (string) \getenv('PATH')) as $dir) {
                $candidate = ($dir === '' ? '.' : $dir) . '/n4n-mock';
                if (\is_file($candidate) && \is_executable($candidate)) {
                    return $candidate;
                }
            }
            throw new MockError(
                'n4n-mock: no binary: N4N_MOCK_BIN is not set and n4n-mock is not on PATH. This Composer '
                . 'package holds no binary: install n4n-mock with pip, npm or cargo (or take its static '
                . 'binary), then put it on PATH or name it in N4N_MOCK_BIN, or pass '
                . "['binary' => '/path/to/n4n-mock'] to N4nMock::start()",
            );
        }
        if (!\str_contains($binary, '/')) {
            // A bare name: look it up on PATH, as a shell would.
            foreach (\explode(\PATH_SEPARATOR, (string) \getenv('PATH')) as $dir) {
                $candidate = ($dir === '' ? '.' : $dir) . '/' . $binary;
                if (\is_file($candidate) && \is_executable($candidate)) {
                    return $candidate;
                }
            }
            throw new MockError("n4n-mock: {$binary} (from {$from}) is not on PATH");
        }
        if (!\is_file($binary) || !\is_executable($binary)) {
            throw new MockError("n4n-mock: {$binary} (from {$from}) is not an executable file");
        }
        return $binary;
    }

    /**
     * Kills a start that failed and throws, with the last lines of its log.
     *
     * @param resource     $process
     * @param list<string> $command
     */
    private static function failStart($process, string $dir, string $why, array $command): never
    {
        self::terminate($process, 0.0);
        $log = @\file_get_contents($dir . '/n4n-mock.log');
        self::removeDir($dir);
        $lines = \preg_split('/\R/', \rtrim((string) $log)) ?: [];
        $tail = \implode("\n", \array_slice($lines, -20));
        throw new MockError(
            "n4n-mock did not start: {$why}\ncommand: " . \implode(' ', $command)
            . ($tail === '' ? "\n(its log is empty)" : "\nlast lines of its log:\n{$tail}"),
        );
    }

    /**
     * SIGTERM, up to `$grace` seconds, then SIGKILL; reaps the process.
     *
     * @param resource $process
     */
    private static function terminate($process, float $grace): void
    {
        $status = \proc_get_status($process);
        if ($status['running']) {
            \proc_terminate($process, 15); // SIGTERM (no pcntl needed for the number)
            $deadline = \microtime(true) + $grace;
            while (\proc_get_status($process)['running'] && \microtime(true) < $deadline) {
                \usleep(20_000);
            }
            if (\proc_get_status($process)['running']) {
                \proc_terminate($process, 9); // SIGKILL
            }
        }
        \proc_close($process); // waits for it, so its PID is gone once this returns
    }

    private static function makeTempDir(): string
    {
        $base = \rtrim(\sys_get_temp_dir(), '/');
        for ($i = 0; $i < 10; $i++) {
            $dir = $base . '/n4n-mock-php-' . \bin2hex(\random_bytes(6));
            if (@\mkdir($dir, 0700)) {
                return $dir;
            }
        }
        throw new MockError("n4n-mock: cannot make a temporary folder in {$base}");
    }

    private static function removeDir(string $dir): void
    {
        foreach (@\scandir($dir) ?: [] as $name) {
            if ($name !== '.' && $name !== '..') {
                @\unlink($dir . '/' . $name);
            }
        }
        @\rmdir($dir);
    }
}
