import { addressKey } from '../../lib/address-key';

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
 * who already knows the password can make an address known. The owner at a new address waits out the lock, at most
 * `maxDelayMs`.
 *
 * Concurrent attempts are counted while they run: beyond the free failures only one attempt per key may be under
 * way, so a burst of parallel guesses cannot all slip in before the first of them fails.
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
  /** Keys remembered per kind; beyond, the least recently failed are forgotten (bounded memory under a spray). */
  maxKeys: number;
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
  maxKeys: 100_000,
};

interface Count {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  inFlight: number;
}

/** Failure counts per key, most recently failed last (a Map keeps insertion order), at most `maxKeys` of them. */
class Counts {
  private readonly counts = new Map<string, Count>();
  constructor(
    private readonly freeFailures: number,
    private readonly options: LoginThrottleOptions,
  ) {}

  get(key: string, now: number): Count {
    let count = this.counts.get(key);
    if (count && count.inFlight === 0 && now - count.lastFailureAt >= this.options.forgetAfterMs && now >= count.lockedUntil) {
      this.counts.delete(key);
      count = undefined;
    }
    if (!count) {
      count = { failures: 0, lastFailureAt: now, lockedUntil: 0, inFlight: 0 };
      this.counts.set(key, count);
      this.evict();
    }
    return count;
  }

  /** How long the key must wait before another attempt, or 0 when it may go ahead. */
  wait(count: Count, now: number): number {
    if (now < count.lockedUntil) return count.lockedUntil - now;
    // An attempt whose failure would lock the key waits for the attempts under way to finish.
    if (count.failures + count.inFlight >= this.freeFailures && count.inFlight > 0) return this.options.baseDelayMs;
    return 0;
  }

  fail(key: string, count: Count, now: number): void {
    count.failures++;
    count.lastFailureAt = now;
    const over = count.failures - this.freeFailures;
    if (over >= 0) count.lockedUntil = now + Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** Math.min(over, 30));
    // Most recently failed last, so eviction forgets the quiet keys first.
    if (this.counts.get(key) === count) {
      this.counts.delete(key);
      this.counts.set(key, count);
    }
  }

  private evict(): void {
    for (const key of this.counts.keys()) {
      if (this.counts.size <= this.options.maxKeys) return;
      this.counts.delete(key);
    }
  }
}

export type LoginAttempt =
  | { allowed: false; scope: 'account' | 'address'; retryAfterMs: number }
  | {
      allowed: true;
      /** The password was wrong (`now`: when that was known): counts against the account and the address. */
      failed(now: number): void;
      /** The password was right: the address becomes known to the account. */
      succeeded(now: number): void;
      /** Neither (the server could not check the password): the attempt does not count. */
      cancelled(): void;
    };

export function createLoginThrottle(options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE) {
  const accounts = new Counts(options.accountFreeFailures, options);
  const addresses = new Counts(options.addressFreeFailures, options);
  // account → address → known until
  const known = new Map<string, Map<string, number>>();

  const isKnown = (account: string, address: string, now: number) => (known.get(account)?.get(address) ?? 0) > now;

  function remember(account: string, address: string, now: number): void {
    // The account's 16 most recent places, most recent last; the expired ones forgotten.
    const places = known.get(account) ?? new Map<string, number>();
    places.delete(address);
    places.set(address, now + options.knownAddressMs);
    for (const [other, until] of places) if (until <= now || places.size > 16) places.delete(other);
    known.delete(account);
    known.set(account, places);
    for (const other of known.keys()) {
      if (known.size <= options.maxKeys) break;
      known.delete(other);
    }
  }

  return {
    /**
     * Asks whether a sign-in may be tried now for `username` from `ip`, and if so, starts it: the caller reports
     * how it ended with exactly one of failed, succeeded or cancelled. `knownAddressesPass: false` holds known
     * addresses to the account's lock too (a password check from within a session, whose owner is already in).
     */
    begin(ip: string, username: string, now: number, { knownAddressesPass = true } = {}): LoginAttempt {
      const account = username.trim().toLowerCase();
      const address = addressKey(ip);
      const addressCount = addresses.get(address, now);
      const addressWait = addresses.wait(addressCount, now);
      if (addressWait > 0) return { allowed: false, scope: 'address', retryAfterMs: addressWait };
      const accountCount = accounts.get(account, now);
      const exempt = knownAddressesPass && isKnown(account, address, now);
      const accountWait = exempt ? 0 : accounts.wait(accountCount, now);
      if (accountWait > 0) return { allowed: false, scope: 'account', retryAfterMs: accountWait };

      addressCount.inFlight++;
      accountCount.inFlight++;
      let ended = false;
      const end = () => {
        if (ended) throw new Error('a sign-in attempt ended twice');
        ended = true;
        addressCount.inFlight--;
        accountCount.inFlight--;
      };
      return {
        allowed: true,
        failed(at: number) {
          end();
          addresses.fail(address, addressCount, at);
          accounts.fail(account, accountCount, at);
        },
        succeeded(at: number) {
          end();
          remember(account, address, at);
        },
        cancelled: end,
      };
    },
  };
}
export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
