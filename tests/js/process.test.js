'use strict';
// Starting and stopping: the package's own binary, ports, no process left behind.
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { test } = require('node:test');

const n4n = require('n4n-mock');
const { alive, children, lookup, EXAMPLE_CLICK } = require('./support');

test('the installed package runs the binary it ships', () => {
  assert.equal(process.env.N4N_MOCK_BIN, undefined, 'these tests check the installed package: unset N4N_MOCK_BIN');
  const main = require.resolve('n4n-mock');
  assert.match(main, /[/\\]node_modules[/\\]n4n-mock[/\\]index\.js$/);
  const bin = n4n.binaryPath();
  assert.equal(bin, path.join(path.dirname(main), 'bin', 'n4n-mock'));
  fs.accessSync(bin, fs.constants.X_OK);
  const pkg = require('n4n-mock/package.json');
  assert.equal(execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim(), `n4n-mock ${pkg.version}`);
});

test('start answers the health check; stop leaves no process', { timeout: 30000 }, async () => {
  const mock = await n4n.start();
  let stopped = false;
  try {
    assert.match(mock.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(Number.isInteger(mock.pid) && mock.pid > 0);
    assert.ok(alive(mock.pid));
    const health = await (await fetch(`${mock.url}/__mock/health`)).json();
    assert.equal(health.status, 'ok');
    assert.equal(health.scenario, 'default');
    await mock.stop();
    stopped = true;
    assert.ok(!alive(mock.pid), `pid ${mock.pid} still exists after stop()`);
    assert.throws(() => process.kill(mock.pid, 0), { code: 'ESRCH' });
    assert.ok(!fs.existsSync(`/proc/${mock.pid}`));
    assert.deepEqual(children(), []);
    await mock.stop(); // idempotent
    await assert.rejects(mock.requests(), /stopped/);
  } finally {
    if (!stopped) await mock.stop();
  }
});

test('two servers at once get two ports', { timeout: 30000 }, async () => {
  const [a, b] = await Promise.all([n4n.start(), n4n.start({ scenario: 'empty' })]);
  try {
    assert.notEqual(a.url, b.url);
    assert.notEqual(new URL(a.url).port, new URL(b.url).port);
    assert.notEqual(a.pid, b.pid);
    // Each is its own server: the example click is in default, not in empty.
    assert.equal((await lookup(a.url)).status, 200);
    assert.equal((await lookup(b.url)).status, 404);
    assert.equal((await a.requests()).length, 1);
    assert.equal((await b.requests()).length, 1);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
  assert.ok(!alive(a.pid) && !alive(b.pid));
  assert.deepEqual(children(), []);
});

test('a start with an unknown scenario fails with the server message and leaves no process', { timeout: 30000 }, async () => {
  let error;
  await assert.rejects(
    n4n.start({ scenario: 'no-such-scenario' }),
    (err) => {
      error = err;
      return true;
    },
  );
  assert.match(error.message, /unknown scenario `no-such-scenario`/);
  assert.match(error.message, /available scenarios: .*default/);
  assert.ok(Number.isInteger(error.pid), 'the error names the pid it started');
  assert.ok(!alive(error.pid), `pid ${error.pid} still exists after a failed start`);
  assert.deepEqual(children(), []);
});

test('start passes env and args to the binary', { timeout: 30000 }, async () => {
  const mock = await n4n.start({ args: ['--journal-size', '1'], env: { N4N_MOCK_SCENARIO: 'empty' } });
  try {
    const health = await (await fetch(`${mock.url}/__mock/health`)).json();
    assert.equal(health.scenario, 'empty');
    assert.equal((await lookup(mock.url)).status, 404);
    assert.equal((await lookup(mock.url, EXAMPLE_CLICK)).status, 404);
    assert.equal((await mock.requests()).length, 1, '--journal-size 1 keeps one entry');
  } finally {
    await mock.stop();
  }
});
