<?php

declare(strict_types=1);

namespace N4nMock;

// Under PHPUnit the error extends PHPUnit's AssertionFailedError, so an unmet
// expectation counts as a test *failure* (F, with the message) rather than an
// error (E). PHPUnit is looked up when this file is first loaded, not required:
// without it (or should a PHPUnit ever drop that class) the parent is
// \RuntimeException. AssertionFailedError extends \RuntimeException too, so
// `catch (\RuntimeException $e)` catches a VerificationError either way.
if (\class_exists(\PHPUnit\Framework\AssertionFailedError::class)) {
    /** @internal the parent VerificationError gets from the test framework in use */
    abstract class VerificationErrorBase extends \PHPUnit\Framework\AssertionFailedError
    {
    }
} else {
    /** @internal the parent VerificationError gets without a test framework */
    abstract class VerificationErrorBase extends \RuntimeException
    {
    }
}

/**
 * `N4nMock::verify()` found expectations the mock's journal or postback log
 * does not meet (a 422 `expectation-failed`). The text lists each unmet
 * expectation as JSON, how many requests (or postbacks) matched it, and its
 * nearest entries with the fields they differ in. `$failures` holds the
 * server's `failures` array as it sent it.
 *
 * Under PHPUnit this is an `AssertionFailedError`, so PHPUnit reports a
 * failed test with this text; elsewhere it is a `\RuntimeException`.
 */
final class VerificationError extends VerificationErrorBase
{
    /** @var list<array<string, mixed>> */
    public readonly array $failures;

    /**
     * @param list<array<string, mixed>> $failures
     */
    public function __construct(string $message, array $failures = [])
    {
        parent::__construct($message);
        $this->failures = $failures;
    }
}
