<?php

declare(strict_types=1);

namespace N4nMock;

/**
 * `N4nMock::postbacks(settled: N)` gave up: fewer than N postbacks settled
 * within the timeout (a 504 `settle-timeout`). The text says how many had
 * settled and lists every record's seq, target, event and state;
 * `$postbacks` holds the log as it stood.
 */
final class TimeoutError extends MockError
{
    /**
     * @param list<array<string, mixed>> $postbacks the postback log when the wait gave up
     */
    public function __construct(string $message, public readonly array $postbacks, ?int $status = 504)
    {
        parent::__construct($message, $status, 'settle-timeout', ['postbacks' => $postbacks]);
    }
}
