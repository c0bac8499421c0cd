import { MyVerdictsPage, type ReviewItem, type VerdictRequest } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

// GET /api/projects/:projectId/my-verdicts: a reviewer's own verdicts, most recent first, through the real routes.

let t: TestApp;
let project: SyntheticProject;
let other: SyntheticProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  project = await seedSyntheticProject(t.database, { name: 'mine', images: 12, models: 2, panelSize: 3, seed: 9, allWrong: true });
  other = await seedSyntheticProject(t.database, { name: 'other', images: 4, models: 2, seed: 10, allWrong: true });
  for (const [name, role] of [['ann', 'expert'], ['ben', 'expert'], ['cat', 'expert'], ['lea', 'lead'], ['adm', 'admin']] as const) {
    await createUser(t.database, name, role, 'mine-password');
    cookies[name] = await login(t.app, name, 'mine-password');
  }
});
afterAll(() => t.close());

const call = (user: string, method: 'GET' | 'POST', url: string, payload?: object) => {
  t.clock.advance(1_000); // distinct submission times
  return t.app.inject({ method, url, headers: { cookie: cookies[user]! }, payload });
};
const mine = async (user: string, query = '', projectId = project.projectId) => {
  const res = await call(user, 'GET', `/api/projects/${projectId}/my-verdicts${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return MyVerdictsPage.parse(res.json());
};

async function judge(user: string, item: ReviewItem, body: VerdictRequest): Promise<void> {
  const res = await call(user, 'POST', `/api/items/${item.id}/verdicts`, body);
  expect(res.statusCode, res.body).toBe(201);
}
async function judgeNext(user: string, extra: Partial<VerdictRequest> = {}): Promise<ReviewItem> {
  const item = (await call(user, 'GET', `/api/projects/${project.projectId}/next`)).json() as ReviewItem;
  await judge(user, item, completeVerdict(item, 0, extra));
  return item;
}

describe('GET /api/projects/:projectId/my-verdicts', () => {
  let judged: ReviewItem[] = [];

  it('is empty before the first verdict', async () => {
    expect(await mine('ann')).toEqual({ total: 0, offset: 0, limit: 50, rows: [] });
  });

  it('lists the reviewer’s items most recent first, each with their current revision in brief', async () => {
    const first = await judgeNext('ann');
    const second = await judgeNext('ann', { problematic: { reason: 'Excessively edited' }, comment: 'edited photo' });
    const third = await judgeNext('ann');
    judged = [first, second, third];
    // The first one revised last: it moves to the top, at revision 2, with another class judged correct.
    const extraCorrect = first.candidates.find((c) => c.key !== first.originalLabel!.key)!.key;
    await judge('ann', first, completeVerdict(first, 1, { labels: { [extraCorrect]: 'correct' }, mistakes: {} }));

    const page = await mine('ann');
    expect(page.total).toBe(3);
    expect(page.rows.map((r) => [r.itemId, r.revision])).toEqual([
      [first.id, 2],
      [third.id, 1],
      [second.id, 1],
    ]);
    const [top, , problematic] = page.rows;
    expect(top!.correct.map((c) => c.key).sort()).toEqual([first.originalLabel!.key, extraCorrect].sort());
    expect(top!.originalLabel.key).toBe(first.originalLabel!.key);
    expect(top!.file).toBe(first.image.file);
    expect(top!.previewUrl).toBe(`/api/projects/${project.projectId}/images/${first.image.id}/preview?width=128`);
    expect(top!.status).toBe('in_review');
    expect(top!.revisable).toBe(true);
    expect(problematic).toMatchObject({ problematic: true, comment: 'edited photo', correct: [{ key: second.originalLabel!.key }] });
    expect(page.rows.map((r) => r.submittedAt)).toEqual([...page.rows.map((r) => r.submittedAt)].sort().reverse());
  });

  it('shows nothing of another reviewer’s verdicts, nor of another project', async () => {
    const item = judged[2]!;
    await judge('ben', item, completeVerdict(item, 0, { comment: 'ben was here' }));
    const ann = await mine('ann');
    expect(ann.total).toBe(3);
    expect(JSON.stringify(ann)).not.toContain('ben was here');
    const ben = await mine('ben');
    expect(ben.rows.map((r) => r.itemId)).toEqual([item.id]);
    expect((await mine('ann', '', other.projectId)).total).toBe(0);
  });

  it('says an item is no longer revisable once the panel agrees', async () => {
    const item = judged[2]!;
    await judge('cat', item, completeVerdict(item));
    const row = (await mine('ann')).rows.find((r) => r.itemId === item.id)!;
    expect(row.status).toBe('agreed');
    expect(row.revisable).toBe(false);
    // As the verdict route decides.
    const res = await call('ann', 'POST', `/api/items/${item.id}/verdicts`, completeVerdict(item, 1));
    expect(res.statusCode).toBe(409);
  });

  it('pages by offset and limit', async () => {
    const all = (await mine('ann')).rows.map((r) => r.itemId);
    const a = await mine('ann', '?limit=2');
    const b = await mine('ann', '?limit=2&offset=2');
    expect([...a.rows, ...b.rows].map((r) => r.itemId)).toEqual(all);
    expect([a.total, a.limit, b.offset, b.rows.length]).toEqual([3, 2, 2, 1]);
  });

  it('is for reviewers: a lead has their own list, an admin gets 403; bad queries get 400, unknown projects 404', async () => {
    expect((await mine('lea')).total).toBe(0);
    expect((await call('adm', 'GET', `/api/projects/${project.projectId}/my-verdicts`)).statusCode).toBe(403);
    for (const query of ['?limit=0', '?limit=201', '?offset=-1', '?limit=ten']) {
      expect((await call('ann', 'GET', `/api/projects/${project.projectId}/my-verdicts${query}`)).statusCode, query).toBe(400);
    }
    expect((await call('ann', 'GET', '/api/projects/999/my-verdicts')).statusCode).toBe(404);
  });
});
