<?php

// A tiny HTTP server that receives the mock's postbacks, for
// N4nMockTest::testConversionPostsBackToAReceiver. It listens on a free
// loopback port (port 0, so no race for a port), prints its base URL on
// stdout, answers every request 200 "ok", and appends each one to the file
// named by its argument as a JSON line {"method","target","headers","body"}.
// It exits when its stdin closes, so it never outlives the test that
// started it.

declare(strict_types=1);

$log = $argv[1] ?? null;
if ($log === null) {
    fwrite(STDERR, "usage: php receiver.php LOG_FILE\n");
    exit(2);
}
$server = stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
if ($server === false) {
    fwrite(STDERR, "receiver: cannot listen: {$error}\n");
    exit(1);
}
fwrite(STDOUT, 'http://' . stream_socket_get_name($server, false) . "\n");
fflush(STDOUT);

while (true) {
    $read = [$server, STDIN];
    $write = $except = null;
    if (stream_select($read, $write, $except, null) === false) {
        exit(1);
    }
    if (in_array(STDIN, $read, true) && fread(STDIN, 8192) === '' && feof(STDIN)) {
        exit(0); // the test is done with us
    }
    if (!in_array($server, $read, true) || !($conn = @stream_socket_accept($server, 5))) {
        continue;
    }
    stream_set_timeout($conn, 5);
    $requestLine = rtrim((string) fgets($conn), "\r\n");
    $headers = [];
    while (($line = fgets($conn)) !== false && rtrim($line, "\r\n") !== '') {
        [$name, $value] = array_pad(explode(':', $line, 2), 2, '');
        $headers[strtolower(trim($name))] = trim($value);
    }
    $body = '';
    if (isset($headers['content-length'])) {
        $length = (int) $headers['content-length'];
        while (strlen($body) < $length && !feof($conn)) {
            $body .= (string) fread($conn, $length - strlen($body));
        }
    } elseif (strtolower($headers['transfer-encoding'] ?? '') === 'chunked') {
        while (($size = hexdec(trim((string) fgets($conn)))) > 0) {
            $chunk = '';
            while (strlen($chunk) < $size && !feof($conn)) {
                $chunk .= (string) fread($conn, $size - strlen($chunk));
            }
            $body .= $chunk;
            fgets($conn); // the CRLF after the chunk
        }
        while (($line = fgets($conn)) !== false && rtrim($line, "\r\n") !== '') {
            // trailers
        }
    }
    [$method, $target] = array_pad(explode(' ', $requestLine, 3), 2, '');
    file_put_contents(
        $log,
        json_encode(['method' => $method, 'target' => $target, 'headers' => $headers, 'body' => $body], JSON_UNESCAPED_SLASHES) . "\n",
        FILE_APPEND | LOCK_EX,
    );
    fwrite($conn, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    fclose($conn);
}
