<?php

declare(strict_types=1);

namespace N4nMock\Tests;

use N4nMock\MockError;
use N4nMock\N4nMock;
use N4nMock\TimeoutError;
use N4nMock\VerificationError;
use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\TestCase;

/**
 * The PHP helper against the n4n-mock binary that N4N_MOCK_BIN names, loaded
 * through Composer from the installed package (scripts/test-php.sh installs
 * it in a project outside the repository and runs these tests there).
 */
final class N4nMockTest extends TestCase
{
    private const API_KEY = '44b5498dbcb481a0d00b404c0169af62';
    private const API_USERNAME = 'n4n_admin';
    private const CLICK = '35b71a300115be9.16738986';
    private const TRANSACTION = 'ac35ffba0fc0007.24591976';
    private const LOOKUP = '/api/transaction/click_detail';
    private const ADMIN_TOKEN = 't0ken-for-the-admin-api.7f3a9c';
    private const ADMIN_TOKEN_REFUSED = ['result' => 'error', 'message' => 'Missing or invalid admin token'];

    /** One mock for the tests that need no process of their own. */
    private static ?N4nMock $mock = null;

    public static function setUpBeforeClass(): void
    {
        self::$mock = N4nMock::start();
    }

    public static function tearDownAfterClass(): void
    {
        self::$mock?->stop();
        self::$mock = null;
    }

    protected function setUp(): void
    {
        self::$mock->use('default');
        self::$mock->reset();
    }

    // ------------------------------------------------------------- helpers

    /**
     * GET a click_detail lookup with the API page's credentials.
     *
     * @return array{0: int, 1: mixed}
     */
    private static function lookUp(N4nMock $mock, string $hash = self::CLICK): array
    {
        return self::get($mock->url() . self::LOOKUP . '?' . http_build_query(['transaction_hash' => $hash]));
    }

    /** A stream context that sends the API page's credentials. */
    private static function credentials(): mixed
    {
        return stream_context_create(['http' => [
            'header' => 'api-key: ' . self::API_KEY . "\r\napi-username: " . self::API_USERNAME . "\r\n",
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
    }

    /**
     * @return array{0: int, 1: mixed} the status and the body parsed from JSON
     */
    private static function get(string $url): array
    {
        $response = fopen($url, 'r', false, self::credentials());
        self::assertIsResource($response, "GET {$url}");
        $statusLine = stream_get_meta_data($response)['wrapper_data'][0];
        $body = stream_get_contents($response);
        fclose($response);
        self::assertMatchesRegularExpression('#^HTTP/\S+ \d{3} #', $statusLine);
        return [(int) explode(' ', $statusLine)[1], json_decode($body, true)];
    }

    /**
     * A plain admin API call, with `Authorization: Bearer $token` when given.
     *
     * @return array{0: int, 1: array<string, string>, 2: mixed} the status,
     *     the headers (lower-case names) and the body parsed from JSON
     */
    private static function adminCall(string $url, string $method = 'GET', string $path = '/__mock/requests', ?string $token = null): array
    {
        $context = stream_context_create(['http' => [
            'method' => $method,
            'header' => $token === null ? '' : "Authorization: Bearer {$token}\r\n",
            'ignore_errors' => true,
            'timeout' => 10,
        ]]);
        $response = fopen($url . $path, 'r', false, $context);
        self::assertIsResource($response, "{$method} {$path}");
        $lines = stream_get_meta_data($response)['wrapper_data'];
        $body = stream_get_contents($response);
        fclose($response);
        $headers = [];
        foreach (array_slice($lines, 1) as $line) {
            [$name, $value] = explode(':', $line, 2) + [1 => ''];
            $headers[strtolower(trim($name))] = trim($value);
        }
        return [(int) explode(' ', $lines[0])[1], $headers, json_decode($body, true)];
    }

    /**
     * Runs `$body` with these environment variables (null: unset), then puts them back.
     *
     * @param array<string, string|null> $vars
     */
    private static function withEnv(array $vars, \Closure $body): void
    {
        $saved = [];
        foreach ($vars as $name => $value) {
            $saved[$name] = getenv($name);
            putenv($value === null ? $name : "{$name}={$value}");
        }
        try {
            $body();
        } finally {
            foreach ($saved as $name => $value) {
                putenv($value === false ? $name : "{$name}={$value}");
            }
        }
    }

    private static function alive(int $pid): bool
    {
        return file_exists("/proc/{$pid}");
    }

    /** The PIDs of the processes whose command line holds $marker. */
    private static function processesWith(string $marker): array
    {
        $found = [];
        foreach (glob('/proc/[0-9]*/cmdline') ?: [] as $file) {
            $cmdline = @file_get_contents($file);
            if ($cmdline !== false && str_contains($cmdline, $marker)) {
                $found[] = (int) basename(dirname($file));
            }
        }
        return $found;
    }

    // --------------------------------------------------------------- tests

    public function testTheClassComesFromTheInstalledPackage(): void
    {
        $file = (new \ReflectionClass(N4nMock::class))->getFileName();
        $this->assertStringContainsString('/vendor/n4n-mock/n4n-mock/src/', $file);
    }

    public function testStartsOnALoopbackPortAndAnswersHealth(): void
    {
        $mock = self::$mock;
        $this->assertMatchesRegularExpression('#^http://127\.0\.0\.1:\d+$#', $mock->url());
        $this->assertGreaterThan(0, $mock->pid());
        $this->assertTrue(self::alive($mock->pid()));
        [$status, $health] = self::get($mock->url() . '/__mock/health');
        $this->assertSame(200, $status);
        $this->assertSame('ok', $health['status']);
        $this->assertSame('default', $health['scenario']);
    }

    public function testLooksTheApiPageExampleUp(): void
    {
        [$status, $body] = self::lookUp(self::$mock);
        $this->assertSame(200, $status);
        $this->assertSame('success', $body['result']);
        $this->assertSame(self::CLICK, $body['click']['click_hash']);
        $this->assertSame(self::TRANSACTION, $body['transactions'][0]['transaction_hash']);
    }

    public function testUseLockedGives401(): void
    {
        $answer = self::$mock->use('locked');
        $this->assertSame(['result' => 'success', 'active' => 'locked', 'previous' => 'default'], $answer);
        [$status] = self::lookUp(self::$mock);
        $this->assertSame(401, $status);
    }

    public function testUseAnUnknownScenarioNamesIt(): void
    {
        try {
            self::$mock->use('no-such-scenario');
            $this->fail('use() took an unknown scenario');
        } catch (MockError $e) {
            $this->assertStringContainsString('Unknown scenario: no-such-scenario', $e->getMessage());
            $this->assertSame(400, $e->status);
            $this->assertSame('unknown-scenario', $e->errorKind);
        }
    }

    public function testResetEmptiesTheJournalAndRestoresTheData(): void
    {
        $mock = self::$mock;
        $sale = $mock->convert(['click_hash' => self::CLICK, 'amount' => '29.95', 'payout' => '10.00']);
        $this->assertSame('success', $sale['result']);
        $this->assertSame([], $sale['postbacks']); // `default` has no postback targets
        [, $body] = self::lookUp($mock);
        $hashes = array_column($body['transactions'], 'transaction_hash');
        $this->assertContains($sale['transaction_hash'], $hashes);
        $this->assertCount(1, $mock->requests()); // admin calls are not journaled

        $mock->reset();

        $this->assertSame([], $mock->requests());
        [, $body] = self::lookUp($mock);
        $this->assertNotContains($sale['transaction_hash'], array_column($body['transactions'], 'transaction_hash'));
        $this->assertSame([self::TRANSACTION], array_column($body['transactions'], 'transaction_hash'));
    }

    public function testRequestsListsTheJournalOldestFirstAcrossPages(): void
    {
        $mock = self::$mock;
        [$status] = self::lookUp($mock);
        $this->assertSame(200, $status);
        $first = $mock->requests();
        $this->assertCount(1, $first);
        $this->assertSame('GET', $first[0]['method']);
        $this->assertSame(self::LOOKUP, $first[0]['path']);
        $this->assertSame('transaction_hash', $first[0]['parameter']);
        $this->assertSame(self::CLICK, $first[0]['value']);
        $this->assertSame('click', $first[0]['outcome']);
        $this->assertSame(self::CLICK, $first[0]['click_hash']);
        $this->assertSame(200, $first[0]['status']);
        $this->assertSame('default', $first[0]['scenario']);

        // A page holds 1000 entries: 1001 need a second one.
        $context = self::credentials();
        for ($i = 0; $i < 1000; $i++) {
            file_get_contents($mock->url() . self::LOOKUP . "?transaction_hash=n{$i}", false, $context);
        }
        $all = $mock->requests();
        $this->assertCount(1001, $all);
        $seqs = array_column($all, 'seq');
        $this->assertSame($first[0]['seq'], $seqs[0]);
        $this->assertSame(range($seqs[0], $seqs[0] + 1000), $seqs);
        $this->assertSame('n999', $all[1000]['value']);
    }

    public function testVerifyPassesAfterExactlyOneLookup(): void
    {
        self::lookUp(self::$mock);
        $expectation = ['path' => self::LOOKUP, 'value' => self::CLICK, 'status' => 200, 'count' => 1];
        self::$mock->verify([$expectation]);
        self::$mock->verify($expectation); // one expectation, not in a list
        self::$mock->verify([$expectation, ['status' => 401, 'at_most' => 0], []]);
        $this->addToAssertionCount(3);
    }

    public function testVerifyFailureShowsTheNearestMiss(): void
    {
        self::lookUp(self::$mock, '35b71a300115be9.1673898'); // the last digit missing: 404
        try {
            self::$mock->verify([
                ['path' => self::LOOKUP, 'value' => self::CLICK, 'status' => 200, 'count' => 1],
                ['status' => 401, 'at_most' => 0],
            ]);
            $this->fail('verify() passed');
        } catch (VerificationError $e) {
            $message = $e->getMessage();
            $this->assertStringContainsString('1 of 2 expectations not met', $message);
            $this->assertStringContainsString(
                '{"path":"/api/transaction/click_detail","value":"35b71a300115be9.16738986","status":200,"count":1}: matched 0',
                $message,
            );
            $this->assertStringContainsString('differs in', $message);
            $this->assertStringContainsString('value', $message);
            $this->assertStringContainsString('transaction_hash=35b71a300115be9.1673898 -> 404 not_found', $message);
            $this->assertCount(1, $e->failures);
            $this->assertSame(0, $e->failures[0]['index']);
            $this->assertSame(0, $e->failures[0]['actual']);
        }
    }

    public function testVerifyFailureOnACountShowsTheMatchingRequest(): void
    {
        self::lookUp(self::$mock);
        try {
            self::$mock->verify(['path' => self::LOOKUP, 'value' => self::CLICK, 'count' => 2]);
            $this->fail('verify() passed');
        } catch (VerificationError $e) {
            $this->assertStringContainsString('1 of 1 expectation not met', $e->getMessage());
            $this->assertStringContainsString('"count":2}: matched 1', $e->getMessage());
            $this->assertStringContainsString(
                'GET /api/transaction/click_detail transaction_hash=35b71a300115be9.16738986 -> 200 click',
                $e->getMessage(),
            );
        }
    }

    public function testAVerificationErrorIsAPhpUnitFailure(): void
    {
        try {
            self::$mock->verify(['path' => self::LOOKUP, 'count' => 1]);
            $this->fail('verify() passed on an empty journal');
        } catch (VerificationError $e) {
            // PHPUnit reports it as a failure (F), not an error (E)...
            $this->assertInstanceOf(AssertionFailedError::class, $e);
            // ...and it is a RuntimeException, with or without PHPUnit.
            $this->assertInstanceOf(\RuntimeException::class, $e);
            $this->assertStringContainsString('the journal is empty', $e->getMessage());
        }
    }

    public function testAnInvalidExpectationIsAPlainError(): void
    {
        try {
            self::$mock->verify(['path' => self::LOOKUP, 'count' => 1, 'at_most' => 2]);
            $this->fail('verify() took count with at_most');
        } catch (VerificationError $e) {
            $this->fail('an invalid expectation is not a verification failure: ' . $e->getMessage());
        } catch (MockError $e) {
            $this->assertStringContainsString('Invalid expectation:', $e->getMessage());
            $this->assertSame(400, $e->status);
            $this->assertSame('invalid-expectation', $e->errorKind);
        }
    }

    public function testAConversionOnAnUnknownClickGivesTheServersMessage(): void
    {
        $this->expectException(MockError::class);
        $this->expectExceptionMessage('Click not found');
        self::$mock->convert(['click_hash' => 'fffffffffffffff.00000000', 'amount' => '1.00']);
    }

    public function testWaitingForPostbacksThatNeverComeTimesOut(): void
    {
        $this->assertSame([], self::$mock->postbacks());
        $started = microtime(true);
        try {
            self::$mock->postbacks(settled: 1, timeout: 0.3);
            $this->fail('postbacks() did not time out');
        } catch (TimeoutError $e) {
            $this->assertStringContainsString('0 of 1 postbacks settled', $e->getMessage());
            $this->assertSame([], $e->postbacks);
        }
        $this->assertLessThan(5.0, microtime(true) - $started);
    }

    public function testConversionPostsBackToAReceiver(): void
    {
        $dir = sys_get_temp_dir() . '/n4n-mock-receiver-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        $received = "{$dir}/received.jsonl";
        $receiver = proc_open(
            [PHP_BINARY, __DIR__ . '/receiver.php', $received],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', "{$dir}/receiver.log", 'a']],
            $pipes,
        );
        $this->assertIsResource($receiver);
        $mock = null;
        try {
            stream_set_timeout($pipes[1], 10);
            $receiverUrl = trim((string) fgets($pipes[1]));
            $this->assertMatchesRegularExpression(
                '#^http://127\.0\.0\.1:\d+$#',
                $receiverUrl,
                'the receiver did not start: ' . @file_get_contents("{$dir}/receiver.log"),
            );

            $mock = N4nMock::start(['scenario' => 'postbacks', 'env' => ['N4N_MOCK_RECEIVER' => $receiverUrl]]);
            $sale = $mock->convert(['click_hash' => 'b0ca1c0de000001.20000001', 'amount' => '29.95']);
            $this->assertSame('success', $sale['result']);
            $this->assertCount(2, $sale['postbacks']);

            $postbacks = $mock->postbacks(settled: 2, timeout: 10.0);
            $this->assertCount(2, $postbacks);
            $byTarget = array_column($postbacks, null, 'target');
            ksort($byTarget);
            $this->assertSame(['pixel', 'server'], array_keys($byTarget));
            foreach ($byTarget as $target => $postback) {
                $this->assertSame('delivered', $postback['state'], "{$target}: " . json_encode($postback));
                $this->assertSame('sale', $postback['event']);
                $this->assertSame($sale['transaction_hash'], $postback['transaction_hash']);
                $this->assertSame(200, end($postback['attempts'])['status']);
            }
            $this->assertSame('GET', $byTarget['pixel']['method']);
            $this->assertSame('POST', $byTarget['server']['method']);
            $this->assertSame($postbacks, $mock->postbacks());

            // What the receiver got: the pixel's GET and the form POST.
            $requests = array_map(
                static fn (string $line) => json_decode($line, true),
                file($received, FILE_IGNORE_NEW_LINES | FILE_SKIP_EMPTY_LINES),
            );
            $this->assertCount(2, $requests);
            $byMethod = array_column($requests, null, 'method');
            $this->assertStringStartsWith('/pixel?event=sale&seq=1&', $byMethod['GET']['target']);
            $this->assertStringContainsString('tx=' . $sale['transaction_hash'], $byMethod['GET']['target']);
            $this->assertSame('/postback', $byMethod['POST']['target']);
            parse_str($byMethod['POST']['body'], $form);
            $this->assertSame($sale['transaction_hash'], $form['transaction_hash'] ?? null, $byMethod['POST']['body']);

            $mock->verify([
                ['postback' => ['event' => 'sale', 'target' => 'server', 'state' => 'delivered'], 'count' => 1],
                ['postback' => ['state' => 'failed'], 'at_most' => 0],
            ]);
        } finally {
            $mock?->stop();
            fclose($pipes[0]); // the receiver exits when its stdin closes...
            fclose($pipes[1]);
            proc_terminate($receiver); // ...or now
            proc_close($receiver);
            array_map('unlink', glob("{$dir}/*") ?: []);
            rmdir($dir);
        }
    }

    public function testStopLeavesNoProcessBehind(): void
    {
        $mock = N4nMock::start();
        $pid = $mock->pid();
        $this->assertTrue(self::alive($pid));
        $mock->stop();
        $this->assertFalse(self::alive($pid), "PID {$pid} is still there after stop()");
        $mock->stop(); // a second stop does nothing
        $this->expectException(MockError::class);
        $mock->requests();
    }

    public function testDroppingTheObjectStopsTheMock(): void
    {
        $mock = N4nMock::start();
        $pid = $mock->pid();
        $this->assertTrue(self::alive($pid));
        $mock = null; // the destructor stops it
        $this->assertFalse(self::alive($pid), "PID {$pid} is still there after the object went");
    }

    public function testTwoServersAtOnceGetTwoPorts(): void
    {
        $one = N4nMock::start();
        $two = N4nMock::start(['scenario' => 'locked']);
        try {
            $this->assertNotSame($one->url(), $two->url());
            $this->assertNotSame($one->pid(), $two->pid());
            $this->assertSame(200, self::lookUp($one)[0]);
            $this->assertSame(401, self::lookUp($two)[0]);
            $this->assertCount(1, $one->requests());
            $this->assertCount(1, $two->requests());
        } finally {
            $one->stop();
            $two->stop();
        }
        $this->assertFalse(self::alive($one->pid()));
        $this->assertFalse(self::alive($two->pid()));
    }

    public function testStartingAnUnknownScenarioFailsWithTheServersMessage(): void
    {
        $name = 'no-such-scenario-' . bin2hex(random_bytes(4));
        try {
            N4nMock::start(['scenario' => $name]);
            $this->fail('start() took an unknown scenario');
        } catch (MockError $e) {
            $this->assertStringContainsString("unknown scenario `{$name}`", $e->getMessage());
            $this->assertStringContainsString('exited with code 2', $e->getMessage());
        }
        $this->assertSame([], self::processesWith($name), 'a failed start left its process behind');
    }

    public function testAStartThatTimesOutLeavesNoProcess(): void
    {
        // An empty scenarios folder of its own marks the process.
        $dir = sys_get_temp_dir() . '/n4n-mock-empty-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        try {
            N4nMock::start(['scenariosDir' => $dir, 'startTimeout' => 0.0]);
            $this->fail('start() did not time out');
        } catch (MockError $e) {
            $this->assertStringContainsString('n4n-mock did not start', $e->getMessage());
        } finally {
            rmdir($dir);
        }
        $this->assertSame([], self::processesWith($dir), 'a failed start left its process behind');
    }

    public function testArgsAndEnvReachTheMock(): void
    {
        $mock = N4nMock::start([
            'args' => ['--journal-size', '2'],
            'env' => ['N4N_MOCK_SCENARIO' => 'locked'],
        ]);
        try {
            for ($i = 0; $i < 3; $i++) {
                $this->assertSame(401, self::lookUp($mock)[0]);
            }
            $this->assertCount(2, $mock->requests());
        } finally {
            $mock->stop();
        }
    }

    public function testABinaryThatIsNotThereIsAClearError(): void
    {
        try {
            N4nMock::start(['binary' => '/nonexistent/n4n-mock']);
            $this->fail('start() ran a binary that is not there');
        } catch (MockError $e) {
            $this->assertStringContainsString('/nonexistent/n4n-mock (from the binary option) is not an executable file', $e->getMessage());
        }

        $bin = getenv('N4N_MOCK_BIN');
        $path = getenv('PATH');
        putenv('N4N_MOCK_BIN');
        putenv('PATH=/nonexistent');
        try {
            N4nMock::start();
            $this->fail('start() found a binary with no N4N_MOCK_BIN and nothing on PATH');
        } catch (MockError $e) {
            $this->assertStringContainsString('N4N_MOCK_BIN is not set', $e->getMessage());
            $this->assertStringContainsString('holds no binary', $e->getMessage());
        } finally {
            putenv($bin === false ? 'N4N_MOCK_BIN' : "N4N_MOCK_BIN={$bin}");
            putenv($path === false ? 'PATH' : "PATH={$path}");
        }
    }

    public function testAnUnknownOptionIsRefused(): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('unknown option scenario_dir');
        N4nMock::start(['scenario_dir' => 'x']);
    }

    public function testWithAnAdminTokenEveryOperationWorks(): void
    {
        $dir = sys_get_temp_dir() . '/n4n-mock-receiver-' . bin2hex(random_bytes(6));
        mkdir($dir, 0700);
        $receiver = proc_open(
            [PHP_BINARY, __DIR__ . '/receiver.php', "{$dir}/received.jsonl"],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', "{$dir}/receiver.log", 'a']],
            $pipes,
        );
        $this->assertIsResource($receiver);
        $mock = null;
        try {
            stream_set_timeout($pipes[1], 10);
            $receiverUrl = trim((string) fgets($pipes[1]));
            $this->assertMatchesRegularExpression('#^http://127\.0\.0\.1:\d+$#', $receiverUrl);

            $mock = N4nMock::start([
                'scenario' => 'postbacks',
                'env' => ['N4N_MOCK_RECEIVER' => $receiverUrl],
                'adminToken' => self::ADMIN_TOKEN,
            ]);
            $sale = $mock->convert(['click_hash' => 'b0ca1c0de000001.20000001', 'amount' => '29.95']);
            $this->assertSame([1, 2], $sale['postbacks']);
            $postbacks = $mock->postbacks(settled: 2, timeout: 10.0);
            $this->assertSame(['delivered', 'delivered'], array_column($postbacks, 'state'));
            $this->assertSame([1, 2], array_column($mock->postbacks(), 'seq'));
            $mock->verify(['postback' => ['event' => 'sale', 'state' => 'delivered'], 'count' => 2]);

            $mock->reset();
            $this->assertSame([], $mock->postbacks());
            $this->assertSame(['result' => 'success', 'active' => 'default', 'previous' => 'postbacks'], $mock->use('default'));
            $this->assertSame(200, self::lookUp($mock)[0]);
            $this->assertSame([self::CLICK], array_column($mock->requests(), 'value'));
            $once = ['path' => self::LOOKUP, 'value' => self::CLICK, 'status' => 200, 'count' => 1];
            $mock->verify($once);
            try {
                $mock->verify(['count' => 2] + $once);
                $this->fail('verify() passed');
            } catch (VerificationError $e) {
                $this->assertStringContainsString('matched 1', $e->getMessage());
            }
            $mock->reset();
            $this->assertSame([], $mock->requests());
        } finally {
            $mock?->stop();
            fclose($pipes[0]);
            fclose($pipes[1]);
            proc_terminate($receiver);
            proc_close($receiver);
            array_map('unlink', glob("{$dir}/*") ?: []);
            rmdir($dir);
        }
    }

    public function testWithAnAdminTokenACallWithoutItGets401(): void
    {
        $mock = N4nMock::start(['adminToken' => self::ADMIN_TOKEN]);
        try {
            foreach ([null, 'not-the-token'] as $token) {
                foreach ([['GET', '/__mock/requests'], ['POST', '/__mock/reset']] as [$method, $path]) {
                    [$status, $headers, $body] = self::adminCall($mock->url(), $method, $path, $token);
                    $this->assertSame(401, $status, "{$method} {$path} with token " . var_export($token, true));
                    $this->assertSame('Bearer', $headers['www-authenticate'] ?? null);
                    $this->assertSame('admin-token', $headers['x-mock-error'] ?? null);
                    $this->assertSame(self::ADMIN_TOKEN_REFUSED, $body);
                }
            }
            [$status, , $body] = self::adminCall($mock->url(), token: self::ADMIN_TOKEN);
            $this->assertSame(200, $status);
            $this->assertSame([], $body['requests']);
            [$status, , $body] = self::adminCall($mock->url(), path: '/__mock/health');
            $this->assertSame(200, $status);
            $this->assertSame('ok', $body['status']);
        } finally {
            $mock->stop();
        }
    }

    public function testTheAdminTokenIsNotOnTheCommandLineNorInTheLog(): void
    {
        $mock = N4nMock::start(['adminToken' => self::ADMIN_TOKEN]);
        try {
            $cmdline = (string) file_get_contents("/proc/{$mock->pid()}/cmdline");
            $this->assertStringContainsString('serve', $cmdline);
            $this->assertStringNotContainsString(self::ADMIN_TOKEN, $cmdline);
            $environ = explode("\0", (string) file_get_contents("/proc/{$mock->pid()}/environ"));
            $this->assertContains('N4N_MOCK_ADMIN_TOKEN=' . self::ADMIN_TOKEN, $environ);
            $this->assertStringNotContainsString(self::ADMIN_TOKEN, print_r($mock, true));

            $mock->reset();
            $mock->use('locked');
            self::lookUp($mock);
            $mock->requests();
            $mock->verify(['status' => 401, 'count' => 1]);
            $this->assertSame(401, self::adminCall($mock->url(), token: 'not-the-token')[0]);
            $this->assertSame(401, self::adminCall($mock->url())[0]);

            // The mock's log, the file its stdout goes to; written in the background.
            $log = static fn (): string => (string) file_get_contents("/proc/{$mock->pid()}/fd/1");
            $deadline = microtime(true) + 5.0;
            while (substr_count($log(), 'status=401') < 3 && microtime(true) < $deadline) {
                usleep(50_000);
            }
            $text = $log();
            $this->assertSame(3, substr_count($text, 'status=401'), $text); // the locked lookup, the two refused calls
            $this->assertStringNotContainsString(self::ADMIN_TOKEN, $text);
            $this->assertStringNotContainsString('not-the-token', $text);
        } finally {
            $mock->stop();
        }
    }

    public function testAnAdminTokenInTheEnvironmentOrInEnvIsUsed(): void
    {
        self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => self::ADMIN_TOKEN], function (): void {
            $mock = N4nMock::start();
            try {
                $this->assertSame(401, self::adminCall($mock->url())[0]);
                $this->assertSame(200, self::lookUp($mock)[0]);
                $this->assertCount(1, $mock->requests());
                $mock->reset();
            } finally {
                $mock->stop();
            }
        });
        self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => null], function (): void {
            $mock = N4nMock::start(['env' => ['N4N_MOCK_ADMIN_TOKEN' => self::ADMIN_TOKEN]]);
            try {
                $this->assertSame(401, self::adminCall($mock->url())[0]);
                $this->assertSame('locked', $mock->use('locked')['active']);
                $mock->reset();
            } finally {
                $mock->stop();
            }
        });
    }

    public function testAnAdminTokenFileIsReadAndTheOptionWins(): void
    {
        $file = sys_get_temp_dir() . '/n4n-mock-token-' . bin2hex(random_bytes(6));
        file_put_contents($file, self::ADMIN_TOKEN . "\n");
        try {
            self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => null, 'N4N_MOCK_ADMIN_TOKEN_FILE' => $file], function (): void {
                $mock = N4nMock::start();
                try {
                    $this->assertSame(401, self::adminCall($mock->url())[0]);
                    $this->assertSame(200, self::adminCall($mock->url(), token: self::ADMIN_TOKEN)[0]);
                    $this->assertSame([], $mock->requests());
                } finally {
                    $mock->stop();
                }
            });
            self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => 'from-the-environment'], function () use ($file): void {
                $mock = N4nMock::start([
                    'adminToken' => 'from-the-option',
                    'env' => ['N4N_MOCK_ADMIN_TOKEN_FILE' => $file],
                ]);
                try {
                    $this->assertSame(200, self::adminCall($mock->url(), token: 'from-the-option')[0]);
                    $this->assertSame(401, self::adminCall($mock->url(), token: 'from-the-environment')[0]);
                    $this->assertSame(401, self::adminCall($mock->url(), token: self::ADMIN_TOKEN)[0]);
                    $mock->reset();
                } finally {
                    $mock->stop();
                }
            });
        } finally {
            unlink($file);
        }
    }

    public function testAnAdminTokenNoHeaderCanCarryIsRefused(): void
    {
        foreach (['', 'two words', "line\r\nX-Injected: 1", "caf\u{e9}", 42] as $token) {
            try {
                N4nMock::start(['adminToken' => $token]);
                $this->fail('start() took the admin token ' . var_export($token, true));
            } catch (\InvalidArgumentException $e) {
                $this->assertStringStartsWith('N4nMock::start(): adminToken must', $e->getMessage());
            }
        }
        self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => 'two words'], function (): void {
            try {
                N4nMock::start();
                $this->fail('start() took the admin token in N4N_MOCK_ADMIN_TOKEN');
            } catch (MockError $e) {
                $this->assertStringContainsString('the admin token (N4N_MOCK_ADMIN_TOKEN) must be printable ASCII', $e->getMessage());
                $this->assertStringNotContainsString('two words', $e->getMessage());
            }
        });
        // An empty one too (the mock refuses it; proc_open() would not pass it on).
        self::withEnv(['N4N_MOCK_ADMIN_TOKEN' => ''], function (): void {
            try {
                N4nMock::start();
                $this->fail('start() took an empty N4N_MOCK_ADMIN_TOKEN');
            } catch (MockError $e) {
                $this->assertStringContainsString('the admin token (N4N_MOCK_ADMIN_TOKEN) must not be empty', $e->getMessage());
            }
        });
    }
}
