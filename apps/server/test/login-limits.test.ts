// Failed sign-ins are limited per account across addresses and per address across accounts, with a back-off that
// doubles up to a cap; an address the account signed in from before is not locked out by an attacker elsewhere.
import { afterEach, describe, expect, it } from 'vitest';
import type { LoginThrottleOptions } from '../src/features/auth/login-throttle';
import { createUser, login } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

// Each test checks several passwords one after another (scrypt, ~100 ms alone, seconds on a busy machine).
const HASHING_TIMEOUT_MS = 90_000;

const opened: TestApp[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((t) => t.close()));
});

async function appWith(loginThrottle: Partial<LoginThrottleOptions>): Promise<TestApp> {
  const t = await createTestApp({ loginThrottle: { baseDelayMs: 1_000, maxDelayMs: 8_000, forgetAfterMs: 60_000, ...loginThrottle } });
  opened.push(t);
  await createUser(t.database, 'carol', 'expert', 'carol-password');
  await createUser(t.database, 'dave', 'expert', 'dave-password');
  return t;
}

const signIn = (t: TestApp, username: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress, headers });

describe('failed sign-ins per account, across addresses', { timeout: HASHING_TIMEOUT_MS }, () => {
  it('locks the account after its free failures, whichever addresses they came from, with 429 and Retry-After', async () => {
    const t = await appWith({ accountFreeFailures: 3, addressFreeFailures: 100 });
    for (const address of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) expect((await signIn(t, 'carol', 'guess-guess', address)).statusCode).toBe(401);
    const locked = await signIn(t, 'CAROL', 'guess-guess', '10.0.0.4');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    expect(locked.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', retryAfter: 1, message: expect.stringContaining('for this account') });
    // The right password from a new address waits too: nothing tells it from an attacker's next address.
    expect((await signIn(t, 'carol', 'carol-password', '10.0.0.5')).statusCode).toBe(429);
    // Another account from the same addresses is not held back.
    expect((await signIn(t, 'dave', 'guess-guess', '10.0.0.4')).statusCode).toBe(401);
  });

  it('doubles the lock with each further failure up to the cap, and a lock expires', async () => {
    const t = await appWith({ accountFreeFailures: 2, addressFreeFailures: 100 });
    let n = 0;
    const nextAddress = () => `198.51.100.${++n}`;
    for (let i = 0; i < 2; i++) expect((await signIn(t, 'carol', 'guess-guess', nextAddress())).statusCode).toBe(401);
    const waits = [];
    for (let i = 0; i < 6; i++) {
      const refused = await signIn(t, 'carol', 'guess-guess', nextAddress());
      expect(refused.statusCode).toBe(429);
      const seconds = Number(refused.headers['retry-after']);
      waits.push(seconds);
      // Still locked a moment before the end; attempts refused by a lock do not lengthen it.
      t.clock.advance(seconds * 1000 - 1);
      expect((await signIn(t, 'carol', 'guess-guess', nextAddress())).headers['retry-after']).toBe('1');
      t.clock.advance(1);
      expect((await signIn(t, 'carol', 'guess-guess', nextAddress())).statusCode).toBe(401);
    }
    expect(waits).toEqual([1, 2, 4, 8, 8, 8]);
    // Once the last lock has passed, the owner signs in.
    t.clock.advance(8_000);
    expect((await signIn(t, 'carol', 'carol-password', nextAddress())).statusCode).toBe(200);
  });

  it('forgets the failures after a quiet spell', async () => {
    const t = await appWith({ accountFreeFailures: 2, addressFreeFailures: 100, forgetAfterMs: 60_000 });
    for (const address of ['10.0.0.1', '10.0.0.2']) expect((await signIn(t, 'carol', 'guess-guess', address)).statusCode).toBe(401);
    t.clock.advance(60_000);
    // Two more free failures, as at the start.
    for (const address of ['10.0.0.3', '10.0.0.4']) expect((await signIn(t, 'carol', 'guess-guess', address)).statusCode).toBe(401);
    expect((await signIn(t, 'carol', 'guess-guess', '10.0.0.5')).statusCode).toBe(429);
  });

  it('lets a parallel burst of guesses have only the free failures', async () => {
    const t = await appWith({ accountFreeFailures: 3, addressFreeFailures: 100 });
    const burst = await Promise.all(Array.from({ length: 20 }, (_, i) => signIn(t, 'carol', 'guess-guess', `10.9.0.${i + 1}`)));
    const statuses = burst.map((res) => res.statusCode).sort();
    expect(statuses.filter((s) => s === 401)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(17);
  });

  it('does not lock the owner out at an address they signed in from before, while an attacker hammers the account', async () => {
    const t = await appWith({ accountFreeFailures: 3, addressFreeFailures: 5 });
    await login(t.app, 'carol', 'carol-password'); // from 127.0.0.1: now known to carol
    for (let i = 1; i <= 40; i++) await signIn(t, 'carol', `guess-${i}-guess`, `203.0.113.${i}`);
    expect((await signIn(t, 'carol', 'carol-password', '203.0.113.41')).statusCode).toBe(429);
    expect((await signIn(t, 'carol', 'carol-password', '127.0.0.1')).statusCode).toBe(200);
    // That address is still held to its own count: its failures lock it like any other.
    for (let i = 0; i < 5; i++) expect((await signIn(t, 'carol', 'guess-guess', '127.0.0.1')).statusCode).toBe(401);
    const locked = await signIn(t, 'carol', 'carol-password', '127.0.0.1');
    expect(locked.statusCode).toBe(429);
    expect(locked.json().message).toContain('from this address');
  });
});

describe('failed sign-ins per address, across accounts', { timeout: HASHING_TIMEOUT_MS }, () => {
  it('locks an address that tries many accounts (known or not), and no other address', async () => {
    const t = await appWith({ accountFreeFailures: 100, addressFreeFailures: 3 });
    for (const name of ['carol', 'dave', 'nobody']) expect((await signIn(t, name, 'password1', '192.0.2.7')).statusCode).toBe(401);
    const locked = await signIn(t, 'someone-else', 'password1', '192.0.2.7');
    expect(locked.statusCode).toBe(429);
    expect(locked.headers['retry-after']).toBe('1');
    expect(locked.json().message).toContain('from this address');
    expect((await signIn(t, 'carol', 'carol-password', '192.0.2.7')).statusCode).toBe(429);
    expect((await signIn(t, 'carol', 'carol-password', '192.0.2.8')).statusCode).toBe(200);
  });

  it('counts an IPv6 /64 as one address', async () => {
    const t = await appWith({ accountFreeFailures: 100, addressFreeFailures: 3 });
    for (const [name, address] of [['carol', '2001:db8::1'], ['dave', '2001:db8::2:3'], ['erin', '2001:db8:0:0:ffff::9']]) {
      expect((await signIn(t, name!, 'password1', address!)).statusCode).toBe(401);
    }
    expect((await signIn(t, 'frank', 'password1', '2001:db8::abcd')).statusCode).toBe(429);
    expect((await signIn(t, 'frank', 'password1', '2001:db8:0:1::1')).statusCode).toBe(401);
  });
});

describe('own password change', { timeout: HASHING_TIMEOUT_MS }, () => {
  it('counts a wrong current password as a failed sign-in of the account', async () => {
    const t = await appWith({ accountFreeFailures: 3, addressFreeFailures: 100 });
    const carol = await login(t.app, 'carol', 'carol-password');
    const dave = await login(t.app, 'dave', 'dave-password');
    const change = (cookie: string, currentPassword: string) =>
      t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword, newPassword: 'a-new-password' } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await change(carol, 'guess-guess')).statusCode);
    expect(statuses).toEqual([400, 400, 400, 429]);
    const blocked = await change(carol, 'carol-password');
    expect(blocked.statusCode).toBe(429);
    expect(blocked.headers['retry-after']).toBe('1');
    expect(blocked.json()).toMatchObject({ code: 'RATE_LIMITED', message: expect.stringContaining('password checks') });
    // The same account's sign-in from a new address is locked too: a borrowed session guesses no faster.
    expect((await signIn(t, 'carol', 'carol-password', '10.0.0.9')).statusCode).toBe(429);
    // A colleague is not held up.
    expect((await change(dave, 'dave-password')).statusCode).toBe(204);
  });
});
