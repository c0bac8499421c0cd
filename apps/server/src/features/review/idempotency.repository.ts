import { createHash } from 'node:crypto';
import type { Db } from '../../db/open-database';
import { ApiError } from '../../plugins/errors';

/** How long a key is kept at least: a client retrying for longer than this has long told its user. */
export const IDEMPOTENCY_KEY_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How often, at most, keys past their retention are swept (in the write that records a key). */
const SWEEP_EVERY_MS = 10 * 60 * 1000;

/** JSON with every object's keys sorted, so two bodies that mean the same have the same fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** What a request was: its method and path, and its body as parsed (SHA-256, hex). */
export const requestFingerprint = (target: string, body: unknown): string =>
  createHash('sha256').update(target).update('\n').update(canonicalJson(body)).digest('hex');

/**
 * `Idempotency-Key` (IETF httpapi draft) for the writes a client retries: the first request with a key runs and its
 * outcome is recorded under (user, key) in the same transaction as its writes; a repeat gets that outcome back and
 * writes nothing. Call `once` inside the write's transaction (a group-commit job), so that concurrent duplicates are
 * checked one after the other and only one of them runs.
 */
export function createIdempotencyRepository(db: Db, now: () => number) {
  const find = db.prepare<[number, string], { fingerprint: string; outcome: string }>(
    'SELECT fingerprint, outcome FROM idempotency_keys WHERE user_id = ? AND idempotency_key = ?',
  );
  const insert = db.prepare<[number, string, string, string, number]>(
    'INSERT INTO idempotency_keys (user_id, idempotency_key, fingerprint, outcome, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const sweep = db.prepare<[number]>('DELETE FROM idempotency_keys WHERE created_at < ?');
  let lastSweep = -Infinity;

  /** The recorded outcome of (user, key), or undefined; 422 when the key was used for another request. */
  function recorded<T>(userId: number, key: string, fingerprint: string): T | undefined {
    const row = find.get(userId, key);
    if (!row) return undefined;
    if (row.fingerprint !== fingerprint) {
      throw new ApiError(
        422,
        'This Idempotency-Key was already used for another request (another item or another body): make a new key for each submission',
        'IDEMPOTENCY_KEY_REUSED',
      );
    }
    return JSON.parse(row.outcome) as T;
  }

  return {
    /** Outside a transaction: the outcome already recorded for the key, if any (a repeat answered without more work). */
    recorded,
    /**
     * Runs `write` once per (user, key): its JSON-serializable outcome is recorded, and returned again to every
     * repeat. Without a key, just runs it. Must run inside the write's transaction.
     */
    async once<T>(userId: number, key: string | undefined, fingerprint: string, write: () => T | Promise<T>): Promise<T> {
      if (key === undefined) return write();
      const previous = recorded<T>(userId, key, fingerprint);
      if (previous !== undefined) return previous;
      const outcome = await write();
      const at = now();
      insert.run(userId, key, fingerprint, JSON.stringify(outcome), at);
      if (at - lastSweep >= SWEEP_EVERY_MS) {
        lastSweep = at;
        sweep.run(at - IDEMPOTENCY_KEY_RETENTION_MS);
      }
      return outcome;
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
