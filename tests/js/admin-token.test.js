'use strict';
// The admin token: handed to the mock in its environment, sent on every admin call.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { after, before, test } = require('node:test');

const { start, VerificationError } = require('n4n-mock');
const { adminCall, children, lookup, CLICK_DETAIL, EXAMPLE_CLICK } = require('./support');

const TOKEN = 't0ken-for-the-admin-api.7f3a9c';
const REFUSED = { result: 'error', message: 'Missing or invalid admin token' };

// Runs `body` with these environment variables (undefined: unset), then puts them back.
async function withEnv(vars, body) {
  const saved = {};
  for (const [key, value] of Object.entries(vars)) {
    saved[key] = process.env[key];
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  try {
    return await body();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}

// A tiny receiver on a free port: answers 200.
let receiver;
before(async () => {
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('OK'));
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  if (receiver) await new Promise((resolve) => receiver.close(resolve));
});

test('with adminToken every operation works', { timeout: 30000 }, async () => {
  const { port } = receiver.address();
  const mock = await start({
    scenario: 'postbacks',
    env: { N4N_MOCK_RECEIVER: `http://127.0.0.1:${port}` },
    adminToken: TOKEN,
  });
  try {
    const sale = await mock.convert({ click_hash: 'b0ca1c0de000001.20000001', amount: '29.95' });
    assert.deepEqual(sale.postbacks, [1, 2]);
    const settled = await mock.postbacks({ settled: 2, timeout: 10 });
    assert.deepEqual(settled.map((p) => p.state), ['delivered', 'delivered']);
    assert.deepEqual((await mock.postbacks()).map((p) => p.seq), [1, 2]);
    await mock.verify({ postback: { event: 'sale', state: 'delivered' }, count: 2 });

    await mock.reset();
    assert.deepEqual(await mock.postbacks(), []);
    assert.deepEqual(await mock.use('default'), { result: 'success', active: 'default', previous: 'postbacks' });
    assert.equal((await lookup(mock.url)).status, 200);
    assert.deepEqual((await mock.requests()).map((r) => r.value), [EXAMPLE_CLICK]);
    const once = { path: CLICK_DETAIL, value: EXAMPLE_CLICK, status: 200, count: 1 };
    await mock.verify(once);
    await assert.rejects(mock.verify({ ...once, count: 2 }), VerificationError);
    await mock.reset();
    assert.deepEqual(await mock.requests(), []);
  } finally {
    await mock.stop();
  }
});

test('with adminToken an admin call without it, or with another, gets 401', { timeout: 30000 }, async () => {
  const mock = await start({ adminToken: TOKEN });
  try {
    for (const token of [undefined, 'not-the-token']) {
      for (const [method, pathname] of [['GET', '/__mock/requests'], ['POST', '/__mock/reset']]) {
        const { status, headers, body } = await adminCall(mock.url, { method, path: pathname, token });
        assert.equal(status, 401, `${method} ${pathname} with token ${token}`);
        assert.equal(headers.get('www-authenticate'), 'Bearer');
        assert.equal(headers.get('x-mock-error'), 'admin-token');
        assert.deepEqual(body, REFUSED);
      }
    }
    const ok = await adminCall(mock.url, { token: TOKEN });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.requests, []);
    const health = await adminCall(mock.url, { path: '/__mock/health' });
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'ok');
  } finally {
    await mock.stop();
  }
});

test('the admin token is not on the command line nor in the log', { timeout: 30000 }, async () => {
  const mock = await start({ adminToken: TOKEN });
  try {
    const cmdline = fs.readFileSync(`/proc/${mock.pid}/cmdline`, 'utf8');
    assert.match(cmdline, /serve/);
    assert.ok(!cmdline.includes(TOKEN), cmdline);
    const environ = fs.readFileSync(`/proc/${mock.pid}/environ`, 'utf8').split('\0');
    assert.ok(environ.includes(`N4N_MOCK_ADMIN_TOKEN=${TOKEN}`));

    await mock.reset();
    await mock.use('locked');
    await lookup(mock.url);
    await mock.requests();
    await mock.verify({ status: 401, count: 1 });
    assert.equal((await adminCall(mock.url, { token: 'not-the-token' })).status, 401);
    assert.equal((await adminCall(mock.url)).status, 401);

    // The mock's log, the file its stdout goes to; written in the background.
    const readLog = () => fs.readFileSync(`/proc/${mock.pid}/fd/1`, 'utf8');
    const deadline = Date.now() + 5000;
    while ((readLog().match(/status=401/g) || []).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const log = readLog();
    assert.equal((log.match(/status=401/g) || []).length, 3, log); // the locked lookup, the two refused calls
    assert.ok(!log.includes(TOKEN), log);
    assert.ok(!log.includes('not-the-token'), log);
  } finally {
    await mock.stop();
  }
});

test('an N4N_MOCK_ADMIN_TOKEN in the environment, or in env, is used', { timeout: 30000 }, async () => {
  await withEnv({ N4N_MOCK_ADMIN_TOKEN: TOKEN }, async () => {
    const mock = await start();
    try {
      assert.equal((await adminCall(mock.url)).status, 401);
      assert.equal((await lookup(mock.url)).status, 200);
      assert.equal((await mock.requests()).length, 1);
      await mock.reset();
    } finally {
      await mock.stop();
    }
  });
  await withEnv({ N4N_MOCK_ADMIN_TOKEN: undefined }, async () => {
    const mock = await start({ env: { N4N_MOCK_ADMIN_TOKEN: TOKEN } });
    try {
      assert.equal((await adminCall(mock.url)).status, 401);
      assert.equal((await mock.use('locked')).active, 'locked');
      await mock.reset();
    } finally {
      await mock.stop();
    }
  });
});

test('an N4N_MOCK_ADMIN_TOKEN_FILE is read; adminToken wins over both', { timeout: 30000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n4n-mock-token-'));
  const file = path.join(dir, 'admin-token');
  fs.writeFileSync(file, `${TOKEN}\n`);
  try {
    await withEnv({ N4N_MOCK_ADMIN_TOKEN: undefined, N4N_MOCK_ADMIN_TOKEN_FILE: file }, async () => {
      const mock = await start();
      try {
        assert.equal((await adminCall(mock.url)).status, 401);
        assert.equal((await adminCall(mock.url, { token: TOKEN })).status, 200);
        assert.deepEqual(await mock.requests(), []);
      } finally {
        await mock.stop();
      }
    });
    await withEnv({ N4N_MOCK_ADMIN_TOKEN: 'from-the-environment' }, async () => {
      const mock = await start({ adminToken: 'from-the-option', env: { N4N_MOCK_ADMIN_TOKEN_FILE: file } });
      try {
        assert.equal((await adminCall(mock.url, { token: 'from-the-option' })).status, 200);
        assert.equal((await adminCall(mock.url, { token: 'from-the-environment' })).status, 401);
        assert.equal((await adminCall(mock.url, { token: TOKEN })).status, 401);
        await mock.reset();
      } finally {
        await mock.stop();
      }
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an admin token no header can carry is refused, leaving no process', { timeout: 30000 }, async () => {
  for (const adminToken of ['', 'two words', 'line\r\nX-Injected: 1', 'caf\u00e9', 42]) {
    await assert.rejects(start({ adminToken }), (err) => {
      assert.ok(err instanceof TypeError, String(err));
      assert.match(err.message, /^adminToken must/);
      return true;
    });
  }
  await withEnv({ N4N_MOCK_ADMIN_TOKEN: 'two words' }, async () => {
    await assert.rejects(start(), (err) => {
      assert.match(err.message, /the admin token \(N4N_MOCK_ADMIN_TOKEN\) must be printable ASCII/);
      assert.ok(!err.message.includes('two words'));
      return true;
    });
  });
  await withEnv({ N4N_MOCK_ADMIN_TOKEN: '' }, async () => {
    // The mock's own refusal.
    await assert.rejects(start(), /the admin token is empty/);
  });
  assert.deepEqual(children(), []);
});
