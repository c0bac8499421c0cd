import { CreatedUser, PasswordReset, UserAccount, UserList, type ReviewItem, type SessionUser } from '@bagel/contracts';
import { createUsersService } from '../src/features/users/users.service';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// The accounts an admin manages in the browser (GET/POST /api/users, PATCH /api/users/:id, POST .../password) and a
// user's own password (POST /api/auth/password), through the real routes on a fresh database.

let t: TestApp;
let project: SyntheticProject;
const ids: Record<string, number> = {};
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  project = await seedSyntheticProject(t.database, { name: 'p', images: 20, models: 2, seed: 5, allWrong: true });
  ids.ada = await createUser(t.database, 'ada', 'admin', 'ada-password');
  ids.lee = await createUser(t.database, 'lee', 'lead', 'lee-password');
  ids.eve = await createUser(t.database, 'eve', 'expert', 'eve-password');
  for (const name of ['ada', 'lee', 'eve']) cookies[name] = await login(t.app, name, `${name}-password`);
});
afterAll(() => t.close());

const call = (user: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: user ? { cookie: cookies[user]! } : {}, payload });
const status = async (cookie: string) => (await t.app.inject({ url: '/api/auth/me', headers: { cookie } })).statusCode;
/** The user's rows in a table. */
const countOf = async (table: 'claims' | 'verdicts', userId: number | undefined) => (await readRows(t.database, `SELECT count(*) AS n FROM ${table} WHERE user_id = ?`, userId))[0];
const loginStatus = async (username: string, password: string) =>
  (await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } })).statusCode;

describe('roles', () => {
  it('lets only admins list, add, change and reset users', async () => {
    for (const user of ['lee', 'eve']) {
      expect((await call(user, 'GET', '/api/users')).statusCode, user).toBe(403);
      expect((await call(user, 'POST', '/api/users', { username: `by-${user}`, role: 'admin' })).statusCode, user).toBe(403);
      expect((await call(user, 'PATCH', `/api/users/${ids[user]}`, { role: 'admin' })).statusCode, user).toBe(403);
      expect((await call(user, 'POST', `/api/users/${ids.ada}/password`)).statusCode, user).toBe(403);
    }
    expect((await call(null, 'GET', '/api/users')).statusCode).toBe(401);
    // Nothing changed: the lead is still a lead, and no user was added.
    const list = UserList.parse((await call('ada', 'GET', '/api/users')).json());
    expect(list.users.map((u) => [u.username, u.role])).toEqual([
      ['ada', 'admin'],
      ['eve', 'expert'],
      ['lee', 'lead'],
    ]);
  });
});

describe('GET /api/users', () => {
  it('lists users by name with how many items each has judged (revisions count once)', async () => {
    const item = (await call('eve', 'GET', `/api/projects/${project.projectId}/next`)).json() as ReviewItem;
    expect((await call('eve', 'POST', `/api/items/${item.id}/verdicts`, completeVerdict(item))).statusCode).toBe(201);
    expect((await call('eve', 'POST', `/api/items/${item.id}/verdicts`, completeVerdict(item, 1, { comment: 'again' }))).statusCode).toBe(201);
    const { users } = UserList.parse((await call('ada', 'GET', '/api/users')).json());
    const eve = users.find((u) => u.username === 'eve')!;
    expect(eve).toMatchObject({ id: ids.eve, role: 'expert', active: true, judgedItems: 1 });
    expect(users.find((u) => u.username === 'lee')!.judgedItems).toBe(0);
  });
});

describe('POST /api/users', () => {
  it('adds a user with a generated password, shown once, that signs in', async () => {
    const res = await call('ada', 'POST', '/api/users', { username: 'gen', role: 'expert' });
    expect(res.statusCode, res.body).toBe(201);
    const created = CreatedUser.parse(res.json());
    expect(created.user).toMatchObject({ username: 'gen', role: 'expert', active: true, judgedItems: 0 });
    expect(created.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await loginStatus('gen', created.password!)).toBe(200);
    // Not readable again: the list carries no password.
    expect((await call('ada', 'GET', '/api/users')).body).not.toContain(created.password!);
  });

  it('adds a user with a chosen password and does not echo it', async () => {
    const res = await call('ada', 'POST', '/api/users', { username: 'chosen', role: 'lead', password: 'chosen-password' });
    expect(res.statusCode, res.body).toBe(201);
    expect(CreatedUser.parse(res.json()).password).toBeNull();
    expect(res.body).not.toContain('chosen-password');
    expect(await loginStatus('chosen', 'chosen-password')).toBe(200);
  });

  it('refuses a taken name in any case (409), a bad name, a bad role, a short password and unknown fields (400)', async () => {
    const taken = await call('ada', 'POST', '/api/users', { username: 'EVE', role: 'expert' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'USERNAME_TAKEN' });
    const bad = [
      [{ username: 'two words', role: 'expert' }, 'body.username'],
      [{ username: 'ok', role: 'boss' }, 'body.role'],
      [{ username: 'ok', role: 'expert', password: 'short' }, 'body.password'],
      [{ username: 'ok', role: 'expert', admin: true }, 'admin'],
    ] as const;
    for (const [payload, field] of bad) {
      const res = await call('ada', 'POST', '/api/users', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().message, JSON.stringify(payload)).toContain(field);
    }
    expect(UserList.parse((await call('ada', 'GET', '/api/users')).json()).users.some((u) => u.username === 'ok')).toBe(false);
  });
});

describe('password rules', () => {
  it('refuse a weak chosen password with 400 WEAK_PASSWORD: 12 characters for an admin, 10 for others, none trivial', async () => {
    const refused = [
      [{ username: 'newadmin', role: 'admin', password: 'tulip-maze1' }, 'body.password: a password needs at least 12 characters for an admin'],
      [{ username: 'newlead', role: 'lead', password: 'newlead-2024' }, 'body.password: a password must not be the user name'],
      [{ username: 'newexp', role: 'expert', password: 'zzzzzzzzzzzz' }, 'body.password: a password needs at least 4 different characters'],
      [{ username: 'newexp', role: 'expert', password: 'Password123!' }, 'body.password: a password must not be a common password'],
      [{ username: 'newexp', role: 'expert', password: '1234567890' }, 'body.password: a password must not be a run of keys, letters or digits'],
    ] as const;
    for (const [payload, message] of refused) {
      const res = await call('ada', 'POST', '/api/users', payload);
      expect(res.statusCode, payload.password).toBe(400);
      expect(res.json(), payload.password).toMatchObject({ code: 'WEAK_PASSWORD', message });
    }
    const names = UserList.parse((await call('ada', 'GET', '/api/users')).json()).users.map((u) => u.username);
    expect(names.filter((n) => n.startsWith('new'))).toEqual([]);
    // Ten characters are enough for a lead or an expert, twelve for an admin.
    expect((await call('ada', 'POST', '/api/users', { username: 'newlead', role: 'lead', password: 'tulip-maze' })).statusCode).toBe(201);
    expect((await call('ada', 'POST', '/api/users', { username: 'newadmin', role: 'admin', password: 'tulip-maze-7' })).statusCode).toBe(201);
  });
});

describe('PATCH /api/users/:userId', () => {
  it('changes a role, which the server enforces from the next request', async () => {
    const cookie = await login(t.app, 'chosen', 'chosen-password');
    expect((await t.app.inject({ url: `/api/projects/${project.projectId}/dashboard`, headers: { cookie } })).statusCode).toBe(200);
    const id = UserList.parse((await call('ada', 'GET', '/api/users')).json()).users.find((u) => u.username === 'chosen')!.id;
    const res = await call('ada', 'PATCH', `/api/users/${id}`, { role: 'expert' });
    expect(res.statusCode, res.body).toBe(200);
    expect(UserAccount.parse(res.json())).toMatchObject({ username: 'chosen', role: 'expert', active: true });
    expect((await t.app.inject({ url: `/api/projects/${project.projectId}/dashboard`, headers: { cookie } })).statusCode).toBe(403);
  });

  it('deactivates: sessions end, sign-in is refused, claims are released, verdicts are kept; reactivates', async () => {
    const eveCookie = cookies.eve!;
    const claimed = (await call('eve', 'GET', `/api/projects/${project.projectId}/next`)).json() as ReviewItem;
    expect(await countOf('claims', ids.eve)).toEqual({ n: 1 });
    const verdictsBefore = await countOf('verdicts', ids.eve);

    const res = await call('ada', 'PATCH', `/api/users/${ids.eve}`, { active: false });
    expect(res.statusCode, res.body).toBe(200);
    expect(UserAccount.parse(res.json())).toMatchObject({ active: false, judgedItems: 1 });
    expect(await status(eveCookie)).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: `/api/items/${claimed.id}/verdicts`, headers: { cookie: eveCookie }, payload: completeVerdict(claimed) })).statusCode).toBe(401);
    const refused = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'eve', password: 'eve-password' } });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'ACCOUNT_DEACTIVATED' });
    // A wrong password gets the usual answer: the deactivation is told only to whoever knows the password.
    expect(await loginStatus('eve', 'not-her-password')).toBe(401);
    expect(await countOf('claims', ids.eve)).toEqual({ n: 0 });
    expect(await countOf('verdicts', ids.eve)).toEqual(verdictsBefore);

    expect((await call('ada', 'PATCH', `/api/users/${ids.eve}`, { active: true })).statusCode).toBe(200);
    cookies.eve = await login(t.app, 'eve', 'eve-password');
    expect(await status(cookies.eve)).toBe(200);
  });

  it('gives back the items a reviewer had claimed when they become an admin (who does not judge)', async () => {
    await createUser(t.database, 'rex', 'expert', 'rex-password');
    cookies.rex = await login(t.app, 'rex', 'rex-password');
    const rex = (await readRows<{ id: number }>(t.database, "SELECT id FROM users WHERE username = 'rex'"))[0]!.id;
    expect((await call('rex', 'GET', `/api/projects/${project.projectId}/next`)).statusCode).toBe(200);
    expect(await countOf('claims', rex)).toEqual({ n: 1 });
    expect((await call('ada', 'PATCH', `/api/users/${rex}`, { role: 'lead' })).statusCode).toBe(200);
    expect(await countOf('claims', rex)).toEqual({ n: 1 });
    expect((await call('ada', 'PATCH', `/api/users/${rex}`, { role: 'admin' })).statusCode).toBe(200);
    expect(await countOf('claims', rex)).toEqual({ n: 0 });
    expect((await call('rex', 'GET', `/api/projects/${project.projectId}/next`)).statusCode).toBe(403);
  });

  it('lets only an admin who is still an active admin write: two admins cannot remove each other at once', async () => {
    // The second of two crossing requests, after its session check but after the first one's write: the service refuses.
    await createUser(t.database, 'bea', 'admin', 'bea-password');
    const bea = (await readRows<SessionUser>(t.database, "SELECT id, username, role FROM users WHERE username = 'bea'"))[0]!;
    const service = createUsersService(t.app.database, { now: () => t.clock.now });
    await service.update({ id: ids.ada!, username: 'ada', role: 'admin' }, bea.id, { active: false });
    await expect(service.update(bea, ids.ada!, { active: false })).rejects.toThrow(/no longer an active admin/);
    expect(UserList.parse({ users: await service.list() }).users.find((u) => u.username === 'ada')).toMatchObject({ role: 'admin', active: true });
  });

  it('refuses changes to one’s own account (409), unknown users (404) and empty or unknown changes (400)', async () => {
    for (const change of [{ role: 'expert' }, { active: false }]) {
      const res = await call('ada', 'PATCH', `/api/users/${ids.ada}`, change);
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'OWN_ACCOUNT' });
    }
    expect((await call('ada', 'PATCH', '/api/users/9999', { role: 'lead' })).statusCode).toBe(404);
    expect((await call('ada', 'PATCH', `/api/users/${ids.lee}`, {})).statusCode).toBe(400);
    expect((await call('ada', 'PATCH', `/api/users/${ids.lee}`, { password: 'x' })).statusCode).toBe(400);
    expect((await call('ada', 'PATCH', `/api/users/${ids.lee}`, { active: 'no' })).statusCode).toBe(400);
    const list = UserList.parse((await call('ada', 'GET', '/api/users')).json()).users;
    expect(list.find((u) => u.username === 'ada')).toMatchObject({ role: 'admin', active: true });
    expect(list.find((u) => u.username === 'lee')).toMatchObject({ role: 'lead', active: true });
  });
});

describe('POST /api/users/:userId/password', () => {
  it('generates a new password, ends the user’s sessions, and the old password stops working', async () => {
    const leeCookie = await login(t.app, 'lee', 'lee-password');
    const res = await call('ada', 'POST', `/api/users/${ids.lee}/password`);
    expect(res.statusCode, res.body).toBe(200);
    const { password } = PasswordReset.parse(res.json());
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(await status(leeCookie)).toBe(401);
    expect(await loginStatus('lee', 'lee-password')).toBe(401);
    expect(await loginStatus('lee', password)).toBe(200);
  });

  it('refuses one’s own account (409) and unknown users (404)', async () => {
    const own = await call('ada', 'POST', `/api/users/${ids.ada}/password`);
    expect(own.statusCode).toBe(409);
    expect(own.json()).toMatchObject({ code: 'OWN_ACCOUNT' });
    expect((await call('ada', 'POST', '/api/users/9999/password')).statusCode).toBe(404);
    expect(await status(cookies.ada!)).toBe(200);
  });
});

describe('POST /api/auth/password', () => {
  const changePassword = (cookie: string, currentPassword: string, newPassword: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/password', headers: { cookie }, payload: { currentPassword, newPassword } });

  it('changes one’s own password: this session stays, the others end', async () => {
    await createUser(t.database, 'kim', 'expert', 'kim-password');
    const here = await login(t.app, 'kim', 'kim-password');
    const elsewhere = await login(t.app, 'kim', 'kim-password');
    const res = await changePassword(here, 'kim-password', 'kim-new-password');
    expect(res.statusCode, res.body).toBe(204);
    expect(await status(here)).toBe(200);
    expect(await status(elsewhere)).toBe(401);
    expect(await loginStatus('kim', 'kim-password')).toBe(401);
    expect(await loginStatus('kim', 'kim-new-password')).toBe(200);
  });

  it('refuses a wrong current password (400 WRONG_PASSWORD, the session stays) and a short new one', async () => {
    const cookie = await login(t.app, 'kim', 'kim-new-password');
    const wrong = await changePassword(cookie, 'guess', 'another-password');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'WRONG_PASSWORD' });
    const short = await changePassword(cookie, 'kim-new-password', 'short');
    expect(short.statusCode).toBe(400);
    expect(short.json().message).toContain('body.newPassword');
    const weak = await changePassword(cookie, 'kim-new-password', 'kim-2024-2025');
    expect(weak.statusCode).toBe(400);
    expect(weak.json()).toMatchObject({ code: 'WEAK_PASSWORD', message: 'body.newPassword: a password must not be the user name' });
    expect(await status(cookie)).toBe(200);
    expect(await loginStatus('kim', 'kim-new-password')).toBe(200);
  });

  it('holds an admin to 12 characters', async () => {
    await createUser(t.database, 'ivy', 'admin', 'ivy-admin-password');
    const cookie = await login(t.app, 'ivy', 'ivy-admin-password');
    const res = await changePassword(cookie, 'ivy-admin-password', 'tulip-maze1');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ code: 'WEAK_PASSWORD', message: 'body.newPassword: a password needs at least 12 characters for an admin' });
    expect((await changePassword(cookie, 'ivy-admin-password', 'tulip-maze-7')).statusCode).toBe(204);
  });

  it('needs a session', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/password', payload: { currentPassword: 'x', newPassword: 'long-enough-1' } });
    expect(res.statusCode).toBe(401);
  });
});
