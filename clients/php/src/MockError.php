<?php

declare(strict_types=1);

namespace N4nMock;

/**
 * A start that failed, or an admin call that did not get the answer it
 * expects. The text holds the server's message (the `message` of its
 * `{"result":"error","message":"..."}` body) and, for a start, the last lines
 * of the mock's log.
 */
class MockError extends \RuntimeException
{
    /**
     * @param int|null    $status    the HTTP status the mock answered, null when it did not answer
     * @param string|null $errorKind its `X-Mock-Error` header (`unknown-scenario`, `click-not-found`...)
     * @param mixed       $body      the answer's body, parsed from JSON when it is JSON
     */
    public function __construct(
        string $message,
        public readonly ?int $status = null,
        public readonly ?string $errorKind = null,
        public readonly mixed $body = null,
        ?\Throwable $previous = null,
    ) {
        parent::__construct($message, 0, $previous);
    }
}
