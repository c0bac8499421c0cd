import type { Database, Queries } from '../../db/database';
import { addressKey } from '../../lib/address-key';
import { createLoginThrottleRepository, type FailureCount, type FailureScope } from './login-throttle.repository';

/**
 * Failed sign-ins are counted twice: per account (whatever the address, so guessing one password from many addresses
 * stays slow) and per address (whatever the account, so trying one password on many accounts stays slow). Each count
 * has a few failures free; from then on every failure locks its key for a delay that doubles with each further
 * failure, up to a cap of a few minutes. A lock refuses at once (429, Retry-After) without hashing anything, and
 * attempts refused by a lock do not count, so a lock never outlasts its delay. A key's count is forgotten after a
 * quiet spell without failures.
 *
 * An attacker hammering an account from other addresses keeps that account locked, which would lock its owner out
 * too. So an address from which the account has signed in successfully (within `knownAddressMs`) is not held back by
 * the account's lock: the owner at their usual desk gets in, still under their address's own count. Only someone
 * who already knows the password can make an address known. An account keeps its 16 most recent places. The owner
 * at a new address waits out the lock, at most `maxDelayMs`.
 *
 * The counts, their locks and the known addresses are kept in the database (login_failures, login_known_addresses),
 * so every server instance on it counts the same failures and holds the same locks, and a restart forgets none. A
 * failure is counted in one write (an upsert per key, which on PostgreSQL holds the row until the write commits, so
 * concurrent failures on several instances each count); the rows forgotten are swept a few at a time as new failures
 * are recorded, so the table holds about the keys that failed within the quiet spell.
 *
 * Concurrent attempts are counted while they run: beyond the free failures only one attempt per key may be under
 * way, so a burst of parallel guesses cannot all slip in before the first of them fails. These counts are each
 * process's own (an attempt under way is not worth a write): a burst spread over N instances may have up to N
 * times the free failures under way at once before the first of them is counted, and once they are spent, N
 * attempts, one per instance, rather than one; every one of them that fails is counted, and lengthens the lock.
 */
export interface LoginThrottleOptions {
  /** Failures per account (across addresses) before its first lock. */
  accountFreeFailures: number;
  /** Failures per address (across accounts) before its first lock: people behind one NAT share them. */
  addressFreeFailures: number;
  /** The first lock; each further failure doubles it. */
  baseDelayMs: number;
  /** The longest lock. */
  maxDelayMs: number;
  /** A key's failures are forgotten after this long without one. */
  forgetAfterMs: number;
  /** How long an address stays known to an account after a successful sign-in from it. */
  knownAddressMs: number;
}

/**
 * 5 failures per account and 20 per address (a lab behind one NAT), then 1 s, 2 s, 4 s, … up to 5 minutes; counts
 * forgotten after 15 quiet minutes; an address stays known to an account for 30 days. At the cap, one account can
 * be tried about 12 times an hour, from however many addresses; one address can try about 12 passwords an hour,
 * on however many accounts.
 */
export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  accountFreeFailures: 5,
  addressFreeFailures: 20,
  baseDelayMs: 1_000,
  maxDelayMs: 5 * 60_000,
  forgetAfterMs: 15 * 60_000,
  knownAddressMs: 30 * 24 * 60 * 60_000,
};

/** The places an account keeps: its most recent known addresses. */
const KNOWN_PLACES_PER_ACCOUNT = 16;
/**
 * Forgotten rows deleted with each failure counted: each failure adds at most two rows, so what a spray of failures
 * left behind is swept long before the next one has left as much.
 */
const SWEEP_PER_FAILURE = 32;

export type LoginAttempt =
  | { allowed: false; scope: FailureScope; retryAfterMs: number }
  | {
      allowed: true;
      /** The password was wrong (`now`: when that was known): counts against the account and the address. */
      failed(now: number): Promise<void>;
      /** The password was right: the address becomes known to the account. */
      succeeded(now: number): Promise<void>;
      /** Neither (the server could not check the password): the attempt does not count. */
      cancelled(): void;
    };

/** This process's attempts on one key: those under way, the begins reading its count, and the failures it counted. */
interface Local {
  running: number;
  reading: number;
  counted: number;
}

export function createLoginThrottle(database: Database, options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
  const freeFailures: Record<FailureScope, number> = { account: options.accountFreeFailures, address: options.addressFreeFailures };
  // Kept only while an attempt on the key runs or a begin reads its count, so it stays as small as the traffic.
  const locals = new Map<string, Local>();
  const localOf = (id: string): Local => {
    let local = locals.get(id);
    if (!local) locals.set(id, (local = { running: 0, reading: 0, counted: 0 }));
    return local;
  };
  const release = (id: string, local: Local) => {
    if (local.running === 0 && local.reading === 0) locals.delete(id);
  };

  /** How long the key must wait before another attempt, or 0 when it may go ahead. */
  function wait(scope: FailureScope, count: FailureCount | undefined, running: number, now: number): number {
    const current = count && now < count.forgetAt ? count : undefined;
    if (current && now < current.lockedUntil) return current.lockedUntil - now;
    // An attempt whose failure would lock the key waits for the attempts under way to finish.
    if ((current?.failures ?? 0) + running >= freeFailures[scope] && running > 0) return options.baseDelayMs;
    return 0;
  }

  /** One write: the failure counted against the address and the account (in that order, always), and a sweep. */
  async function countFailure(trx: Queries, keys: Record<FailureScope, string>, at: number): Promise<void> {
    const failures = createLoginThrottleRepository(trx);
    for (const scope of ['address', 'account'] as const) {
      const count = await failures.countFailure(scope, keys[scope], at, options.forgetAfterMs);
      const over = count - freeFailures[scope];
      if (over < 0) continue;
      const lockedUntil = at + Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** Math.min(over, 30));
      await failures.lock(scope, keys[scope], lockedUntil, Math.max(at + options.forgetAfterMs, lockedUntil));
    }
    await failures.sweep(at, SWEEP_PER_FAILURE);
  }

  return {
    /**
     * Asks whether a sign-in may be tried now for `username` from `ip`, and if so, starts it: the caller reports
     * how it ended with exactly one of failed, succeeded or cancelled. `knownAddressesPass: false` holds known
     * addresses to the account's lock too (a password check from within a session, whose owner is already in).
     */
    async begin(ip: string, username: string, now: number, { knownAddressesPass = true } = {}): Promise<LoginAttempt> {
      const keys: Record<FailureScope, string> = { account: username.trim().toLowerCase(), address: addressKey(ip) };
      const ids: Record<FailureScope, string> = { account: `account ${keys.account}`, address: `address ${keys.address}` };
      const local: Record<FailureScope, Local> = { account: localOf(ids.account), address: localOf(ids.address) };
      const repository = createLoginThrottleRepository(database.queries);
      const countedHere = () => local.account.counted + local.address.counted;
      local.account.reading++;
      local.address.reading++;
      try {
        // A failure of this process counted while the counts were read may be missing from them (on PostgreSQL, a
        // read that began before that write committed), although its attempt no longer runs: read them again.
        const read = async () => {
          for (;;) {
            const seen = countedHere();
            const counts = await repository.failuresOf(keys.account, keys.address);
            if (countedHere() === seen) return { counts, seen };
          }
        };
        let { counts, seen } = await read();
        let known: boolean | undefined;
        for (;;) {
          // A pass decides without awaiting anything, so the decision and the count of attempts under way go together.
          const addressWait = wait('address', counts.address, local.address.running, now);
          if (addressWait > 0) return { allowed: false, scope: 'address', retryAfterMs: addressWait };
          let accountWait = wait('account', counts.account, local.account.running, now);
          if (accountWait > 0 && knownAddressesPass) {
            if (known === undefined) {
              // Asked only of an attempt the account's lock would hold back; then everything is decided again.
              known = await repository.isKnown(keys.account, keys.address, now);
              if (countedHere() !== seen) ({ counts, seen } = await read());
              continue;
            }
            if (known) accountWait = 0;
          }
          if (accountWait > 0) return { allowed: false, scope: 'account', retryAfterMs: accountWait };
          break;
        }
        local.account.running++;
        local.address.running++;
      } finally {
        local.account.reading--;
        local.address.reading--;
        release(ids.account, local.account);
        release(ids.address, local.address);
      }

      let ended = false;
      const end = () => {
        if (ended) throw new Error('a sign-in attempt ended twice');
        ended = true;
      };
      const stopRunning = () => {
        for (const scope of ['account', 'address'] as const) {
          local[scope].running--;
          release(ids[scope], local[scope]);
        }
      };
      return {
        allowed: true,
        async failed(at: number) {
          end();
          try {
            await database.write((trx) => countFailure(trx, keys, at));
            local.account.counted++;
            local.address.counted++;
          } finally {
            // Only now: until its failure is counted, the attempt holds back those that would fail beyond it.
            stopRunning();
          }
        },
        async succeeded(at: number) {
          end();
          stopRunning();
          await database.write((trx) =>
            createLoginThrottleRepository(trx).remember(keys.account, keys.address, at, at + options.knownAddressMs, KNOWN_PLACES_PER_ACCOUNT),
          );
        },
        cancelled() {
          end();
          stopRunning();
        },
      };
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
