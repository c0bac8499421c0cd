// Behind a TLS-terminating reverse proxy (`bagel serve --trust-proxy`): the client's address and protocol come from
// X-Forwarded-For and X-Forwarded-Proto, but only when the proxy itself sent them; without the option they are ignored.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

// Each test checks several passwords one after another (scrypt, ~100 ms alone, seconds on a busy machine).
const HASHING_TIMEOUT_MS = 90_000;

const limited = { accountFreeFailures: 100, addressFreeFailures: 3, baseDelayMs: 60_000, maxDelayMs: 60_000 };

function signIn(t: TestApp, username: string, password: string, remoteAddress: string, headers: Record<string, string> = {}) {
  return t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress, headers });
}
const sessionCookie = (res: Awaited<ReturnType<typeof signIn>>) => String(res.headers['set-cookie']);

describe('without --trust-proxy', { timeout: HASHING_TIMEOUT_MS }, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginThrottle: limited });
    await createUser(t.database, 'carol', 'expert', 'carol-password');
  });
  afterAll(() => t.close());

  it('ignores X-Forwarded-Proto: no Secure cookie over plain http', async () => {
    const res = await signIn(t, 'carol', 'carol-password', '127.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
    expect(res.statusCode).toBe(200);
    expect(sessionCookie(res)).not.toContain('Secure');
  });

  it('ignores X-Forwarded-For: a spoofed header does not dodge the per-address limit, even from the loopback', async () => {
    for (let i = 1; i <= 3; i++) expect((await signIn(t, `user${i}`, 'password1', '127.0.0.1', { 'x-forwarded-for': `198.51.100.${i}` })).statusCode).toBe(401);
    expect((await signIn(t, 'user4', 'password1', '127.0.0.1', { 'x-forwarded-for': '198.51.100.99' })).statusCode).toBe(429);
  });
});

describe('with --trust-proxy', { timeout: HASHING_TIMEOUT_MS }, () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ loginThrottle: limited, trustProxy: 'loopback,10.0.0.0/8' });
    await createUser(t.database, 'carol', 'expert', 'carol-password');
  });
  afterAll(() => t.close());

  it('sets a Secure session cookie when the proxy says the request came over https', async () => {
    const proxied = await signIn(t, 'carol', 'carol-password', '127.0.0.1', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '203.0.113.9' });
    expect(proxied.statusCode).toBe(200);
    expect(sessionCookie(proxied)).toMatch(/; Secure/);
    const plain = await signIn(t, 'carol', 'carol-password', '10.1.2.3', { 'x-forwarded-proto': 'http', 'x-forwarded-for': '203.0.113.9' });
    expect(sessionCookie(plain)).not.toContain('Secure');
  });

  it('counts failed sign-ins per forwarded client, not per proxy', async () => {
    for (let i = 1; i <= 3; i++) expect((await signIn(t, `user${i}`, 'password1', '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).statusCode).toBe(401);
    expect((await signIn(t, 'user4', 'password1', '127.0.0.1', { 'x-forwarded-for': '198.51.100.1' })).statusCode).toBe(429);
    // Another client behind the same proxy is not held back.
    expect((await signIn(t, 'user4', 'password1', '127.0.0.1', { 'x-forwarded-for': '198.51.100.2' })).statusCode).toBe(401);
    // What the client wrote itself is left of what the proxy appended, and does not count: still the same client.
    expect((await signIn(t, 'user5', 'password1', '10.0.0.7', { 'x-forwarded-for': '192.0.2.77, 198.51.100.1' })).statusCode).toBe(429);
  });

  it('ignores the headers from a peer that is not a trusted proxy', async () => {
    const direct = await signIn(t, 'carol', 'carol-password', '192.0.2.50', { 'x-forwarded-proto': 'https', 'x-forwarded-for': '198.51.100.3' });
    expect(sessionCookie(direct)).not.toContain('Secure');
    for (let i = 1; i <= 3; i++) expect((await signIn(t, `other${i}`, 'password1', '192.0.2.60', { 'x-forwarded-for': `198.51.100.${10 + i}` })).statusCode).toBe(401);
    expect((await signIn(t, 'other4', 'password1', '192.0.2.60', { 'x-forwarded-for': '198.51.100.20' })).statusCode).toBe(429);
  });
});
