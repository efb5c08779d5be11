/** Options of {@link start}. */
export interface StartOptions {
  /** `--scenario`: a scenario's name, or the path of a scenario file. */
  scenario?: string;
  /** `--scenarios-dir`: a folder of scenario files. */
  scenariosDir?: string;
  /** More command-line arguments, after the others. */
  args?: string[];
  /** Added to this process's environment; `undefined` or `null` removes a variable. */
  env?: Record<string, string | null | undefined>;
  /** Seconds to wait for the mock to answer its health check; 10 by default. */
  startTimeout?: number;
  /**
   * The admin token: the mock gets it as `N4N_MOCK_ADMIN_TOKEN` (never on its
   * command line) and every admin call sends `Authorization: Bearer <token>`.
   * Without it, an `N4N_MOCK_ADMIN_TOKEN` (or `N4N_MOCK_ADMIN_TOKEN_FILE`) in
   * the environment or `env` is used the same way.
   */
  adminToken?: string;
}

/** An entry of the request journal. */
export interface JournalEntry {
  seq: number;
  time: string;
  method: string;
  path: string;
  scenario: string | null;
  parameter: string | null;
  value: string | null;
  outcome: string;
  click_hash: string | null;
  status: number;
  [field: string]: unknown;
}

/** A call count (or, with `postback`, a postback) expectation of `POST /__mock/verify`. */
export interface Expectation {
  method?: string;
  path?: string;
  scenario?: string;
  parameter?: string;
  value?: string;
  status?: number;
  outcome?: string;
  postback?: {
    event?: string;
    target?: string;
    state?: string;
    transaction_hash?: string;
    method?: string;
    scenario?: string;
  };
  count?: number;
  at_least?: number;
  at_most?: number;
}

/** The body of `POST /__mock/conversions`. */
export interface Conversion {
  click_hash: string;
  amount: string | number;
  payout?: string | number;
  trans_type?: 'initial' | 'rebill';
  orderid?: string;
  subscription_id?: string;
  scenario?: string;
}

export interface ConversionResult {
  result: 'success';
  transaction_hash: string;
  /** The `seq` of each postback queued. */
  postbacks: number[];
}

export interface PostbackAttempt {
  attempt: number;
  time: string;
  latency_ms: number;
  status?: number;
  response?: string;
  error?: string;
}

/** A record of the postback log. */
export interface Postback {
  seq: number;
  target: string;
  event: string;
  transaction_hash: string;
  method: string;
  url: string;
  body: string | null;
  state: 'queued' | 'sending' | 'delivered' | 'failed' | 'dropped';
  reason?: string;
  attempts: PostbackAttempt[];
  [field: string]: unknown;
}

export interface PostbacksOptions {
  /** Wait until at least this many postbacks have settled (delivered, failed, dropped). */
  settled?: number;
  /** Seconds to wait for them, 5 by default, at most 60. */
  timeout?: number;
}

/** A running mock. */
export declare class MockServer {
  private constructor();
  /** The base URL, like `http://127.0.0.1:43817`, no trailing slash. */
  readonly url: string;
  /** The mock's process id. */
  readonly pid: number;
  /** Restores every scenario's data, cancels queued postbacks, clears the journal. */
  reset(): Promise<void>;
  /** Makes `name` the active scenario; rejects with a MockError for an unknown one. */
  use(name: string): Promise<{ result: 'success'; active: string; previous: string }>;
  /** Every request the journal keeps, oldest first. */
  requests(): Promise<JournalEntry[]>;
  /** Checks call counts and postbacks; rejects with a VerificationError when any is unmet. */
  verify(expect: Expectation | Expectation[]): Promise<{ result: 'success'; expectations: number }>;
  /** Makes a sale (or a rebill) happen on a click, queuing its postbacks. */
  convert(fields: Conversion): Promise<ConversionResult>;
  /**
   * The active scenario's postback log, or, with `settled`, the log once that many
   * have settled (a SettleTimeoutError when the timeout passes first).
   */
  postbacks(options?: PostbacksOptions): Promise<Postback[]>;
  /** SIGTERM, then SIGKILL after 5 s; removes its temporary folder. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the mock on a free port; resolves once it answers its health check. */
export declare function start(options?: StartOptions): Promise<MockServer>;

/** The binary used: `N4N_MOCK_BIN` when set, else the one this package ships. */
export declare function binaryPath(): string;

/** An error answer of the admin API. */
export declare class MockError extends Error {
  /** The HTTP status, when the server answered. */
  status?: number;
  /** The `X-Mock-Error` header, when there was one. */
  code?: string;
  /** The parsed JSON body, when there was one. */
  body?: unknown;
}

export interface VerificationFailure {
  index: number;
  expected: Expectation;
  actual: number;
  nearest: Array<{ differs: string[]; request?: JournalEntry; postback?: Postback }>;
}

/** `verify()` found expectations unmet; the message lists each with its nearest requests. */
export declare class VerificationError extends Error {
  name: 'VerificationError';
  failures: VerificationFailure[];
  body: unknown;
}

/** `postbacks({settled})` timed out; `postbacks` is the log as it stood. */
export declare class SettleTimeoutError extends MockError {
  name: 'SettleTimeoutError';
  postbacks: Postback[];
}
