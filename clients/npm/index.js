'use strict';
// Starts the n4n-mock binary as a child process and drives its admin API
// (`/__mock/...`) over HTTP. Node's standard library only: no dependencies.

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const START_TIMEOUT_S = 10;
const STOP_GRACE_MS = 5000;
const REQUEST_TIMEOUT_MS = 30000;
const LOG_TAIL_LINES = 20;
const SETTLED_STATES = new Set(['delivered', 'failed', 'dropped']);
const TOKEN_VARIABLE = 'N4N_MOCK_ADMIN_TOKEN';
const TOKEN_FILE_VARIABLE = 'N4N_MOCK_ADMIN_TOKEN_FILE';

/** An error answer of the admin API: `status`, `code` (X-Mock-Error), `body`. */
class MockError extends Error {
  constructor(message, { status, code, body } = {}) {
    super(message);
    this.name = 'MockError';
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

/** `verify()` found unmet expectations; `failures` is the server's list. */
class VerificationError extends Error {
  constructor(body) {
    super(formatFailures(body));
    this.name = 'VerificationError';
    this.failures = Array.isArray(body && body.failures) ? body.failures : [];
    this.body = body;
  }
}

/** `postbacks({settled})` timed out; `postbacks` is the log as it stood. */
class SettleTimeoutError extends MockError {
  constructor(message, { status, code, body, postbacks }) {
    super(message, { status, code, body });
    this.name = 'SettleTimeoutError';
    this.postbacks = postbacks;
  }
}

/** The binary: `N4N_MOCK_BIN` when set, else the one this package ships. */
function binaryPath() {
  const fromEnv = process.env.N4N_MOCK_BIN;
  return fromEnv ? fromEnv : path.join(__dirname, 'bin', 'n4n-mock');
}

// Children still running, killed when this process exits without stopping them.
const live = new Set();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const server of live) {
      try {
        process.kill(server.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      removeDir(server._dir);
    }
    live.clear();
  });
}

function removeDir(dir) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    // best effort
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function logTail(file) {
  let text;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return '(no log)';
  }
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines.length ? lines.slice(-LOG_TAIL_LINES).join('\n') : '(empty log)';
}

/** Refuses a token no HTTP header can carry as it is (never showing it). */
function checkToken(token, origin) {
  if (typeof token !== 'string') throw new TypeError(`${origin} must be a string`);
  if (token === '') throw new TypeError(`${origin} must not be empty`);
  if (!/^[\x21-\x7e]+$/.test(token)) {
    throw new TypeError(`${origin} must be printable ASCII without spaces: it goes in an HTTP header`);
  }
}

/**
 * The admin token the server will read from its environment, if any: an
 * empty or unreadable one is left to the server, which refuses it at start.
 */
function childToken(env) {
  let token = env[TOKEN_VARIABLE];
  let origin = TOKEN_VARIABLE;
  if (token === undefined && env[TOKEN_FILE_VARIABLE]) {
    origin = `the file ${TOKEN_FILE_VARIABLE} names`;
    try {
      token = fs.readFileSync(env[TOKEN_FILE_VARIABLE], 'utf8');
    } catch {
      return undefined;
    }
    // As the server does: the one line ending a file usually has goes.
    token = token.replace(/\n$/, '').replace(/\r$/, '');
  }
  if (!token) return undefined;
  try {
    checkToken(token, `n4n-mock: the admin token (${origin})`);
  } catch (err) {
    throw new Error(err.message);
  }
  return token;
}

function describeExit(code, signal) {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

/**
 * Starts a mock on a free port and resolves once it answers its health check.
 *
 * @param {object} [options]
 * @param {string} [options.scenario] `--scenario`: a name or a file
 * @param {string} [options.scenariosDir] `--scenarios-dir`
 * @param {string[]} [options.args] more command-line arguments
 * @param {Object<string, string|undefined>} [options.env] added to this
 *   process's environment (`undefined` or `null` removes a variable)
 * @param {number} [options.startTimeout] seconds to wait for it, 10 by default
 * @param {string} [options.adminToken] the admin token the server asks every
 *   admin call for: passed as `N4N_MOCK_ADMIN_TOKEN` in its environment (never
 *   on its command line) and sent as `Authorization: Bearer` by every admin
 *   call. Without it, a token the server gets from its environment
 *   (`N4N_MOCK_ADMIN_TOKEN`, or the file `N4N_MOCK_ADMIN_TOKEN_FILE` names) is
 *   sent the same way.
 * @returns {Promise<MockServer>}
 */
async function start({
  scenario,
  scenariosDir,
  args = [],
  env = {},
  startTimeout = START_TIMEOUT_S,
  adminToken,
} = {}) {
  if (!Array.isArray(args) || args.some((a) => typeof a !== 'string')) {
    throw new TypeError('args must be an array of strings');
  }
  if (adminToken != null) checkToken(adminToken, 'adminToken');

  const childEnv = { ...process.env };
  for (const [key, value] of Object.entries(env || {})) {
    if (value == null) delete childEnv[key];
    else childEnv[key] = String(value);
  }
  if (adminToken != null) {
    // In the environment, where `ps` does not show it; the server refuses a
    // token and a token file both, so the option wins.
    childEnv[TOKEN_VARIABLE] = adminToken;
    delete childEnv[TOKEN_FILE_VARIABLE];
  }
  const token = childToken(childEnv);

  const bin = binaryPath();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'n4n-mock-'));
  const urlFile = path.join(dir, 'n4n-mock.url');
  const logFile = path.join(dir, 'n4n-mock.log');

  const argv = ['serve', '--port', '0', '--url-file', urlFile];
  if (scenario != null) argv.push('--scenario', String(scenario));
  if (scenariosDir != null) argv.push('--scenarios-dir', String(scenariosDir));
  argv.push(...args);

  let logFd;
  let child;
  try {
    logFd = fs.openSync(logFile, 'a');
    child = spawn(bin, argv, { env: childEnv, stdio: ['ignore', logFd, logFd] });
  } catch (err) {
    removeDir(dir);
    throw new Error(`n4n-mock: cannot start ${bin}: ${err.message}`);
  } finally {
    if (logFd !== undefined) fs.closeSync(logFd);
  }

  // The child's end, whichever way it comes: a spawn error (no such binary)
  // or an exit.
  let ended = null;
  const exited = new Promise((resolve) => {
    child.once('error', (err) => {
      if (!ended) ended = { error: err };
      // A failed spawn emits no 'exit'.
      if (child.pid === undefined) resolve(ended);
    });
    child.once('exit', (code, signal) => {
      if (!ended || ended.error) ended = { code, signal };
      resolve(ended);
    });
  });
  // A forgotten stop() must not keep the test process alive: the exit hook
  // kills what is left.
  child.unref();

  const server = new MockServer(child, dir, logFile, exited, token);
  if (child.pid !== undefined) {
    installExitHook();
    live.add(server);
  }

  const deadline = Date.now() + startTimeout * 1000;
  let lastError = '';
  try {
    for (;;) {
      if (ended) break;
      if (Date.now() >= deadline) break;
      let url = null;
      try {
        const text = fs.readFileSync(urlFile, 'utf8').trim();
        if (text) url = text.replace(/\/+$/, '');
      } catch (err) {
        if (err.code !== 'ENOENT') throw err;
      }
      if (url) {
        try {
          const remaining = Math.max(1, deadline - Date.now());
          const res = await fetch(`${url}/__mock/health`, { signal: AbortSignal.timeout(remaining) });
          await res.arrayBuffer();
          if (res.status === 200) {
            server.url = url;
            return server;
          }
          lastError = `health check answered ${res.status}`;
        } catch (err) {
          lastError = `health check: ${(err.cause && err.cause.message) || err.message}`;
        }
      }
      await Promise.race([sleep(25), exited]);
    }
  } catch (err) {
    lastError = err.message;
  }

  // It failed: leave nothing behind.
  const end = ended;
  await server._terminate('SIGKILL');
  let why;
  if (end && end.error) {
    const hint = process.env.N4N_MOCK_BIN
      ? ' (named by N4N_MOCK_BIN)'
      : ' (the binary this package ships for Linux x64; N4N_MOCK_BIN names another)';
    why = `could not run ${bin}${hint}: ${end.error.message}`;
  }
  else if (end) why = `${bin} ${describeExit(end.code, end.signal)} before it was ready`;
  else why = `${bin} was not ready within ${startTimeout} s${lastError ? ` (${lastError})` : ''}`;
  const tail = server._lastLog || '(no log)';
  const err = new Error(`n4n-mock did not start: ${why}\n--- last lines of its log ---\n${tail}`);
  err.pid = child.pid;
  err.log = tail;
  throw err;
}

class MockServer {
  constructor(child, dir, logFile, exited, token) {
    /** The base URL, no trailing slash. */
    this.url = null;
    /** The process id of the mock. */
    this.pid = child.pid;
    this._child = child;
    this._dir = dir;
    this._logFile = logFile;
    this._exited = exited;
    this._stopping = null;
    this._lastLog = null;
    // Not enumerable: console.log() and assertion diffs do not show it.
    Object.defineProperty(this, '_token', { value: token, enumerable: false });
  }

  /** Restores every scenario's data, cancels postbacks, clears the journal. */
  async reset() {
    await this._call('POST', '/__mock/reset', { expect: [200] });
    await this._call('DELETE', '/__mock/requests', { expect: [200] });
  }

  /** Makes scenario `name` the active one. */
  async use(name) {
    const { body } = await this._call('PUT', '/__mock/scenario', { body: { name }, expect: [200] });
    return body;
  }

  /** Every request the journal keeps, oldest first. */
  async requests() {
    return this._pages('/__mock/requests', 'requests');
  }

  /** Checks call counts and postbacks; rejects with a VerificationError when unmet. */
  async verify(expect) {
    const list = Array.isArray(expect) ? expect : [expect];
    const res = await this._call('POST', '/__mock/verify', { body: { expect: list }, expect: [200, 422] });
    if (res.status === 422) throw new VerificationError(res.body);
    return res.body;
  }

  /** Makes a sale (or rebill) happen on a click; resolves to the 201 body. */
  async convert(fields) {
    if (fields == null || typeof fields !== 'object' || Array.isArray(fields)) {
      throw new TypeError('convert() takes an object: {click_hash, amount, ...}');
    }
    const { body } = await this._call('POST', '/__mock/conversions', { body: fields, expect: [201] });
    return body;
  }

  /**
   * The active scenario's postback log; with `settled`, waits until that many
   * have settled (`timeout` seconds, 5 by default, at most 60).
   */
  async postbacks({ settled, timeout = 5 } = {}) {
    if (settled == null) return this._pages('/__mock/postbacks', 'postbacks');
    const ms = Math.round(timeout * 1000);
    const query = `settled=${encodeURIComponent(settled)}&timeout=${ms}ms`;
    const res = await this._call('GET', `/__mock/postbacks?${query}`, {
      expect: [200, 504],
      timeoutMs: ms + 10000,
    });
    const records = (res.body && res.body.postbacks) || [];
    if (res.status === 200) return records;
    const done = records.filter((p) => SETTLED_STATES.has(p.state)).length;
    const lines = [
      `n4n-mock: ${done} of ${settled} postbacks settled within ${timeout} s (${records.length} in the log)`,
    ];
    for (const p of records) {
      lines.push(`  seq ${p.seq} target ${p.target} event ${p.event}: ${p.state}`);
    }
    throw new SettleTimeoutError(lines.join('\n'), {
      status: res.status,
      code: res.code,
      body: res.body,
      postbacks: records,
    });
  }

  /** SIGTERM, up to 5 s, then SIGKILL; removes the temp folder. Idempotent. */
  stop() {
    if (!this._stopping) this._stopping = this._terminate('SIGTERM');
    return this._stopping;
  }

  async _terminate(signal) {
    const child = this._child;
    if (child.pid !== undefined) {
      // Keep this process alive until the child has been reaped.
      child.ref();
      if (child.exitCode === null && child.signalCode === null) {
        try {
          child.kill(signal);
        } catch {
          // gone already
        }
        let timer;
        const timedOut = await Promise.race([
          this._exited.then(() => false),
          new Promise((resolve) => {
            timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
          }),
        ]);
        clearTimeout(timer);
        if (timedOut) {
          try {
            child.kill('SIGKILL');
          } catch {
            // gone already
          }
          await this._exited;
        }
      } else {
        await this._exited;
      }
    }
    this._lastLog = logTail(this._logFile);
    live.delete(this);
    removeDir(this._dir);
  }

  async _pages(pathname, key) {
    const all = [];
    let after = 0;
    for (;;) {
      const { body } = await this._call('GET', `${pathname}?after=${after}`, { expect: [200] });
      const page = body[key] || [];
      all.push(...page);
      if (!body.more || body.next_after == null || page.length === 0) break;
      after = body.next_after;
    }
    return all;
  }

  async _call(method, pathname, { body, expect, timeoutMs = REQUEST_TIMEOUT_MS } = {}) {
    if (!this.url) throw new Error('n4n-mock: not started');
    if (this._stopping) throw new Error('n4n-mock: stopped');
    const init = { method, signal: AbortSignal.timeout(timeoutMs), headers: {} };
    if (this._token !== undefined) init.headers.authorization = `Bearer ${this._token}`;
    if (body !== undefined) {
      init.body = JSON.stringify(body);
      init.headers['content-type'] = 'application/json';
    }
    let res;
    try {
      res = await fetch(this.url + pathname, init);
    } catch (err) {
      const why = (err.cause && err.cause.message) || err.message;
      throw new MockError(`n4n-mock: ${method} ${pathname} failed: ${why}`);
    }
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    const code = res.headers.get('x-mock-error') || undefined;
    if (!expect.includes(res.status)) {
      const message = parsed && typeof parsed.message === 'string' ? parsed.message : text.slice(0, 500);
      const tag = code ? ` ${code}` : '';
      throw new MockError(`n4n-mock: ${method} ${pathname} answered ${res.status}${tag}: ${message}`, {
        status: res.status,
        code,
        body: parsed,
      });
    }
    return { status: res.status, code, body: parsed };
  }
}

function formatRequest(r) {
  const lookup = r.parameter != null ? ` ${r.parameter}=${r.value}` : '';
  const scenario = r.scenario != null ? `, scenario ${r.scenario}` : '';
  return `${r.method} ${r.path}${lookup} -> ${r.status} ${r.outcome} (seq ${r.seq}${scenario})`;
}

function formatPostback(p) {
  const scenario = p.scenario != null ? `, scenario ${p.scenario}` : '';
  return (
    `postback ${p.event} to ${p.target}: ${p.method} ${p.url} -> ${p.state}` +
    ` (seq ${p.seq}, transaction ${p.transaction_hash}${scenario})`
  );
}

function formatFailures(body) {
  if (!body || typeof body !== 'object') return 'expectations not met';
  const lines = [body.message || 'expectations not met'];
  for (const f of body.failures || []) {
    lines.push(`expectation ${f.index}: ${JSON.stringify(f.expected)}: matched ${f.actual}`);
    const nearest = f.nearest || [];
    if (nearest.length === 0) lines.push('  nearest: none');
    for (const n of nearest) {
      const differs = n.differs && n.differs.length ? `differs in ${n.differs.join(', ')}` : 'differs in nothing';
      const entry = n.postback || n.request;
      const summary = entry ? (n.postback ? formatPostback(entry) : formatRequest(entry)) : '';
      lines.push(`  nearest (${differs}): ${summary}`);
      lines.push(`    ${JSON.stringify(entry)}`);
    }
  }
  return lines.join('\n');
}

module.exports = { start, MockServer, MockError, VerificationError, SettleTimeoutError, binaryPath };
