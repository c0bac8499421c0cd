import { ReviewItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// Requests no client of ours would send: other body types, huge invalid bodies, ids written in other notations.

let t: TestApp;
let project: SyntheticProject;
const cookies: Record<string, string> = {};
let expertId: number;

beforeAll(async () => {
  t = await createTestApp();
  project = await seedSyntheticProject(t.database, { name: 'bad input', images: 20, models: 2, seed: 9, allWrong: true });
  await createUser(t.database, 'ada', 'admin', 'ada-password');
  expertId = await createUser(t.database, 'eve', 'expert', 'eve-password');
  cookies.ada = await login(t.app, 'ada', 'ada-password');
  cookies.eve = await login(t.app, 'eve', 'eve-password');
});
afterAll(() => t.close());

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
const send = (user: string | null, method: Method, url: string, body?: string, contentType?: string) =>
  t.app.inject({
    method,
    url,
    headers: { ...(user ? { cookie: cookies[user]! } : {}), ...(contentType ? { 'content-type': contentType } : {}) },
    ...(body !== undefined ? { payload: body } : {}),
  });

describe('request bodies are JSON only', () => {
  it('refuses an admin’s password reset sent as text/plain with 415, and changes nothing', async () => {
    const before = (await readRows(t.database, 'SELECT password_hash FROM users WHERE id = ?', expertId))[0];
    const res = await send('ada', 'POST', `/api/users/${expertId}/password`, 'please', 'text/plain');
    expect(res.statusCode, res.body).toBe(415);
    expect(res.json()).toMatchObject({ statusCode: 415, error: 'Unsupported Media Type', code: 'UNSUPPORTED_MEDIA_TYPE' });
    expect(res.json().message).toMatch(/application\/json/);
    expect(res.json().message).toContain('text/plain');
    expect((await readRows(t.database, 'SELECT password_hash FROM users WHERE id = ?', expertId))[0]).toEqual(before);
  });

  it('refuses every other body type, and a body without a type, on every state-changing method', async () => {
    const cases: [Method, string, string][] = [
      ['POST', '/api/auth/login', JSON.stringify({ username: 'eve', password: 'eve-password' })],
      ['POST', '/api/users', JSON.stringify({ username: 'formy', role: 'expert' })],
      ['PATCH', `/api/users/${expertId}`, JSON.stringify({ role: 'lead' })],
      ['PUT', `/api/projects/${project.projectId}/guide`, JSON.stringify({ markdown: 'x', baseRevision: 0 })],
      ['DELETE', '/api/no-such-route', '{}'],
    ];
    for (const [method, url, body] of cases) {
      for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/jsonp', 'text/json', undefined]) {
        const res = await send('ada', method, url, body, type);
        expect(res.statusCode, `${method} ${url} ${type}: ${res.body}`).toBe(415);
        expect(res.json().message, `${method} ${url} ${type}`).toMatch(type ? /Send the request body as JSON/ : /without a Content-Type/);
      }
    }
    expect((await readRows(t.database, "SELECT count(*) AS n FROM users WHERE username = 'formy'"))[0]).toEqual({ n: 0 });
    expect((await readRows(t.database, 'SELECT role FROM users WHERE id = ?', expertId))[0]).toEqual({ role: 'expert' });
  });

  it('accepts JSON in any spelling of its type, and bodiless requests without a type', async () => {
    for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON']) {
      const res = await send(null, 'POST', '/api/auth/login', JSON.stringify({ username: 'eve', password: 'eve-password' }), type);
      expect(res.statusCode, `${type}: ${res.body}`).toBe(200);
    }
    const reset = await send('ada', 'POST', `/api/users/${expertId}/password`);
    expect(reset.statusCode, reset.body).toBe(200);
    cookies.eve = await login(t.app, 'eve', reset.json().password);
  });

  it('says so in a message that does not repeat a long content type in full', async () => {
    const res = await send('ada', 'POST', '/api/users', '{}', `text/plain; x=${'y'.repeat(10_000)}`);
    expect(res.statusCode).toBe(415);
    expect(res.body.length).toBeLessThan(400);
  });
});

describe('validation errors', () => {
  it('stay short however large and wrong the body: a few issues, each cut, and how many there were', async () => {
    const item = ReviewItem.parse((await send('eve', 'GET', `/api/projects/${project.projectId}/next`)).json());
    const labels: Record<string, string> = {};
    // Just under the 512 KiB body limit (a larger body is refused with 413 before it is read).
    for (let i = 0; i < 14_000; i++) labels[`k${i}`] = `not-a-judgement-${i}`;
    const body = JSON.stringify({ labels, problematic: null, mistakes: {}, comment: 'x', baseRevision: 0 });
    expect(body.length).toBeGreaterThan(400_000);
    expect(body.length).toBeLessThan(512 * 1024);
    const res = await send('eve', 'POST', `/api/items/${item.id}/verdicts`, body, 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    const message: string = res.json().message;
    expect(res.body.length).toBeLessThan(4_000);
    expect(message).toContain('body.labels.k0');
    expect(message).toMatch(/and 13,99\d more problems/);
  });

  it('cut an issue that quotes a huge key or value', async () => {
    const key = 'x'.repeat(500_000);
    const res = await send('ada', 'POST', '/api/users', JSON.stringify({ username: 'ok', role: 'expert', [key]: 1 }), 'application/json');
    expect(res.statusCode).toBe(400);
    expect(res.body.length).toBeLessThan(4_000);
    const long = await send('ada', 'POST', '/api/users', JSON.stringify({ username: 'u'.repeat(500_000), role: 'expert' }), 'application/json');
    expect(long.statusCode).toBe(400);
    expect(long.body.length).toBeLessThan(4_000);
    expect(long.json().message).toContain('body.username');
  });

  it('do not repeat a long unknown path in full', async () => {
    const res = await send('ada', 'GET', `/api/${'z'.repeat(8_000)}`);
    expect(res.statusCode).toBe(404);
    expect(res.body.length).toBeLessThan(4_000);
  });
});

describe('ids are plain decimal numbers', () => {
  it('refuses other notations of 1 in route params with 400, and takes 1 itself', async () => {
    const user = (id: string) => send('ada', 'PATCH', `/api/users/${id}`, JSON.stringify({ active: true }), 'application/json');
    expect((await user(String(expertId))).statusCode).toBe(200);
    const one = String(expertId);
    for (const id of [`0x${expertId.toString(16)}`, `${one}e0`, `%20${one}`, `${one}%20`, `0${one}`, `+${one}`, `${one}.0`, `${one}.`, '0', '-1', '1e400', '9007199254740992', '99999999999999999999', 'Infinity', 'NaN', `0b${expertId.toString(2)}`, '%EF%BC%91']) {
      const res = await user(id);
      expect(res.statusCode, `${id}: ${res.body}`).toBe(400);
      expect(res.json().message, id).toMatch(/params\.userId: an id is a whole number from 1, in decimal digits/);
    }
    // The largest safe integer is an id (of nobody).
    expect((await user('9007199254740991')).statusCode).toBe(404);
  });

  it('refuses them in every id param and in the `after` query', async () => {
    const p = project.projectId;
    for (const url of [`/api/projects/0${p}/classes`, `/api/items/0x1`, `/api/projects/${p}/images/1e0/original`, `/api/projects/${p}/next?after=01`, `/api/projects/${p}/next?after=%201`, `/api/projects/${p}/next?after=`]) {
      const res = await send('eve', 'GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
    }
  });

  it('refuses other notations of whole numbers in paging and width queries', async () => {
    const p = project.projectId;
    for (const url of [`/api/projects/${p}/items?limit=1e1`, `/api/projects/${p}/items?offset=0x0`, `/api/projects/${p}/items?offset=%200`, `/api/projects/${p}/images/1/preview?width=0x100`, `/api/projects/${p}/items?limit=10.0`]) {
      const res = await send('ada', 'GET', url);
      expect(res.statusCode, `${url}: ${res.body}`).toBe(400);
    }
    const ok = await send('ada', 'GET', `/api/projects/${p}/items?limit=10&offset=0`);
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
