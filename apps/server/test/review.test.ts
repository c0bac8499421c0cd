import type { ReviewItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

const EXPERTS = 30;
let t: TestApp;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const accounts = [
    ...Array.from({ length: EXPERTS }, (_, i) => ({ name: `expert${i + 1}`, role: 'expert' as const })),
    { name: 'lead', role: 'lead' as const },
    { name: 'admin', role: 'admin' as const },
  ];
  for (const a of accounts) await createUser(t.database, a.name, a.role, 'review-password');
  await Promise.all(accounts.map(async (a) => (cookies[a.name] = await login(t.app, a.name, 'review-password'))));
});
afterAll(() => t.close());

const as = (user: string) => ({ cookie: cookies[user]! });
const next = (user: string, projectId: number) => t.app.inject({ url: `/api/projects/${projectId}/next`, headers: as(user) });
const getItem = (user: string, itemId: number) => t.app.inject({ url: `/api/items/${itemId}`, headers: as(user) });
const getVerdicts = (user: string, itemId: number) => t.app.inject({ url: `/api/items/${itemId}/verdicts`, headers: as(user) });
const postVerdict = (user: string, itemId: number, payload: unknown) =>
  t.app.inject({ method: 'POST', url: `/api/items/${itemId}/verdicts`, headers: as(user), payload: payload as object });
const skip = (user: string, itemId: number) => t.app.inject({ method: 'POST', url: `/api/items/${itemId}/skip`, headers: as(user) });

async function nextItem(user: string, projectId: number): Promise<ReviewItem> {
  const res = await next(user, projectId);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

/** Takes the user's next item and submits a complete verdict on it. */
async function judgeNext(user: string, projectId: number): Promise<ReviewItem> {
  const item = await nextItem(user, projectId);
  const res = await postVerdict(user, item.id, completeVerdict(item));
  expect(res.statusCode, res.body).toBe(201);
  return item;
}

const priorityOrder = async (projectId: number) =>
  (await readRows<{ id: number }>(t.database, 'SELECT id FROM items WHERE project_id = ? ORDER BY models_wrong DESC, confidence DESC, id', projectId)).map((r) => r.id);

/** Live claims plus verdicts per item of the project, the number the panel size bounds. */
async function panelLoad(projectId: number): Promise<Map<number, number>> {
  const rows = await readRows<{ id: number; load: number }>(
    t.database,
    `SELECT i.id, i.verdict_count + (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.expires_at > ?) AS load
     FROM items i WHERE i.project_id = ?`,
    t.clock.now,
    projectId,
  );
  return new Map(rows.map((r) => [r.id, r.load]));
}

let projectSeq = 0;
const project = (options: { images: number; panelSize?: number; classes?: number }): Promise<SyntheticProject> =>
  seedSyntheticProject(t.database, { name: `project-${++projectSeq}`, models: 3, seed: projectSeq, ...options });

describe('roles', () => {
  it('lets experts and leads review, and refuses an admin with 403', async () => {
    const p = await project({ images: 30 });
    expect((await next('lead', p.projectId)).statusCode).toBe(200);
    const item = await nextItem('expert1', p.projectId);
    for (const res of [await next('admin', p.projectId), await postVerdict('admin', item.id, completeVerdict(item)), await skip('admin', item.id)]) {
      expect(res.statusCode).toBe(403);
      expect(res.json()).toMatchObject({ code: 'FORBIDDEN' });
    }
    // An admin may look, but nothing was stored for them.
    expect((await getItem('admin', item.id)).statusCode).toBe(200);
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM verdicts WHERE item_id = ?', item.id))[0]).toEqual({ n: 0 });
  });
});

describe('next', () => {
  it('hands out items by priority: more models wrong, then higher confidence', async () => {
    const p = await project({ images: 40 });
    const order = await priorityOrder(p.projectId);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) seen.push((await judgeNext('expert2', p.projectId)).id);
    expect(seen).toEqual(order.slice(0, 6));
    const wrong = async (itemId: number | undefined) => (await readRows<{ models_wrong: number }>(t.database, 'SELECT models_wrong FROM items WHERE id = ?', itemId))[0]!.models_wrong;
    expect(await wrong(order[0])).toBeGreaterThanOrEqual(await wrong(order.at(-1)));
  });

  it('returns the same item on a repeated call, with the claim expiry', async () => {
    const p = await project({ images: 30 });
    const first = await nextItem('expert3', p.projectId);
    const again = await nextItem('expert3', p.projectId);
    expect(again.id).toBe(first.id);
    expect(again.claimExpiresAt).toBe(new Date(t.clock.now + 20 * 60_000).toISOString());
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM claims c JOIN items i ON i.id = c.item_id WHERE c.user_id = (SELECT id FROM users WHERE username = ?) AND i.project_id = ?', 'expert3', p.projectId))[0]).toEqual({ n: 1 });
    expect((await getItem('expert3', first.id)).json().claimExpiresAt).toBe(again.claimExpiresAt);
  });

  it('puts a skipped item after all others, then answers 204 when nothing is left', async () => {
    const p = await project({ images: 12 });
    const order = await priorityOrder(p.projectId);
    expect(order.length).toBeGreaterThan(2);
    const first = await nextItem('expert4', p.projectId);
    expect((await skip('expert4', first.id)).json()).toEqual({ skipped: true });
    const judged: number[] = [];
    for (let i = 0; i < order.length - 1; i++) judged.push((await judgeNext('expert4', p.projectId)).id);
    expect(judged).toEqual(order.filter((id) => id !== first.id));
    expect((await judgeNext('expert4', p.projectId)).id).toBe(first.id);
    const done = await next('expert4', p.projectId);
    expect(done.statusCode).toBe(204);
    expect(done.body).toBe('');
  });

  it('frees an abandoned claim once it expires', async () => {
    const p = await project({ images: 30, panelSize: 1 });
    const held = await nextItem('expert5', p.projectId);
    const other = await nextItem('expert6', p.projectId);
    expect(other.id).not.toBe(held.id);
    t.clock.advance(20 * 60_000 + 1);
    expect((await nextItem('expert7', p.projectId)).id).toBe(held.id);
    // The first expert's claim is gone: they get another item, not a second slot on a full panel.
    expect((await nextItem('expert5', p.projectId)).id).not.toBe(held.id);
  });

  it(`never over-assigns: ${EXPERTS} experts at once on a panel of 3`, async () => {
    const p = await project({ images: 200, panelSize: 3 });
    const experts = Array.from({ length: EXPERTS }, (_, i) => `expert${i + 1}`);
    const first = await Promise.all(experts.map((e) => next(e, p.projectId)));
    expect(first.map((r) => r.statusCode)).toEqual(experts.map(() => 200));
    const items = first.map((r) => (r.json() as ReviewItem).id);
    const perItem = new Map<number, number>();
    for (const id of items) perItem.set(id, (perItem.get(id) ?? 0) + 1);
    expect(Math.max(...perItem.values())).toBe(3);
    expect(perItem.size).toBe(EXPERTS / 3);
    expect(new Set(items)).toEqual(new Set((await priorityOrder(p.projectId)).slice(0, EXPERTS / 3)));

    // Everyone submits and asks again, all at once: still at most 3 live claims plus verdicts per item.
    await Promise.all(first.map((r, i) => postVerdict(experts[i]!, r.json().id, completeVerdict(r.json()))));
    const complete = await readRows<{ id: number }>(t.database, 'SELECT id FROM items WHERE project_id = ? AND panel_complete = 1', p.projectId);
    expect(new Set(complete.map((r) => r.id))).toEqual(new Set(items));
    const second = await Promise.all(experts.map((e) => next(e, p.projectId)));
    expect(second.every((r) => r.statusCode === 200)).toBe(true);
    expect(Math.max(...(await panelLoad(p.projectId)).values())).toBe(3);
    for (const [i, r] of second.entries()) expect(r.json().id).not.toBe(items[i]);
  });

  it('claims ahead with `after`: a second item, the same one when asked again, never a third claim', async () => {
    const p = await project({ images: 30 });
    const order = await priorityOrder(p.projectId);
    const claimsOf = async (user: string) =>
      (
        await readRows<{ item_id: number }>(
          t.database,
          'SELECT c.item_id FROM claims c JOIN items i ON i.id = c.item_id WHERE c.user_id = (SELECT id FROM users WHERE username = ?) AND i.project_id = ? ORDER BY c.item_id',
          user,
          p.projectId,
        )
      ).map((r) => r.item_id);
    const nextAfter = async (user: string, after: number) => {
      const res = await t.app.inject({ url: `/api/projects/${p.projectId}/next?after=${after}`, headers: as(user) });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as ReviewItem;
    };
    const current = await nextItem('expert8', p.projectId);
    expect(current.id).toBe(order[0]);
    t.clock.advance(1_000); // the client claims ahead once the current item is on screen
    const ahead = await nextAfter('expert8', current.id);
    expect(ahead.id).toBe(order[1]);
    expect((await nextAfter('expert8', current.id)).id).toBe(ahead.id);
    expect(await claimsOf('expert8')).toEqual([order[0], order[1]].sort((a, b) => a! - b!));
    // A reload without `after` returns the item being worked on, not the one claimed ahead.
    expect((await nextItem('expert8', p.projectId)).id).toBe(current.id);
    // After the verdict, the item claimed ahead is the next one, and claiming ahead of it takes a new item.
    expect((await postVerdict('expert8', current.id, completeVerdict(current))).statusCode).toBe(201);
    expect((await nextItem('expert8', p.projectId)).id).toBe(ahead.id);
    expect((await nextAfter('expert8', ahead.id)).id).toBe(order[2]);
    expect(await claimsOf('expert8')).toHaveLength(2);
    // `after` is validated like any query field.
    const bad = await t.app.inject({ url: `/api/projects/${p.projectId}/next?after=abc`, headers: as('expert8') });
    expect(bad.statusCode).toBe(400);
  });

  it('answers 404 for an unknown project', async () => {
    expect((await next('expert1', 9999)).statusCode).toBe(404);
  });
});

describe('verdicts', () => {
  let p: SyntheticProject;
  let item: ReviewItem;
  beforeAll(async () => {
    p = await project({ images: 30 });
    item = await nextItem('expert8', p.projectId);
  });
  const revisions = (itemId: number) => readRows<{ revision: number; comment: string }>(t.database, 'SELECT revision, comment FROM verdicts WHERE item_id = ? ORDER BY revision', itemId);

  it('stores a first verdict as revision 1, fills a panel slot and releases the claim', async () => {
    const res = await postVerdict('expert8', item.id, completeVerdict(item, 0, { comment: 'first' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ itemId: item.id, expert: 'expert8', revision: 1, comment: 'first' });
    expect(await revisions(item.id)).toEqual([{ revision: 1, comment: 'first' }]);
    expect((await readRows(t.database, 'SELECT verdict_count, status FROM items WHERE id = ?', item.id))[0]).toEqual({ verdict_count: 1, status: 'in_review' });
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM claims WHERE item_id = ?', item.id))[0]).toEqual({ n: 0 });
  });

  it('keeps every revision: revising revision 1 stores revision 2 beside it', async () => {
    const res = await postVerdict('expert8', item.id, completeVerdict(item, 1, { comment: 'second' }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json().revision).toBe(2);
    expect(await revisions(item.id)).toEqual([
      { revision: 1, comment: 'first' },
      { revision: 2, comment: 'second' },
    ]);
    expect((await readRows(t.database, 'SELECT verdict_count FROM items WHERE id = ?', item.id))[0]).toEqual({ verdict_count: 1 });
    expect((await getItem('expert8', item.id)).json().myVerdict).toMatchObject({ revision: 2, comment: 'second' });
  });

  it('answers a stale baseRevision with 409 and the current revision, writing nothing', async () => {
    for (const base of [0, 1, 5]) {
      const res = await postVerdict('expert8', item.id, completeVerdict(item, base, { comment: 'lost?' }));
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ statusCode: 409, code: 'STALE_REVISION', currentRevision: 2 });
    }
    expect((await revisions(item.id)).map((r) => r.revision)).toEqual([1, 2]);
  });

  it('rejects an unknown class key, an unknown model, an ungraded mistake and an unknown category with 400', async () => {
    const other = await nextItem('expert9', p.projectId);
    const top1 = other.models[0]!.predictions[0]!.key;
    const cases: [unknown, RegExp][] = [
      [completeVerdict(other, 0, { labels: { zz999: 'correct' } }), /labels\.zz999: unknown class key/],
      [completeVerdict(other, 0, { mistakes: { 'no-such-model': { severity: 'Major', category: 'Fine-grained error' } } }), /unknown model "no-such-model"/],
      [{ ...completeVerdict(other, 0, { labels: { [top1]: 'wrong' } }), mistakes: {} }, new RegExp(`mistakes\\.${other.models[0]!.model}:.*needs a severity`)],
      [completeVerdict(other, 0, { mistakes: { [other.models[0]!.model]: { severity: 'Major', category: 'Made up' } } }), /unknown mistake category "Made up"/],
    ];
    for (const [body, message] of cases) {
      const res = await postVerdict('expert9', other.id, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_VERDICT', message: expect.stringMatching(message) });
    }
    expect((await readRows(t.database, "SELECT count(*) AS n FROM verdicts WHERE item_id = ? AND user_id = (SELECT id FROM users WHERE username = 'expert9')", other.id))[0]).toEqual({ n: 0 });
  });

  it('answers malformed bodies with 400 and the field path, never 500', async () => {
    const valid = completeVerdict(item, 2);
    const bodies: [unknown, string][] = [
      [{ ...valid, labels: { [item.candidates[0]!.key]: 'maybe' } }, `body.labels.${item.candidates[0]!.key}`],
      [{ ...valid, labels: 'all correct' }, 'body.labels'],
      [{ ...valid, baseRevision: -1 }, 'body.baseRevision'],
      [{ ...valid, baseRevision: 1.5 }, 'body.baseRevision'],
      [{ ...valid, problematic: { reason: '' } }, 'body.problematic.reason'],
      [{ ...valid, mistakes: { m: { severity: 'Huge', category: 'x' } } }, 'body.mistakes.m.severity'],
      [{ labels: {} }, 'body.problematic'],
      [[1, 2, 3], 'body'],
    ];
    for (const [body, field] of bodies) {
      const res = await postVerdict('expert8', item.id, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(field) });
    }
    const notJson = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: { ...as('expert8'), 'content-type': 'application/json' }, payload: '{"labels":' });
    expect(notJson.statusCode).toBe(400);
    expect((await postVerdict('expert8', 'abc' as never, valid)).statusCode).toBe(400);
  });

  it('answers 404 for an unknown item and 409 once the item is final', async () => {
    expect((await postVerdict('expert8', 987654, completeVerdict(item, 2))).statusCode).toBe(404);
    expect((await getItem('expert8', 987654)).statusCode).toBe(404);
    await readRows(t.database, "UPDATE items SET status = 'final' WHERE id = ?", item.id);
    const res = await postVerdict('expert8', item.id, completeVerdict(item, 2));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'ITEM_FINAL' });
    expect((await revisions(item.id)).map((r) => r.revision)).toEqual([1, 2]);
  });
});

describe('blind review', () => {
  it('never shows an expert another expert’s verdict before they submitted their own, on any route', async () => {
    const p = await project({ images: 30, panelSize: 3, classes: 200 });
    const item = await nextItem('expert10', p.projectId);
    const candidateKeys = new Set(item.candidates.map((c) => c.key));
    const addedKey = p.classKeys.find((k) => !candidateKeys.has(k))!;
    const secret = 'SECRET-NOTE-OF-EXPERT-10';
    const first = completeVerdict(item, 0, { labels: { [addedKey]: 'correct' }, comment: secret, problematic: { reason: 'Drawing, painting, cartoon or rendering' } });
    expect((await postVerdict('expert10', item.id, first)).statusCode).toBe(201);

    // The author sees their own verdict and the class they added.
    const own = (await getItem('expert10', item.id)).json() as ReviewItem;
    expect(own.myVerdict).toMatchObject({ expert: 'expert10', comment: secret });
    expect(own.candidates.find((c) => c.key === addedKey)?.sources).toEqual([{ kind: 'added' }]);

    // Another panel member who has not submitted: nothing of it, on every route.
    const viaNext = await next('expert11', p.projectId);
    const viaItem = await getItem('expert11', item.id);
    const viaVerdicts = await getVerdicts('expert11', item.id);
    expect(viaNext.json().id).toBe(item.id);
    for (const res of [viaNext, viaItem, viaVerdicts]) {
      expect(res.statusCode).toBe(200);
      expect(res.body).not.toContain(secret);
      expect(res.body).not.toContain('expert10');
      expect(res.body).not.toContain(addedKey);
      expect(res.body).not.toContain('Drawing, painting');
    }
    expect(viaItem.json().myVerdict).toBeNull();
    expect(viaVerdicts.json()).toEqual({ verdicts: [] });

    // Once they have submitted, they see the panel's verdicts.
    expect((await postVerdict('expert11', item.id, completeVerdict(viaItem.json()))).statusCode).toBe(201);
    const after = (await getVerdicts('expert11', item.id)).json();
    expect(after.verdicts.map((v: { expert: string }) => v.expert)).toEqual(['expert10', 'expert11']);
    expect(after.verdicts[0]).toMatchObject({ comment: secret, revision: 1 });
    // A third expert still sees nothing; the lead and the admin see all.
    expect((await getVerdicts('expert12', item.id)).json()).toEqual({ verdicts: [] });
    for (const user of ['lead', 'admin']) expect((await getVerdicts(user, item.id)).json().verdicts).toHaveLength(2);
  });

  it('shows only the latest revision of each expert', async () => {
    const p = await project({ images: 30 });
    const item = await nextItem('expert13', p.projectId);
    await postVerdict('expert13', item.id, completeVerdict(item, 0, { comment: 'one' }));
    await postVerdict('expert13', item.id, completeVerdict(item, 1, { comment: 'two' }));
    expect((await getVerdicts('lead', item.id)).json().verdicts).toEqual([expect.objectContaining({ expert: 'expert13', revision: 2, comment: 'two' })]);
  });
});

describe('projects', () => {
  it('lists projects with their progress and my verdicts', async () => {
    const p = await project({ images: 25, panelSize: 1 });
    await judgeNext('expert14', p.projectId);
    await judgeNext('expert14', p.projectId);
    const res = await t.app.inject({ url: '/api/projects', headers: as('expert14') });
    expect(res.statusCode).toBe(200);
    const summary = res.json().projects.find((s: { id: number }) => s.id === p.projectId);
    expect(summary).toMatchObject({
      panelSize: 1,
      topK: 5,
      models: p.modelNames.map((name) => expect.objectContaining({ name, illustrative: false })),
      counts: { images: 25, missingImages: 0, items: p.items, itemsComplete: 2, myVerdicts: 2, leftForMe: p.items - 2 },
    });
    const lead = (await t.app.inject({ url: '/api/projects', headers: as('lead') })).json();
    expect(lead.projects.find((s: { id: number }) => s.id === p.projectId).counts).toMatchObject({ myVerdicts: 0, leftForMe: p.items - 2 });
  });

  it('counts the items left for each reviewer: not judged by them, their panel not complete', async () => {
    const p = await project({ images: 12, panelSize: 2 });
    const counts = async (user: string) =>
      (await t.app.inject({ url: '/api/projects', headers: as(user) })).json().projects.find((s: { id: number }) => s.id === p.projectId).counts;
    const item = await judgeNext('expert28', p.projectId);
    expect((await counts('expert28')).leftForMe).toBe(p.items - 1);
    expect((await counts('expert29')).leftForMe).toBe(p.items);
    // The second verdict completes the panel: the item is left for nobody.
    expect((await postVerdict('expert29', item.id, completeVerdict(item))).statusCode).toBe(201);
    expect((await counts('expert28')).leftForMe).toBe(p.items - 1);
    expect((await counts('expert29')).leftForMe).toBe(p.items - 1);
    expect((await counts('expert30')).leftForMe).toBe(p.items - 1);
  });

  it('serves the whole vocabulary, and 404 for an unknown project', async () => {
    const p = await project({ images: 5, classes: 321 });
    const res = await t.app.inject({ url: `/api/projects/${p.projectId}/classes`, headers: as('expert1') });
    expect(res.statusCode).toBe(200);
    const { classes } = res.json();
    expect(classes).toHaveLength(321);
    expect(classes[7]).toEqual({ index: 7, key: 'c0007', names: ['class 7', 'synonym 7'], gloss: 'gloss of class 7' });
    expect((await t.app.inject({ url: '/api/projects/4242/classes', headers: as('expert1') })).statusCode).toBe(404);
  });
});

describe('review item', () => {
  it('lists the original label, accepted labels, every model top-k as candidates, models in order with top-1 mistakes', async () => {
    const p = await project({ images: 30 });
    const item = await nextItem('expert15', p.projectId);
    expect(item.models.map((m) => m.model)).toEqual(p.modelNames);
    expect(item.candidates[0]).toMatchObject({ key: item.originalLabel!.key, sources: [{ kind: 'original' }] });
    expect(item.acceptedLabels).toEqual([item.originalLabel!.key]);
    for (const m of item.models) {
      expect(m.predictions.map((x) => x.rank)).toEqual([1, 2, 3, 4, 5]);
      expect(m.top1IsMistake).toBe(m.predictions[0]!.key !== item.originalLabel!.key);
      for (const pred of m.predictions) {
        expect(item.candidates.find((c) => c.key === pred.key)?.sources).toContainEqual({ kind: 'model', model: m.model, rank: pred.rank });
      }
    }
    expect(item.models.some((m) => m.top1IsMistake)).toBe(true);
    expect(item.image.previewUrl).toBe(`/api/projects/${p.projectId}/images/${item.image.id}/preview`);
    expect(item.image.missing).toBe(true); // the generated project's image folder does not exist
  });
});
