import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { forUpdateSkipLocked } from '../../db/dialect';

export type FailureScope = 'account' | 'address';

/** A key's failures as the database holds them (unix ms times); forgotten from `forgetAt` on. */
export interface FailureCount {
  failures: number;
  lockedUntil: number;
  forgetAt: number;
}

/** The failed sign-ins of accounts and addresses and the addresses known to each account (login-throttle.ts). */
export function createLoginThrottleRepository(db: Queries) {
  return {
    /** The rows of the account and the address, forgotten or not (one statement: both from one state). */
    async failuresOf(account: string, address: string): Promise<Partial<Record<FailureScope, FailureCount>>> {
      const rows = await db
        .selectFrom('login_failures')
        .select(['scope', 'failures', 'locked_until', 'forget_at'])
        .where((eb) => eb.or([eb.and([eb('scope', '=', 'address'), eb('key', '=', address)]), eb.and([eb('scope', '=', 'account'), eb('key', '=', account)])]))
        .execute();
      const counts: Partial<Record<FailureScope, FailureCount>> = {};
      for (const row of rows) counts[row.scope as FailureScope] = { failures: row.failures, lockedUntil: row.locked_until, forgetAt: row.forget_at };
      return counts;
    },

    /**
     * Counts one failure of the key at `at`, its earlier ones forgotten if their time has come, and returns how many
     * it now has. One upsert: on PostgreSQL it holds the row's lock until the write commits, so the lock the caller
     * then sets (`lock`) is computed from a count no concurrent write can change meanwhile.
     */
    async countFailure(scope: FailureScope, key: string, at: number, forgetAfterMs: number): Promise<number> {
      const forgotten = sql`login_failures.forget_at <= ${at}`;
      const row = await db
        .insertInto('login_failures')
        .values({ scope, key, failures: 1, locked_until: 0, forget_at: at + forgetAfterMs })
        .onConflict((oc) =>
          oc.columns(['scope', 'key']).doUpdateSet({
            failures: sql`CASE WHEN ${forgotten} THEN 1 ELSE login_failures.failures + 1 END`,
            locked_until: sql`CASE WHEN ${forgotten} THEN 0 ELSE login_failures.locked_until END`,
            // A lock still running outlasts the quiet spell of the failure that earned it only if it is longer.
            forget_at: sql`CASE WHEN NOT (${forgotten}) AND login_failures.locked_until > excluded.forget_at THEN login_failures.locked_until ELSE excluded.forget_at END`,
          }),
        )
        .returning('failures')
        .executeTakeFirstOrThrow();
      return row.failures;
    },

    /** Locks the key until `lockedUntil` (the row `countFailure` has just written and, on PostgreSQL, locked). */
    async lock(scope: FailureScope, key: string, lockedUntil: number, forgetAt: number): Promise<void> {
      await db.updateTable('login_failures').set({ locked_until: lockedUntil, forget_at: forgetAt }).where('scope', '=', scope).where('key', '=', key).execute();
    },

    /**
     * Deletes up to `limit` forgotten rows, the longest forgotten first (through the forget_at index). On PostgreSQL
     * the rows other writes hold are passed over, so a sweep never waits for, nor deadlocks with, a failure being
     * counted; such a row is no longer forgotten anyway, or is swept later.
     */
    async sweep(now: number, limit: number): Promise<void> {
      await sql`DELETE FROM login_failures
        WHERE forget_at <= ${now}
          AND (scope, key) IN (SELECT scope, key FROM login_failures WHERE forget_at <= ${now} ORDER BY forget_at LIMIT ${limit} ${forUpdateSkipLocked(db, 'login_failures')})`.execute(db);
    },

    /** Whether the account signed in from the address recently enough that it is still known at `now`. */
    async isKnown(account: string, address: string, now: number): Promise<boolean> {
      const row = await db
        .selectFrom('login_known_addresses')
        .select('known_until')
        .where('account', '=', account)
        .where('address', '=', address)
        .where('known_until', '>', now)
        .executeTakeFirst();
      return row !== undefined;
    },

    /**
     * The account signed in from the address at `now`: it is known until `knownUntil`. The account keeps its `keep`
     * most recent places; the others and the expired ones are forgotten.
     */
    async remember(account: string, address: string, now: number, knownUntil: number, keep: number): Promise<void> {
      await db
        .insertInto('login_known_addresses')
        .values({ account, address, known_until: knownUntil })
        .onConflict((oc) => oc.columns(['account', 'address']).doUpdateSet((eb) => ({ known_until: eb.ref('excluded.known_until') })))
        .execute();
      await db
        .deleteFrom('login_known_addresses')
        .where('account', '=', account)
        .where((eb) =>
          eb.or([
            eb('known_until', '<=', now),
            eb(
              'address',
              'not in',
              eb.selectFrom('login_known_addresses as recent').select('recent.address').where('recent.account', '=', account).orderBy('recent.known_until', 'desc').orderBy('recent.address').limit(keep),
            ),
          ]),
        )
        .execute();
    },
  };
}
export type LoginThrottleRepository = ReturnType<typeof createLoginThrottleRepository>;
