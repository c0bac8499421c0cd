import { ProjectGuide } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// GET/PUT /api/projects/:projectId/guide: the project's labeling guide, every revision kept, no lost update.

let t: TestApp;
let project: SyntheticProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  project = await seedSyntheticProject(t.database, { name: 'guided', images: 10, models: 2, seed: 8 });
  for (const [name, role] of [['eve', 'expert'], ['lea', 'lead'], ['lou', 'lead'], ['adm', 'admin']] as const) {
    await createUser(t.database, name, role, 'guide-password');
    cookies[name] = await login(t.app, name, 'guide-password');
  }
});
afterAll(() => t.close());

const guideUrl = (projectId = project.projectId) => `/api/projects/${projectId}/guide`;
const read = async (user: string) => {
  const res = await t.app.inject({ url: guideUrl(), headers: { cookie: cookies[user]! } });
  expect(res.statusCode, res.body).toBe(200);
  return ProjectGuide.parse(res.json());
};
const write = (user: string, text: string, baseRevision: number, projectId = project.projectId) => {
  t.clock.advance(1_000);
  return t.app.inject({ method: 'PUT', url: guideUrl(projectId), headers: { cookie: cookies[user]! }, payload: { text, baseRevision } });
};

describe('the project guide', () => {
  it('is empty at revision 0 before anyone writes it', async () => {
    expect(await read('eve')).toEqual({ text: '', revision: 0, updatedAt: null, updatedBy: null });
  });

  it('is written by a lead and read by everyone, with who and when', async () => {
    const text = 'Count a uniform jacket as "suit".\n\n- Toys are wrong.\n- Drawings: flag problematic.';
    const res = await write('lea', text, 0);
    expect(res.statusCode, res.body).toBe(200);
    const expected = { text, revision: 1, updatedAt: new Date(t.clock.now).toISOString(), updatedBy: 'lea' };
    expect(ProjectGuide.parse(res.json())).toEqual(expected);
    for (const user of ['eve', 'lou', 'adm']) expect(await read(user), user).toEqual(expected);
  });

  it('refuses an edit made from an old revision (409 with the current guide), and keeps every revision', async () => {
    expect((await write('adm', 'Second revision, by the admin.', 1)).statusCode).toBe(200);
    const stale = await write('lou', 'Written from revision 1, meanwhile.', 1);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_GUIDE', current: { revision: 2, updatedBy: 'adm', text: 'Second revision, by the admin.' } });
    expect((await read('eve')).text).toBe('Second revision, by the admin.');
    const rows = await readRows<{ revision: number }>(t.database, 'SELECT revision, text FROM project_guides WHERE project_id = ? ORDER BY revision', project.projectId);
    expect(rows.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('lets only leads and admins write; refuses a guide too long, unknown fields and unknown projects', async () => {
    const forbidden = await write('eve', 'An expert rewrites the rules.', 2);
    expect(forbidden.statusCode).toBe(403);
    expect((await write('lea', 'x'.repeat(50_001), 2)).statusCode).toBe(400);
    const extra = await t.app.inject({ method: 'PUT', url: guideUrl(), headers: { cookie: cookies.lea! }, payload: { text: 'x', baseRevision: 2, pinned: true } });
    expect(extra.statusCode).toBe(400);
    expect((await write('lea', 'x', 0, 999)).statusCode).toBe(404);
    expect((await t.app.inject({ url: guideUrl() })).statusCode).toBe(401);
    expect((await read('eve')).revision).toBe(2);
  });
});
