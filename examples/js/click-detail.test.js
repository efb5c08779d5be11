// Look the API page's example click up against n4n-mock, and check the call.
const assert = require('node:assert/strict');
const { test } = require('node:test');
const { start } = require('n4n-mock');

test('click_detail finds the example click', async () => {
  const mock = await start();
  try {
    const query = new URLSearchParams({ transaction_hash: '35b71a300115be9.16738986' });
    const res = await fetch(`${mock.url}/api/transaction/click_detail?${query}`, {
      headers: { 'api-key': '44b5498dbcb481a0d00b404c0169af62', 'api-username': 'n4n_admin' },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.click.click_hash, '35b71a300115be9.16738986');

    await mock.verify({ path: '/api/transaction/click_detail', count: 1 });
  } finally {
    await mock.stop();
  }
});
