'use strict';
// The admin operations against one mock: lookups, scenarios, reset, verify.
const assert = require('node:assert/strict');
const { after, before, beforeEach, test } = require('node:test');

const { start, VerificationError, MockError } = require('n4n-mock');
const { lookup, CLICK_DETAIL, EXAMPLE_CLICK, EXAMPLE_TRANSACTION } = require('./support');

let mock;
before(async () => {
  mock = await start();
});
after(async () => {
  if (mock) await mock.stop();
});
beforeEach(async () => {
  await mock.use('default');
  await mock.reset();
});

test('the API page example answers 200 with its click', async () => {
  const { status, body } = await lookup(mock.url);
  assert.equal(status, 200);
  assert.equal(body.result, 'success');
  assert.equal(body.click.click_hash, EXAMPLE_CLICK);
  assert.equal(body.transactions[0].transaction_hash, EXAMPLE_TRANSACTION);

  const [entry, ...rest] = await mock.requests();
  assert.deepEqual(rest, []);
  assert.equal(entry.method, 'GET');
  assert.equal(entry.path, CLICK_DETAIL);
  assert.equal(entry.parameter, 'transaction_hash');
  assert.equal(entry.value, EXAMPLE_CLICK);
  assert.equal(entry.click_hash, EXAMPLE_CLICK);
  assert.equal(entry.status, 200);
});

test('use("locked") makes the same lookup a 401', async () => {
  const answer = await mock.use('locked');
  assert.deepEqual(answer, { result: 'success', active: 'locked', previous: 'default' });
  const { status, body } = await lookup(mock.url);
  assert.equal(status, 401);
  assert.equal(body.result, 'error');
  await mock.use('default');
  assert.equal((await lookup(mock.url)).status, 200);
});

test('use() of an unknown scenario rejects, naming it', async () => {
  await assert.rejects(mock.use('no-such-scenario'), (err) => {
    assert.ok(err instanceof MockError);
    assert.equal(err.status, 400);
    assert.equal(err.code, 'unknown-scenario');
    assert.match(err.message, /Unknown scenario: no-such-scenario/);
    return true;
  });
});

test('reset() empties the journal and restores the data', async () => {
  const sale = await mock.convert({ click_hash: EXAMPLE_CLICK, amount: '12.50' });
  assert.equal(sale.result, 'success');
  let { body } = await lookup(mock.url);
  assert.deepEqual(
    body.transactions.map((t) => t.transaction_hash),
    [EXAMPLE_TRANSACTION, sale.transaction_hash],
  );
  assert.equal((await mock.requests()).length, 1);

  await mock.reset();
  assert.deepEqual(await mock.requests(), []);
  ({ body } = await lookup(mock.url));
  assert.deepEqual(
    body.transactions.map((t) => t.transaction_hash),
    [EXAMPLE_TRANSACTION],
  );
});

test('requests() pages through the whole journal, oldest first', async () => {
  const n = 1005; // more than one page of 1000
  for (let i = 0; i < n; i += 1) await fetch(`${mock.url}/api/service/ping`);
  const all = await mock.requests();
  assert.equal(all.length, n);
  for (let i = 1; i < n; i += 1) assert.ok(all[i].seq > all[i - 1].seq);
});

test('verify() passes after exactly one lookup', async () => {
  assert.equal((await lookup(mock.url)).status, 200);
  await mock.verify([{ path: CLICK_DETAIL, value: EXAMPLE_CLICK, status: 200, count: 1 }]);
  // A single expectation is a one-item list.
  await mock.verify({ path: CLICK_DETAIL, count: 1 });
  await mock.verify({ status: 401, at_most: 0 });
});

test('verify() failing lists each unmet expectation with its nearest requests', async () => {
  assert.equal((await lookup(mock.url)).status, 200);
  const other = 'ffffffffffffff0.00000000';
  const expect = [
    { path: CLICK_DETAIL, value: EXAMPLE_CLICK, status: 200, count: 2 },
    { path: CLICK_DETAIL, value: other, count: 1 },
    { path: CLICK_DETAIL, count: 1 },
  ];
  await assert.rejects(mock.verify(expect), (err) => {
    assert.ok(err instanceof VerificationError);
    assert.ok(err instanceof Error);
    assert.equal(err.name, 'VerificationError');
    assert.equal(err.failures.length, 2);
    const lines = err.message.split('\n');
    assert.equal(lines[0], '2 of 3 expectations not met');
    // Each failed expectation as JSON, with what matched.
    assert.ok(err.message.includes(`expectation 0: ${JSON.stringify(expect[0])}: matched 1`), err.message);
    assert.ok(err.message.includes(`expectation 1: ${JSON.stringify(expect[1])}: matched 0`), err.message);
    assert.ok(!err.message.includes('expectation 2:'), err.message);
    // The nearest miss: the lookup made, differing in its value.
    const miss = lines.find((l) => l.includes('nearest (differs in value)'));
    assert.ok(miss, err.message);
    assert.ok(miss.includes(`GET ${CLICK_DETAIL} transaction_hash=${EXAMPLE_CLICK} -> 200 click`), miss);
    assert.ok(err.message.includes(`"value":"${EXAMPLE_CLICK}"`), err.message);
    return true;
  });
});

test('verify() of an expectation the server cannot check is a plain error', async () => {
  await assert.rejects(mock.verify({ no_such_field: 1 }), (err) => {
    assert.ok(!(err instanceof VerificationError));
    assert.equal(err.code, 'invalid-expectation');
    assert.match(err.message, /Invalid expectation: /);
    return true;
  });
});
