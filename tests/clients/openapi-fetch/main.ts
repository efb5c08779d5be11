// The types openapi-typescript generates from the served document, with
// openapi-fetch, against a running n4n-mock, in Node with its own `fetch`:
// the API page's example click, a void of the walk-through's sale and the
// lookup that shows it, a 401 read as the error envelope, and a scenario
// switch through the admin API.
//
// scripts/test-clients.sh generates src/generated/schema.d.ts beside this
// file, compiles both with tsc and runs: node dist/main.js BASE_URL
// Every step prints `ok - ...`; the first that fails throws.

import createClient from 'openapi-fetch';
import type { components, paths } from './generated/schema';

type ClickDetail = components['schemas']['ClickDetail'];
type ErrorEnvelope = components['schemas']['ErrorEnvelope'];
type EventApplied = components['schemas']['EventApplied'];
type Switched = components['schemas']['Switched'];
type ScenarioName = components['schemas']['ScenarioName'];

import {
  API_KEY,
  EXAMPLE_CLICK,
  LIFECYCLE_CLICK,
  LIFECYCLE_SALE,
  USERNAME,
  check,
  status,
} from './shared';

// The 200 of a lookup is `ClickDetail | ErrorEnvelope | CapturedBody`, and a
// captured body is any JSON (`unknown`), so the answer is narrowed to the
// generated `ClickDetail` by its shape.
function isClickDetail(body: unknown): body is ClickDetail {
  return typeof body === 'object' && body !== null && 'click' in body && 'transactions' in body;
}

async function main(baseUrl: string): Promise<void> {
  const api = createClient<paths>({ baseUrl, headers: { 'api-key': API_KEY, 'api-username': USERNAME } });
  const admin = createClient<paths>({ baseUrl });
  status((await admin.POST('/__mock/reset')).response, 200, 'reset');

  // The API page's example click, its parameter in the query string.
  const example = await api.GET('/api/transaction/click_detail', {
    params: { query: { transaction_hash: EXAMPLE_CLICK }, header: { 'X-Mock-Scenario': 'default' } },
  });
  status(example.response, 200, 'the example click');
  check(isClickDetail(example.data), 'a ClickDetail', example.data);
  const found: ClickDetail = example.data;
  check(found.result === 'success', 'result success', found.result);
  check(found.click.click_hash === EXAMPLE_CLICK, 'its click_hash', found.click.click_hash);
  check(found.click.loginid === '1001', 'its loginid', found.click.loginid);
  check(found.transactions.length >= 1, 'its transactions', found.transactions);
  console.log(`ok - GET click_detail ${EXAMPLE_CLICK} (query string): 200, ClickDetail, ${found.transactions.length} transactions`);

  const pong = await api.GET('/api/service/ping');
  status(pong.response, 200, 'ping');
  console.log(`ok - GET ping: 200, ${JSON.stringify(pong.data)}`);

  // The walk-through: void the sale (a JSON body), then look it up again.
  const voided = await api.POST('/api/transaction/process_void', {
    params: { header: { 'X-Mock-Scenario': 'lifecycle' } },
    body: { transaction_hash: LIFECYCLE_SALE },
  });
  status(voided.response, 200, 'the void');
  check(voided.data?.result === 'success', 'EventApplied', voided.data);
  const applied: EventApplied = voided.data;
  check(applied.message === 'success', 'its message', applied.message);
  console.log(`ok - POST process_void ${LIFECYCLE_SALE} (JSON body): 200, EventApplied`);

  const again = await api.GET('/api/transaction/click_detail', {
    params: { query: { transaction_hash: LIFECYCLE_SALE }, header: { 'X-Mock-Scenario': 'lifecycle' } },
  });
  status(again.response, 200, 'the lookup after the void');
  check(isClickDetail(again.data), 'a ClickDetail', again.data);
  const after: ClickDetail = again.data;
  check(after.click.click_hash === LIFECYCLE_CLICK, "the sale's click", after.click.click_hash);
  const sale = after.transactions.find((t) => t.transaction_hash === LIFECYCLE_SALE);
  check(sale?.status === 'void', 'the sale is void', sale);
  const events = after.transactions.filter((t) => t.trans_type === 'void');
  check(events.length === 1 && events[0].amount === '-29.95', 'one void transaction of -29.95', events);
  console.log(`ok - GET click_detail ${LIFECYCLE_SALE} (query string): the sale is void, and the void transaction follows it`);

  const preview = await api.GET('/api/transaction/transaction_payout_preview', {
    params: { query: { transaction_hash: LIFECYCLE_SALE, amount: '59.90' }, header: { 'X-Mock-Scenario': 'lifecycle' } },
  });
  status(preview.response, 200, 'the payout preview');
  console.log(`ok - GET transaction_payout_preview (query string): 200, ${JSON.stringify(preview.data)}`);
  const order = await api.GET('/api/offer/check_orderid_exists', {
    params: { query: { orderid: 'ORD-LC-1' }, header: { 'X-Mock-Scenario': 'lifecycle' } },
  });
  status(order.response, 200, 'the order check');
  check(order.data?.message === 'TRUE', 'ORD-LC-1 exists', order.data);
  console.log('ok - GET check_orderid_exists ORD-LC-1 (query string): 200, TRUE');

  // A wrong key: 401, read as the error envelope.
  const refusal = await api.GET('/api/transaction/click_detail', {
    params: { query: { transaction_hash: EXAMPLE_CLICK } },
    headers: { 'api-key': '0'.repeat(32) },
  });
  status(refusal.response, 401, 'a wrong api-key');
  const refused: ErrorEnvelope | undefined = refusal.error;
  check(refused?.result === 'error', 'result error', refused);
  check(refused.message === 'Invalid api-key or api-username', 'the message', refused.message);
  console.log(`ok - a wrong api-key: 401, ErrorEnvelope ${JSON.stringify(refused.message)}`);

  // The admin API: switch to `lifecycle`, where its click is found without
  // X-Mock-Scenario, and back.
  const switching = await admin.PUT('/__mock/scenario', { body: { name: 'lifecycle' } });
  status(switching.response, 200, 'the switch');
  check(switching.data !== undefined, 'Switched', switching.error);
  const switched: Switched = switching.data;
  check(switched.active === 'lifecycle', 'active lifecycle', switched);
  const listed = await admin.GET('/__mock/scenario');
  check(listed.data?.active === 'lifecycle', 'listed as active', listed.data);
  const inActive = await api.GET('/api/transaction/click_detail', {
    params: { query: { transaction_hash: LIFECYCLE_CLICK } },
  });
  status(inActive.response, 200, 'a lookup in the active scenario');
  const back = await admin.PUT('/__mock/scenario', { body: { name: switched.previous as ScenarioName } });
  status(back.response, 200, 'the switch back');
  console.log(`ok - PUT /__mock/scenario lifecycle: 200, Switched (from ${switched.previous}), and back`);
}

const baseUrl = process.argv[2];
if (!baseUrl) {
  console.error('usage: node dist/main.js BASE_URL');
  process.exit(2);
}
main(baseUrl).then(
  () => console.log('openapi-fetch (openapi-typescript types): every check passed'),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
