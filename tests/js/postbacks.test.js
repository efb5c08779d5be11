'use strict';
// A conversion, and its postbacks delivered to a receiver the test runs.
const assert = require('node:assert/strict');
const http = require('node:http');
const { after, before, test } = require('node:test');

const { start, SettleTimeoutError } = require('n4n-mock');

const CLICK = 'b0ca1c0de000001.20000001';

// A tiny receiver on a free port: records each call, answers 200.
let receiver;
const received = [];
before(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      received.push({ method: req.method, url: req.url, body });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
    });
  });
  await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
});
after(async () => {
  if (receiver) await new Promise((resolve) => receiver.close(resolve));
});

test('a conversion sends its postbacks to the receiver, delivered', { timeout: 30000 }, async () => {
  const { port } = receiver.address();
  const mock = await start({ scenario: 'postbacks', env: { N4N_MOCK_RECEIVER: `http://127.0.0.1:${port}` } });
  try {
    const sale = await mock.convert({ click_hash: CLICK, amount: '29.95', payout: '10.00', orderid: 'ORD-JS-1' });
    assert.equal(sale.result, 'success');
    assert.deepEqual(sale.postbacks, [1, 2]);

    const settled = await mock.postbacks({ settled: 2, timeout: 10 });
    assert.deepEqual(
      settled.map((p) => [p.seq, p.target, p.event, p.state]),
      [
        [1, 'pixel', 'sale', 'delivered'],
        [2, 'server', 'sale', 'delivered'],
      ],
    );
    for (const p of settled) assert.equal(p.transaction_hash, sale.transaction_hash);
    assert.deepEqual(await mock.postbacks(), settled);

    // What the receiver got: the pixel's GET and the server's form POST.
    const pixel = received.find((r) => r.url.startsWith('/pixel?'));
    assert.ok(pixel, JSON.stringify(received));
    assert.equal(pixel.method, 'GET');
    const query = new URL(pixel.url, 'http://receiver').searchParams;
    assert.equal(query.get('event'), 'sale');
    assert.equal(query.get('seq'), '1');
    assert.equal(query.get('tx'), sale.transaction_hash);
    assert.equal(query.get('amount'), '29.95');
    const post = received.find((r) => r.url === '/postback');
    assert.ok(post, JSON.stringify(received));
    assert.equal(post.method, 'POST');
    const form = new URLSearchParams(post.body);
    assert.equal(form.get('click_hash'), CLICK);
    assert.equal(form.get('transaction_hash'), sale.transaction_hash);
    assert.equal(form.get('orderid'), 'ORD-JS-1');
    assert.equal(form.get('payout'), '10.00');

    await mock.verify([
      { postback: { event: 'sale', target: 'server', state: 'delivered' }, count: 1 },
      { postback: { state: 'failed' }, at_most: 0 },
    ]);

    // Waiting for more than will ever settle: a timeout naming what did.
    await assert.rejects(mock.postbacks({ settled: 3, timeout: 0.5 }), (err) => {
      assert.ok(err instanceof SettleTimeoutError);
      assert.equal(err.code, 'settle-timeout');
      assert.match(err.message, /2 of 3 postbacks settled/);
      assert.match(err.message, /seq 1 target pixel event sale: delivered/);
      assert.equal(err.postbacks.length, 2);
      return true;
    });

    // reset() cancels and forgets them.
    await mock.reset();
    assert.deepEqual(await mock.postbacks(), []);
  } finally {
    await mock.stop();
  }
});

test('convert() of an unknown click rejects with the server message', { timeout: 30000 }, async () => {
  const mock = await start({ scenario: 'postbacks' });
  try {
    await assert.rejects(mock.convert({ click_hash: 'ffffffffffffff0.00000000', amount: '1.00' }), (err) => {
      assert.equal(err.status, 404);
      assert.equal(err.code, 'click-not-found');
      assert.match(err.message, /Click not found/);
      return true;
    });
    await assert.rejects(mock.convert({ click_hash: CLICK }), /Missing field: amount/);
  } finally {
    await mock.stop();
  }
});
