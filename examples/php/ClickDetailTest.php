<?php

declare(strict_types=1);

use N4nMock\N4nMock;
use PHPUnit\Framework\TestCase;

/**
 * Looks the API page's example click up against n4n-mock, as your own API
 * client would against NATS for Networks.
 *
 * composer require --dev n4n-mock/n4n-mock; the n4n-mock binary itself
 * comes from pip, npm or cargo (on PATH, or named by N4N_MOCK_BIN).
 */
final class ClickDetailTest extends TestCase
{
    private static N4nMock $mock;

    public static function setUpBeforeClass(): void
    {
        self::$mock = N4nMock::start(); // the `default` scenario, on a free port
    }

    public static function tearDownAfterClass(): void
    {
        self::$mock->stop();
    }

    protected function setUp(): void
    {
        self::$mock->reset(); // fresh data, an empty request journal
    }

    public function testLooksTheExampleClickUp(): void
    {
        // Your API client goes here, its base URL set to self::$mock->url().
        $context = stream_context_create(['http' => [
            'header' => "api-key: 44b5498dbcb481a0d00b404c0169af62\r\n"
                . "api-username: n4n_admin\r\n",
            'ignore_errors' => true,
        ]]);
        $query = http_build_query(['transaction_hash' => '35b71a300115be9.16738986']);
        $response = fopen(self::$mock->url() . '/api/transaction/click_detail?' . $query, 'r', false, $context);
        $status = stream_get_meta_data($response)['wrapper_data'][0]; // the status line
        $body = json_decode(stream_get_contents($response), true);
        fclose($response);

        $this->assertSame('HTTP/1.1 200 OK', $status);
        $this->assertSame('35b71a300115be9.16738986', $body['click']['click_hash']);

        // The code under test looked the click up exactly once.
        self::$mock->verify([
            'path' => '/api/transaction/click_detail',
            'value' => '35b71a300115be9.16738986',
            'status' => 200,
            'count' => 1,
        ]);
    }
}
