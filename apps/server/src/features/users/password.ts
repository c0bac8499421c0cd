import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../plugins/errors';

// scrypt with N = 2^15, r = 8 (32 MiB, ~100 ms): memory-hard, and still quick enough for a login. The parameters are
// stored with each hash, so raising them later keeps old hashes verifiable.
const COST = { N: 2 ** 15, r: 8, p: 1 };
const KEY_LENGTH = 32;

type Cost = typeof COST;
const scryptOptions = (cost: Cost): ScryptOptions => ({ ...cost, maxmem: 256 * cost.N * cost.r });

function derive(password: string, salt: Buffer, cost: Cost): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, scryptOptions(cost), (err, key) => (err ? reject(err) : resolve(key))),
  );
}

const format = (salt: Buffer, key: Buffer) => ['scrypt', COST.N, COST.r, COST.p, salt.toString('base64'), key.toString('base64')].join('$');

/**
 * How many password hashes may run at once, and how many may wait. scrypt runs in libuv's thread pool (4 threads by
 * default), which Node shares with file reads and sharp's image work; each hash also takes 32 MiB. Unbounded, a
 * flood of sign-ins fills every thread with hashes, and image previews and file reads wait behind all of them (and
 * memory grows by 32 MiB per attempt in flight). So hashes go through a queue: 2 at a time, which leaves the other
 * threads free, and at most 32 waiting (about 1.6 s of hashing at ~100 ms each); beyond that a request is refused
 * with 503 and Retry-After rather than queued.
 */
export interface PasswordHashingOptions {
  concurrency: number;
  maxQueued: number;
}
export const DEFAULT_PASSWORD_HASHING: PasswordHashingOptions = { concurrency: 2, maxQueued: 32 };

/** Password hashing and verification through a bounded queue (see PasswordHashingOptions). */
export class PasswordHasher {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** A running average of one hash's duration, to tell a refused client when to retry. */
  private averageMs = 100;

  constructor(readonly options: PasswordHashingOptions = DEFAULT_PASSWORD_HASHING) {}

  /** Hashes running now, and waiting. */
  get load(): { running: number; queued: number } {
    return { running: this.running, queued: this.waiting.length };
  }

  /** Hashes a password as `scrypt$N$r$p$salt$hash` (salt and hash in base64), off the event loop. */
  hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    return this.run(async () => format(salt, await derive(password, salt, COST)));
  }

  /** Whether a password matches a stored hash; false for a malformed hash (throws only 503 BUSY, see `run`). */
  verify(password: string, stored: string): Promise<boolean> {
    const parsed = parse(stored);
    if (!parsed) return Promise.resolve(false);
    return this.run(async () => {
      const actual = await derive(password, parsed.salt, parsed.cost);
      return actual.length === parsed.hash.length && timingSafeEqual(actual, parsed.hash);
    });
  }

  /** Runs a hash when a slot is free; throws 503 BUSY (with Retry-After) when the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.options.concurrency) this.running++;
    else {
      if (this.waiting.length >= this.options.maxQueued) {
        const seconds = Math.max(1, Math.ceil(((this.waiting.length + this.running) / this.options.concurrency) * this.averageMs / 1000));
        throw new ApiError(503, `The server is busy checking passwords; try again in ${seconds} s`, 'BUSY', { retryAfter: seconds }, { headers: { 'retry-after': String(seconds) } });
      }
      // The slot is handed over by the task that finishes (running stays counted).
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    const started = performance.now();
    try {
      return await task();
    } finally {
      this.averageMs = 0.8 * this.averageMs + 0.2 * (performance.now() - started);
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** The process's hasher: one queue for the whole process, as the thread pool it protects is the process's. */
export const passwordHasher = new PasswordHasher();

/** Hashes a password (through the process's queue). */
export function hashPassword(password: string): Promise<string> {
  return passwordHasher.hash(password);
}

/** The same hash, computed synchronously: for scripts that create users before anything else runs. */
export function hashPasswordSync(password: string): string {
  const salt = randomBytes(16);
  return format(salt, scryptSync(password.normalize('NFKC'), salt, KEY_LENGTH, scryptOptions(COST)));
}

/** Whether a password matches a stored hash (through the process's queue); false for a malformed hash. */
export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return passwordHasher.verify(password, stored);
}

function parse(stored: string): { cost: Cost; salt: Buffer; hash: Buffer } | null {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return null;
  const cost = { N: Number(n), r: Number(r), p: Number(p) };
  if (![cost.N, cost.r, cost.p].every((v) => Number.isInteger(v) && v > 0)) return null;
  return { cost, salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
}

/**
 * A stored hash that no password matches (a random key under a random salt), verified against when the username is
 * unknown, so a failed login costs the same hash, and takes as long, whether or not the user exists (no user
 * enumeration by timing). Made without hashing, so it costs nothing at start and never waits in the queue.
 */
export const DECOY_PASSWORD_HASH = format(randomBytes(16), randomBytes(KEY_LENGTH));
