import { createHash } from 'node:crypto';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';
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

/** When keys past their retention were last swept: once per process, whatever the writes that record keys. */
export interface IdempotencySweeps {
  last: number;
}
export const newIdempotencySweeps = (): IdempotencySweeps => ({ last: -Infinity });

/** The outcome column of a key whose write has not finished: no other transaction ever reads it (see `once`). */
const PENDING = '';

// With every verdict the web app posts (compiled once: db/prepared-query.ts).
const takeKey = preparedQuery((db, userId: number, key: string, fingerprint: string, createdAt: number) =>
  db
    .insertInto('idempotency_keys')
    .values({ user_id: userId, idempotency_key: key, fingerprint, outcome: PENDING, created_at: createdAt })
    .onConflict((oc) => oc.columns(['user_id', 'idempotency_key']).doNothing()),
);
const findKey = preparedQuery((db, userId: number, key: string) =>
  db.selectFrom('idempotency_keys').select(['fingerprint', 'outcome']).where('user_id', '=', userId).where('idempotency_key', '=', key),
);
const recordOutcome = preparedQuery((db, userId: number, key: string, outcome: string) =>
  db.updateTable('idempotency_keys').set({ outcome }).where('user_id', '=', userId).where('idempotency_key', '=', key),
);

/**
 * `Idempotency-Key` (IETF httpapi draft) for the writes a client retries: the first request with a key runs and its
 * outcome is recorded under (user, key) in the same transaction as its writes; a repeat gets that outcome back and
 * writes nothing. Call `once` inside the write's transaction (a `Database.write` job on the transaction it gives).
 *
 * Exactly once on both engines: the key is inserted first (ON CONFLICT DO NOTHING), before the write runs, and the
 * write runs only for the request whose insert took it. On SQLite the jobs run one after another, so a duplicate
 * finds the first's row with its outcome. On PostgreSQL a duplicate's insert waits for the transaction that inserted
 * the same key (the primary key's uniqueness check) until it commits, and then inserts nothing and reads the outcome
 * it committed with (READ COMMITTED: the next statement sees it), or, if that one rolled back, takes the key itself.
 */
export function createIdempotencyRepository(db: Queries, now: () => number, sweeps: IdempotencySweeps) {
  return {
    /**
     * Runs `write` once per (user, key): its JSON-serializable outcome is recorded, and returned again to every
     * repeat; 422 IDEMPOTENCY_KEY_REUSED when the key was used for another request. Without a key, just runs it.
     */
    async once<T>(userId: number, key: string | undefined, fingerprint: string, write: () => Promise<T>): Promise<T> {
      if (key === undefined) return write();
      const at = now();
      if ((await takeKey.run(db, userId, key, fingerprint, at)) === 0) {
        const row = await findKey.first(db, userId, key);
        if (!row || row.outcome === PENDING) throw new Error(`Idempotency-Key of user ${userId}: no outcome recorded for the key that was taken`);
        if (row.fingerprint !== fingerprint) {
          throw new ApiError(
            422,
            'This Idempotency-Key was already used for another request (another item or another body): make a new key for each submission',
            'IDEMPOTENCY_KEY_REUSED',
          );
        }
        return JSON.parse(row.outcome) as T;
      }
      const outcome = await write();
      await recordOutcome.run(db, userId, key, JSON.stringify(outcome));
      if (at - sweeps.last >= SWEEP_EVERY_MS) {
        sweeps.last = at;
        await db.deleteFrom('idempotency_keys').where('created_at', '<', at - IDEMPOTENCY_KEY_RETENTION_MS).execute();
      }
      return outcome;
    },
  };
}
export type IdempotencyRepository = ReturnType<typeof createIdempotencyRepository>;
