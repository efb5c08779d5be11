// What both TypeScript programs share: the API page's credentials and
// click, the walk-through's sale, and the checks that stop a run at the
// first failure. scripts/test-clients.sh copies it beside each main.ts.

export const API_KEY = '44b5498dbcb481a0d00b404c0169af62';
export const USERNAME = 'n4n_admin';
export const EXAMPLE_CLICK = '35b71a300115be9.16738986';
// The lifecycle walk-through's click (docs/lifecycle.md) and its one sale, in the scenario `lifecycle`.
export const LIFECYCLE_CLICK = 'a1c0ffee0000001.10000001';
export const LIFECYCLE_SALE = 'a1c0ffee0000002.10000002';

export function check(condition: boolean, what: string, got?: unknown): asserts condition {
  if (!condition) {
    throw new Error(`${what}; got ${JSON.stringify(got)}`);
  }
}

export function status(response: Response | undefined, expected: number, what: string): void {
  check(response?.status === expected, `${what}: status ${expected}`, response?.status);
}
