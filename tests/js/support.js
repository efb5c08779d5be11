'use strict';
// Shared by the tests of the installed n4n-mock package (not a test itself).
const fs = require('node:fs');

// The API page's example: its click, the transaction it holds, its credentials.
const EXAMPLE_CLICK = '35b71a300115be9.16738986';
const EXAMPLE_TRANSACTION = 'ac35ffba0fc0007.24591976';
const HEADERS = {
  'api-key': '44b5498dbcb481a0d00b404c0169af62',
  'api-username': 'n4n_admin',
};
const CLICK_DETAIL = '/api/transaction/click_detail';

/** GET click_detail for `hash` the way a client does; resolves to {status, body}. */
async function lookup(url, hash = EXAMPLE_CLICK) {
  const query = new URLSearchParams({ transaction_hash: hash });
  const res = await fetch(`${url}${CLICK_DETAIL}?${query}`, { headers: HEADERS });
  return { status: res.status, body: await res.json() };
}

/**
 * A plain admin API call, with `Authorization: Bearer token` when given;
 * resolves to {status, headers, body}.
 */
async function adminCall(url, { method = 'GET', path = '/__mock/requests', token } = {}) {
  const headers = token === undefined ? {} : { authorization: `Bearer ${token}` };
  const res = await fetch(`${url}${path}`, { method, headers });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

/** Whether a process `pid` exists (kill(pid, 0) succeeds, or /proc/<pid> is there). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    if (err.code === 'EPERM') return true;
    return fs.existsSync(`/proc/${pid}`);
  }
}

/** The pids of this process's children still running (zombies included), from /proc. */
function children() {
  const found = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue;
    }
    // pid (comm) state ppid ...: comm may hold spaces and parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === process.pid) found.push(Number(name));
  }
  return found;
}

module.exports = { EXAMPLE_CLICK, EXAMPLE_TRANSACTION, HEADERS, CLICK_DETAIL, lookup, adminCall, alive, children };
