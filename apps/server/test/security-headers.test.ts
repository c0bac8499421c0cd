import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.database, 'ann', 'expert', 'headers-password');
});
afterAll(() => t.close());

/** The Content-Security-Policy as directive → sources. */
function policyOf(header: string | string[] | number | undefined): Map<string, string[]> {
  return new Map(
    String(header)
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .filter((parts) => parts[0])
      .map(([name, ...sources]) => [name!, sources]),
  );
}

describe('security headers', () => {
  it('go with every answer: public, signed-in, refused and not found', async () => {
    const cookie = await login(t.app, 'ann', 'headers-password');
    const answers = [
      await t.app.inject({ url: '/api/health' }),
      await t.app.inject({ url: '/api/projects', headers: { cookie } }),
      await t.app.inject({ url: '/api/projects' }),
      await t.app.inject({ url: '/api/nowhere', headers: { cookie } }),
    ];
    expect(answers.map((r) => r.statusCode)).toEqual([200, 200, 401, 404]);
    for (const res of answers) {
      const policy = policyOf(res.headers['content-security-policy']);
      expect(policy.get('default-src')).toEqual(["'self'"]);
      expect(policy.get('script-src')).toEqual(["'self'"]);
      expect(policy.get('script-src-attr')).toEqual(["'none'"]);
      expect(policy.get('object-src')).toEqual(["'none'"]);
      expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
      // Plain HTTP on an internal network must keep working: no upgrade to HTTPS, no HSTS promise.
      expect(policy.has('upgrade-insecure-requests')).toBe(false);
      expect(res.headers['strict-transport-security']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(res.headers['referrer-policy']).toBe('same-origin');
      expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    }
  });
});
