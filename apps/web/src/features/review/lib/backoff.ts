import { ApiError } from '../../../lib/api-client';

/** The first retry waits about this long; each next one twice as long… */
export const FIRST_RETRY_MS = 500;
/** …up to this. */
export const MAX_RETRY_MS = 30_000;

/**
 * How long to wait before retry number `retry` (1 for the first): 0.5 s, 1 s, 2 s, 4 s … capped at 30 s, each drawn
 * between half and the whole of that ("equal jitter"), so that many browsers cut off together do not all come back in
 * the same instant. `random` is in [0, 1).
 */
export function retryDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * What to do after a failed request: `session`: it needs a new session (401), wait for the user to sign in again;
 * `retry`: the network or the server may do better later (no answer, a timeout, 408, 425, 429, 5xx); `refused`: the
 * server said no for a reason retrying cannot fix (another 4xx, e.g. 409 ITEM_FINAL or STALE_REVISION), or answered
 * something the app cannot read.
 */
export type FailureKind = 'session' | 'retry' | 'refused';

export function failureKind(error: unknown): FailureKind {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'session';
    if (error.status === 0 || error.status === 408 || error.status === 425 || error.status === 429 || error.status >= 500) return 'retry';
    return 'refused';
  }
  if (error instanceof DOMException && (error.name === 'AbortError' || error.name === 'TimeoutError')) return 'retry';
  return 'refused';
}
