import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

let t: TestApp;
let project: HandProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  project = await seedHandProject(t.database);
  const users = { ann: 'expert', bob: 'expert', cyd: 'expert', lea: 'lead', adm: 'admin' } as const;
  for (const [name, role] of Object.entries(users)) {
    await createUser(t.database, name, role, 'discussion-password');
    cookies[name] = await login(t.app, name, 'discussion-password');
  }
});
afterAll(() => t.close());

const item = () => project.items[IMAGES[1]!.file]!;
const read = (user: string | null, itemId = item()) =>
  t.app.inject({ url: `/api/items/${itemId}/discussion`, headers: user ? { cookie: cookies[user]! } : {} });
const write = (user: string | null, body: unknown, itemId = item()) => {
  t.clock.advance(1_000);
  return t.app.inject({ method: 'POST', url: `/api/items/${itemId}/discussion`, headers: user ? { cookie: cookies[user]! } : {}, payload: body as object });
};

describe('discussion', () => {
  const SECRET = 'I think the Chihuahua is a toy';

  it('opens to an expert only after their own verdict: 403 before, never a word of the thread', async () => {
    expect((await write('lea', { body: SECRET })).statusCode).toBe(201);
    const ann = await read('ann');
    expect(ann.statusCode).toBe(403);
    expect(ann.json()).toMatchObject({ code: 'FORBIDDEN' });
    expect(ann.body).not.toContain(SECRET);
    const annWrites = await write('ann', { body: 'may I?' });
    expect(annWrites.statusCode).toBe(403);

    const judged = await t.app.inject({
      method: 'POST',
      url: `/api/items/${item()}/verdicts`,
      headers: { cookie: cookies.ann! },
      payload: verdict({ cat: 'correct', dog: 'correct' }),
    });
    expect(judged.statusCode, judged.body).toBe(201);
    const after = await read('ann');
    expect(after.statusCode).toBe(200);
    expect(after.json().messages.map((m: { body: string }) => m.body)).toEqual([SECRET]);
    // Bob, also of the panel, has not judged yet: still nothing.
    expect((await read('bob')).statusCode).toBe(403);
  });

  it('keeps messages in order with their author, role and time; leads and admins read and write', async () => {
    const posted = await write('ann', { body: '  It is a small dog.  ' });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(posted.json()).toEqual({ id: expect.any(Number), author: 'ann', role: 'expert', body: 'It is a small dog.', createdAt: new Date(t.clock.now).toISOString() });
    expect((await write('adm', { body: 'Noted.' })).statusCode).toBe(201);
    for (const user of ['lea', 'adm', 'ann']) {
      const res = await read(user);
      expect(res.statusCode).toBe(200);
      expect(res.json().messages.map((m: { author: string; role: string }) => `${m.author}/${m.role}`)).toEqual(['lea/lead', 'ann/expert', 'adm/admin']);
    }
  });

  it('refuses empty or oversized messages, unknown items and anonymous requests', async () => {
    for (const body of [{ body: '   ' }, { body: '' }, { body: 'x'.repeat(5001) }, {}, { body: 7 }]) {
      const res = await write('lea', body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    }
    expect((await read('lea', 999999)).statusCode).toBe(404);
    expect((await write('lea', { body: 'hello' }, 999999)).statusCode).toBe(404);
    expect((await read(null)).statusCode).toBe(401);
    expect((await write(null, { body: 'hello' })).statusCode).toBe(401);
    expect((await read('lea')).json().messages).toHaveLength(3);
  });
});
