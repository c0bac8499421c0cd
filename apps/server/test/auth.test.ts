import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
  await seedSyntheticProject(t.database, { name: 'p', images: 20, models: 2, seed: 1 });
  await createUser(t.database, 'alice', 'expert', 'alice-password');
  await createUser(t.database, 'bob', 'lead', 'bob-password');
});
afterAll(() => t.close());

const PUBLIC = new Set(['GET /api/health', 'GET /api/health/ready', 'POST /api/auth/login']);

describe('session guard', () => {
  it('answers 401 on every API route but health and login, including the OpenAPI document', async () => {
    const cookie = await login(t.app, 'bob', 'bob-password');
    const doc = (await t.app.inject({ url: '/api/docs/json', headers: { cookie } })).json() as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), url: path.replace(/\{[^}]+\}/g, '1') })),
    );
    routes.push({ method: 'GET', url: '/api/docs/json' }, { method: 'GET', url: '/api/docs/yaml' }, { method: 'GET', url: '/api/docs' });
    expect(routes.length).toBeGreaterThanOrEqual(15);
    for (const route of routes) {
      const key = `${route.method} ${route.url}`;
      const res = await t.app.inject({ method: route.method as 'GET', url: route.url, payload: route.method === 'POST' ? {} : undefined });
      if (PUBLIC.has(key)) expect(res.statusCode, key).not.toBe(401);
      else {
        expect(res.statusCode, key).toBe(401);
        expect(res.json(), key).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
      }
    }
  });

  it('refuses an unknown token and an expired session with 401 SESSION_ENDED (no cookie at all: UNAUTHORIZED)', async () => {
    const me = async (cookie?: string) => t.app.inject({ url: '/api/auth/me', headers: cookie ? { cookie } : {} });
    expect((await me()).json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
    expect((await me('bagel_session=forged')).json()).toMatchObject({ statusCode: 401, code: 'SESSION_ENDED', message: 'Your session has ended; sign in again' });
    const cookie = await login(t.app, 'alice', 'alice-password');
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(12 * 60 * 60 * 1000 - 1);
    expect((await me(cookie)).statusCode).toBe(200);
    t.clock.advance(2);
    const expired = await me(cookie);
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ statusCode: 401, code: 'SESSION_ENDED' });
    // On every guarded route, not only `me`.
    expect((await t.app.inject({ url: '/api/projects', headers: { cookie } })).json()).toMatchObject({ code: 'SESSION_ENDED' });
  });

  it('answers SESSION_ENDED for a session ended on the server: a password reset, a deactivation, a password changed elsewhere', async () => {
    await createUser(t.database, 'carol', 'expert', 'carol-password');
    await createUser(t.database, 'dora', 'admin', 'dora-admin-password');
    const admin = await login(t.app, 'dora', 'dora-admin-password');
    const carolId = (await t.app.inject({ url: '/api/auth/me', headers: { cookie: await login(t.app, 'carol', 'carol-password') } })).json().id as number;
    const code = async (cookie: string) => (await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).json().code as string | undefined;

    const beforeReset = await login(t.app, 'carol', 'carol-password');
    const reset = await t.app.inject({ method: 'POST', url: `/api/users/${carolId}/password`, headers: { cookie: admin } });
    expect(reset.statusCode).toBe(200);
    expect(await code(beforeReset)).toBe('SESSION_ENDED');
    const newPassword = reset.json().password as string;

    const here = await login(t.app, 'carol', newPassword);
    const elsewhere = await login(t.app, 'carol', newPassword);
    const change = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: { cookie: here },
      payload: { currentPassword: newPassword, newPassword: 'carol-changed-password' },
    });
    expect(change.statusCode).toBe(204);
    expect(await code(elsewhere)).toBe('SESSION_ENDED');
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie: here } })).statusCode).toBe(200);

    const deactivate = await t.app.inject({ method: 'PATCH', url: `/api/users/${carolId}`, headers: { cookie: admin }, payload: { active: false } });
    expect(deactivate.statusCode).toBe(200);
    expect(await code(here)).toBe('SESSION_ENDED');
  });

  it('lets the cookie outlive its session, so that a browser coming back after it expired is told SESSION_ENDED', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: 'alice-password' } });
    const maxAge = Number(/Max-Age=(\d+)/.exec(String(res.headers['set-cookie']))?.[1]);
    expect(maxAge).toBe(12 * 60 * 60 + 30 * 24 * 60 * 60);
  });

  it('does not let an encoded path slip past the guard', async () => {
    const res = await t.app.inject({ url: '/%61pi/projects' });
    expect([401, 404]).toContain(res.statusCode);
    expect(res.body).not.toContain('"projects"');
  });
});

describe('health', () => {
  it('is public', async () => {
    const res = await t.app.inject({ url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('says an instance is ready while its database answers, and 503 unavailable when it does not', async () => {
    const other = await createTestApp();
    try {
      const ready = await other.app.inject({ url: '/api/health/ready' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toEqual({ status: 'ok', version: expect.any(String), database: other.database.engine });
      await other.database.close();
      const down = await other.app.inject({ url: '/api/health/ready' });
      expect(down.statusCode).toBe(503);
      expect(down.json()).toEqual({ status: 'unavailable', version: expect.any(String), database: other.database.engine });
      // Liveness does not ask the database.
      expect((await other.app.inject({ url: '/api/health' })).statusCode).toBe(200);
    } finally {
      // The app's own shutdown (the background re-aggregation's last look) needs the connection this test closed.
      await other.close().catch(() => {});
      rmSync(other.dir, { recursive: true, force: true });
    }
  });
});

describe('login, me, logout', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie whose token is stored only as its SHA-256', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'alice', password: 'alice-password' } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: expect.any(Number), username: 'alice', role: 'expert' });
    const header = String(res.headers['set-cookie']);
    expect(header).toMatch(/^bagel_session=[\w-]{43};/);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    const token = res.cookies[0]!.value;
    const hashes = (await readRows<{ token_hash: string }>(t.database, 'SELECT token_hash FROM sessions')).map((r) => r.token_hash);
    expect(hashes).toContain(createHash('sha256').update(token).digest('hex'));
    expect(hashes).not.toContain(token);
  });

  it('answers wrong password and unknown user alike, with 401', async () => {
    const wrong = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'bob', password: 'nope-nope' } });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'nobody', password: 'nope-nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json().message).toBe(unknown.json().message);
    expect(wrong.headers['set-cookie']).toBeUndefined();
  });

  it('signs in with the user name in any case', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'ALICE', password: 'alice-password' } });
    expect(res.statusCode).toBe(200);
    expect(res.json().username).toBe('alice');
  });

  it('answers a malformed body with 400, not 500', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: '', password: 3 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('body.password') });
  });

  it('me returns the signed-in user; logout ends the session and clears the cookie', async () => {
    const cookie = await login(t.app, 'bob', 'bob-password');
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).json()).toMatchObject({ username: 'bob', role: 'lead' });
    const sessionsBefore = (await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM sessions'))[0]!.n;
    const out = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    expect(out.statusCode).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(/bagel_session=;.*Expires=Thu, 01 Jan 1970/);
    expect((await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM sessions'))[0]!.n).toBe(sessionsBefore - 1);
    expect((await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode).toBe(401);
    // The browser drops the cleared cookie: signed out, not ended.
    expect((await t.app.inject({ url: '/api/auth/me' })).json()).toMatchObject({ statusCode: 401, code: 'UNAUTHORIZED' });
  });
});

describe('OpenAPI document', () => {
  it("documents the session guard's 401 (UNAUTHORIZED or SESSION_ENDED) on every guarded operation, and only there", async () => {
    const cookie = await login(t.app, 'alice', 'alice-password');
    const doc = (await t.app.inject({ url: '/api/docs/json', headers: { cookie } })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
      components: { schemas: Record<string, { properties: { code: { enum?: string[] } } }> };
    };
    expect(doc.components.schemas.SessionRequiredResponse!.properties.code.enum).toEqual(['UNAUTHORIZED', 'SESSION_ENDED']);
    let guarded = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        const schema = operation.responses['401']?.content?.['application/json']?.schema;
        if (key === 'GET /api/health' || key === 'GET /api/health/ready') expect(schema, key).toBeUndefined();
        else if (key === 'POST /api/auth/login') expect(schema?.$ref, key).toMatch(/ErrorResponse$/);
        else {
          expect(schema?.$ref, key).toBe('#/components/schemas/SessionRequiredResponse');
          guarded++;
        }
      }
    }
    expect(guarded).toBeGreaterThanOrEqual(30);
  });

  const PASSWORD_CHECKS = ['POST /api/auth/login', 'POST /api/auth/password', 'POST /api/users', 'PATCH /api/users/{userId}', 'POST /api/users/{userId}/password'];
  it("documents 503 DATABASE_BUSY (no database connection free in time) on every operation but the liveness check", async () => {
    const cookie = await login(t.app, 'alice', 'alice-password');
    const doc = (await t.app.inject({ url: '/api/docs/json', headers: { cookie } })).json() as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { $ref?: string } }> }> }>>;
    };
    let documented = 0;
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const key = `${method.toUpperCase()} ${path}`;
        const schema = operation.responses['503']?.content?.['application/json']?.schema;
        if (key === 'GET /api/health') expect(schema, key).toBeUndefined();
        else if (key === 'GET /api/health/ready') expect(schema, key).toBeDefined(); // its own 503: the database does not answer
        // The operations that hash or check passwords (sign-in, password changes, the users' writes) declare their own 503
        // BUSY (password.ts) with the generic ErrorResponse, which DATABASE_BUSY fits too.
        else if (PASSWORD_CHECKS.includes(key)) expect(schema?.$ref, key).toBe('#/components/schemas/ErrorResponse');
        else {
          expect(schema?.$ref, key).toBe('#/components/schemas/DatabaseBusyResponse');
          documented++;
        }
      }
    }
    expect(documented).toBeGreaterThanOrEqual(30);
  });

  it('describes the verdict route with the contract schemas', async () => {
    const cookie = await login(t.app, 'alice', 'alice-password');
    const res = await t.app.inject({ url: '/api/docs/json', headers: { cookie } });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.paths['/api/items/{itemId}/verdicts']).toHaveProperty('post');
    expect(doc.paths['/api/items/{itemId}/verdicts']).toHaveProperty('get');
    expect(doc.paths['/api/projects/{projectId}/next']).toHaveProperty('get');
    const body = doc.paths['/api/items/{itemId}/verdicts'].post.requestBody.content['application/json'].schema;
    expect(body.$ref).toMatch(/VerdictRequest/);
    const verdictRequest = doc.components.schemas.VerdictRequestInput ?? doc.components.schemas.VerdictRequest;
    expect(Object.keys(verdictRequest.properties)).toEqual(expect.arrayContaining(['labels', 'problematic', 'mistakes', 'comment', 'baseRevision']));
    expect(doc.components.schemas).toHaveProperty('VerdictRequest');
    // The retry header of a verdict, and the reviewer's own draft.
    const parameters = doc.paths['/api/items/{itemId}/verdicts'].post.parameters as { in: string; name: string; required?: boolean }[];
    expect(parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key', required: false }));
    expect(Object.keys(doc.paths['/api/items/{itemId}/draft']).toSorted()).toEqual(['delete', 'get', 'put']);
  });
});

describe('unknown routes and the web app', () => {
  it('answers an unknown /api route with a JSON 404', async () => {
    const cookie = await login(t.app, 'alice', 'alice-password');
    const res = await t.app.inject({ url: '/api/no-such-thing', headers: { cookie } });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('serves the SPA: files as they are, any other non-API GET as index.html', async () => {
    const web = join(t.dir, 'web');
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>Bagel</title>');
    writeFileSync(join(web, 'assets', 'app-123.js'), 'console.log("app")');
    const withSpa = await createTestApp({ webDistDir: web });
    try {
      for (const url of ['/', '/review/3', '/projects/1?x=1']) {
        const res = await withSpa.app.inject({ url });
        expect(res.statusCode, url).toBe(200);
        expect(res.headers['content-type'], url).toMatch(/text\/html/);
        expect(res.body, url).toContain('<title>Bagel</title>');
      }
      const asset = await withSpa.app.inject({ url: '/assets/app-123.js' });
      expect(asset.statusCode).toBe(200);
      expect(asset.body).toBe('console.log("app")');
      expect(asset.headers['cache-control']).toContain('immutable');
      // The build's compressed copies go to browsers that accept them, with the type and caching of the original.
      writeFileSync(join(web, 'assets', 'app-123.js.br'), brotliCompressSync('console.log("app")'));
      writeFileSync(join(web, 'assets', 'app-123.js.gz'), gzipSync('console.log("app")'));
      writeFileSync(join(web, 'index.html.br'), brotliCompressSync('<!doctype html><title>Bagel</title>'));
      for (const [accept, encoding] of [['br, gzip', 'br'], ['gzip', 'gzip'], ['identity', undefined]] as const) {
        const res = await withSpa.app.inject({ url: '/assets/app-123.js', headers: { 'accept-encoding': accept } });
        expect(res.statusCode, accept).toBe(200);
        expect(res.headers['content-encoding'], accept).toBe(encoding);
        expect(res.headers['content-type'], accept).toMatch(/javascript/);
        expect(res.headers['cache-control'], accept).toContain('immutable');
        const body = encoding === 'br' ? brotliDecompressSync(res.rawPayload) : encoding === 'gzip' ? gunzipSync(res.rawPayload) : res.rawPayload;
        expect(body.toString(), accept).toBe('console.log("app")');
      }
      const page = await withSpa.app.inject({ url: '/review/3', headers: { 'accept-encoding': 'br' } });
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(brotliDecompressSync(page.rawPayload).toString()).toContain('<title>Bagel</title>');
      const api = await withSpa.app.inject({ url: '/api/nothing-here' });
      expect(api.headers['content-type']).toMatch(/application\/json/);
      expect(api.statusCode).not.toBe(200);
      expect((await withSpa.app.inject({ method: 'POST', url: '/review/3' })).statusCode).toBe(404);
    } finally {
      await withSpa.close();
    }
  });
});
