import type { ReviewItem, VerdictDraftRequest } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// A reviewer's verdict in progress is kept on the server per reviewer and item, so another device finds it; nobody
// else ever sees it (blind review), and storing the verdict deletes it.
let t: TestApp;
const cookies: Record<string, string> = {};
const ACCOUNTS = [
  { name: 'expert1', role: 'expert' as const },
  { name: 'expert2', role: 'expert' as const },
  { name: 'lead', role: 'lead' as const },
  { name: 'admin', role: 'admin' as const },
];

beforeAll(async () => {
  t = await createTestApp();
  for (const a of ACCOUNTS) {
    await createUser(t.database, a.name, a.role, 'review-password');
    cookies[a.name] = await login(t.app, a.name, 'review-password');
  }
});
afterAll(() => t.close());

const as = (user: string) => ({ cookie: cookies[user]! });
const draftUrl = (itemId: number) => `/api/items/${itemId}/draft`;
const getDraft = (user: string, itemId: number) => t.app.inject({ url: draftUrl(itemId), headers: as(user) });
const putDraft = (user: string, itemId: number, payload: unknown) =>
  t.app.inject({ method: 'PUT', url: draftUrl(itemId), headers: as(user), payload: payload as object });
const deleteDraft = (user: string, itemId: number) => t.app.inject({ method: 'DELETE', url: draftUrl(itemId), headers: as(user) });
const next = async (user: string, projectId: number): Promise<ReviewItem> => {
  const res = await t.app.inject({ url: `/api/projects/${projectId}/next`, headers: as(user) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const getItem = async (user: string, itemId: number): Promise<ReviewItem> => (await t.app.inject({ url: `/api/items/${itemId}`, headers: as(user) })).json();

let seq = 0;
const project = () => seedSyntheticProject(t.database, { name: `drafts-${++seq}`, images: 10, models: 3, panelSize: 3, seed: 70 + seq });

const draftOf = (item: ReviewItem, overrides: Partial<VerdictDraftRequest> = {}): VerdictDraftRequest => ({
  baseRevision: 0,
  labels: { [item.originalLabel!.key]: 'correct', [item.models[0]!.predictions[0]!.key]: 'wrong' },
  addedKeys: ['c0099'],
  mistakes: { [item.models[0]!.model]: { severity: 'Major' } },
  problematic: true,
  problematicReason: 'Drawing, painting',
  comment: 'half way through: the grade of model a still lacks its category',
  ...overrides,
});

describe('drafts', () => {
  it('keeps the reviewer’s draft as saved (incomplete grades included), on the item and at its own route, replaced by each save', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    expect(item.myDraft).toBeNull();
    expect((await getDraft('expert1', item.id)).statusCode).toBe(404);
    expect((await getDraft('expert1', item.id)).json()).toMatchObject({ code: 'NO_DRAFT' });

    const draft = draftOf(item);
    const saved = await putDraft('expert1', item.id, draft);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toEqual({ ...draft, itemId: item.id, updatedAt: new Date(t.clock.now).toISOString() });
    expect((await getDraft('expert1', item.id)).json()).toEqual(saved.json());
    expect((await getItem('expert1', item.id)).myDraft).toEqual(saved.json());

    t.clock.advance(1000);
    const changed = draftOf(item, { comment: 'changed my mind', problematic: false, problematicReason: '' });
    expect((await putDraft('expert1', item.id, changed)).statusCode).toBe(200);
    expect((await getDraft('expert1', item.id)).json()).toEqual({ ...changed, itemId: item.id, updatedAt: new Date(t.clock.now).toISOString() });
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM verdict_drafts WHERE item_id = ?', item.id)).toEqual([{ n: 1 }]);
  });

  it('is the owner’s only: another expert, the lead and an admin never see it (404 or nothing), nor change it', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    const secret = draftOf(item, { comment: 'expert1 only: looks like a tiger cat' });
    expect((await putDraft('expert1', item.id, secret)).statusCode).toBe(200);

    for (const other of ['expert2', 'lead']) {
      const res = await getDraft(other, item.id);
      expect(res.statusCode, other).toBe(404);
      expect(res.json()).toMatchObject({ code: 'NO_DRAFT' });
      const seen = await getItem(other, item.id);
      expect(seen.myDraft, other).toBeNull();
      expect(JSON.stringify(seen)).not.toContain('tiger cat');
      // The panel's verdicts and the lead's desk show no draft either.
      expect(JSON.stringify((await t.app.inject({ url: `/api/items/${item.id}/verdicts`, headers: as(other) })).json())).not.toContain('tiger cat');
    }
    const desk = await t.app.inject({ url: `/api/items/${item.id}/desk`, headers: as('lead') });
    expect(desk.statusCode).toBe(200);
    expect(desk.body).not.toContain('tiger cat');
    // An admin does not review: no drafts at all.
    expect((await getDraft('admin', item.id)).statusCode).toBe(403);
    expect((await putDraft('admin', item.id, secret)).statusCode).toBe(403);
    expect((await deleteDraft('admin', item.id)).statusCode).toBe(403);

    // Another expert's save and delete touch their own draft only.
    const theirs = draftOf(item, { comment: 'expert2 own draft' });
    expect((await putDraft('expert2', item.id, theirs)).statusCode).toBe(200);
    expect((await deleteDraft('expert2', item.id)).statusCode).toBe(204);
    expect((await getDraft('expert2', item.id)).statusCode).toBe(404);
    expect((await getDraft('expert1', item.id)).json()).toMatchObject({ comment: secret.comment });
  });

  it('is deleted when the verdict is stored; a late save of the old draft is refused 409 DRAFT_STALE; a revision’s draft is kept', async () => {
    const p = await project();
    const item = await next('expert2', p.projectId);
    expect((await putDraft('expert2', item.id, draftOf(item))).statusCode).toBe(200);
    const stored = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: as('expert2'), payload: completeVerdict(item, 0) });
    expect(stored.statusCode).toBe(201);
    expect((await getDraft('expert2', item.id)).statusCode).toBe(404);
    expect((await getItem('expert2', item.id)).myDraft).toBeNull();

    // The autosave of the draft just submitted arrives after the verdict: it does not bring the draft back.
    const late = await putDraft('expert2', item.id, draftOf(item));
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'DRAFT_STALE', currentRevision: 1 });
    expect((await getDraft('expert2', item.id)).statusCode).toBe(404);

    // A draft revising revision 1 is kept, until revision 2 is stored.
    expect((await putDraft('expert2', item.id, draftOf(item, { baseRevision: 1, comment: 'revising' }))).statusCode).toBe(200);
    expect((await getItem('expert2', item.id)).myDraft).toMatchObject({ baseRevision: 1, comment: 'revising' });
    const revised = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: as('expert2'), payload: completeVerdict(item, 1) });
    expect(revised.statusCode).toBe(201);
    expect((await getDraft('expert2', item.id)).statusCode).toBe(404);
  });

  it('is kept when the verdict is refused (the item became final), and deleted on request', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    expect((await putDraft('expert1', item.id, draftOf(item))).statusCode).toBe(200);
    await readRows(t.database, "UPDATE items SET status = 'final' WHERE id = ?", item.id);
    const refused = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: as('expert1'), payload: completeVerdict(item, 0) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'ITEM_FINAL' });
    expect((await getDraft('expert1', item.id)).statusCode).toBe(200);
    expect((await deleteDraft('expert1', item.id)).statusCode).toBe(204);
    expect((await getDraft('expert1', item.id)).statusCode).toBe(404);
    expect((await deleteDraft('expert1', item.id)).statusCode).toBe(204);
  });

  it('refuses bad input with a 400 naming the field, an unknown item with 404, and needs a session', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    const cases: [unknown, string][] = [
      [{ ...draftOf(item), labels: { c0001: 'maybe' } }, 'body.labels.c0001'],
      [{ ...draftOf(item), comment: 'x'.repeat(5001) }, 'body.comment'],
      [{ ...draftOf(item), mistakes: { 'model-a': { severity: 'Huge' } } }, 'body.mistakes.model-a.severity'],
      [{ ...draftOf(item), baseRevision: -1 }, 'body.baseRevision'],
      [{ ...draftOf(item), addedKeys: undefined }, 'body.addedKeys'],
    ];
    for (const [payload, field] of cases) {
      const res = await putDraft('expert1', item.id, payload);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().message).toContain(field);
    }
    expect((await getDraft('expert1', item.id)).statusCode).toBe(404);
    expect((await putDraft('expert1', 999_999, draftOf(item))).json()).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    expect((await t.app.inject({ url: draftUrl(item.id) })).statusCode).toBe(401);
  });
});
