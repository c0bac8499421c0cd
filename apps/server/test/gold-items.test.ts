// Gold items (docs/AGGREGATION.md, "Gold items"): a lead marks a final item gold; the queue serves it, at the
// project's gold rate, to experts who did not judge it in its panel, once each; everything such an expert reads of
// the item is what any item in review would show (blind as blind review is tested: every route), their answers are
// kept apart and the item's final labels never move; each expert's reliability against gold is measured on their
// first answers.
import { isGoldTurn } from '@bagel/core';
import type {
  DeskItem,
  DiscussionThread,
  ExpertReliabilityReport,
  GoldMark,
  MyVerdictsPage,
  ProjectList,
  ProjectSettings,
  ReviewItem,
  SubmittedVerdict,
  Verdict,
  VerdictRequest,
} from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSES, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { goldKnownAnswers } from '../src/features/gold/gold-known-answers';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};
const userIds: Record<string, number> = {};
const PASSWORD = 'gold-test-password';

async function addUser(name: string, role: 'expert' | 'lead' | 'admin') {
  await createUser(t.database, name, role, PASSWORD);
  cookies[name] = await login(t.app, name, PASSWORD);
  userIds[name] = (await readRows<{ id: number }>(t.database, 'SELECT id FROM users WHERE username = ?', name))[0]!.id;
}

/** A new expert whose first item is a gold turn at `rate` (or, with `gold` false, is not): the queue's draw, isGoldTurn. */
async function expertWhoseFirstTurnIs(gold: boolean, rate: number, prefix: string): Promise<string> {
  for (let i = 0; ; i++) {
    const name = `${prefix}${i}`;
    await addUser(name, 'expert');
    if (isGoldTurn(userIds[name]!, 0, rate) === gold) return name;
  }
}

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of [['ann', 'expert'], ['bob', 'expert'], ['cyd', 'expert'], ['lea', 'lead'], ['adm', 'admin']] as const) await addUser(name, role);
});
afterAll(() => t.close());

const FG = { severity: 'Minor', category: 'Fine-grained error' } as const;
const CUP_AGREED = verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG });

const request = (user: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });
const itemOf = (p: HandProject, n: 2 | 3 | 5 | 6) => p.items[IMAGES[n - 1]!.file]!;
const ok = async <T>(res: Promise<{ statusCode: number; body: string; json(): unknown }>, status = 200): Promise<T> => {
  const r = await res;
  expect(r.statusCode, r.body).toBe(status);
  return r.json() as T;
};
/** A verdict on any item: every candidate unclear (no top-1 judged wrong, so no mistake to grade). */
const unclearVerdict = (item: ReviewItem): VerdictRequest => ({
  labels: Object.fromEntries(item.candidates.map((c) => [c.key, 'unclear'])),
  mistakes: {},
  problematic: null,
  comment: '',
  baseRevision: 0,
});
const stored = async (itemId: number) =>
  (await readRows<{ status: string; verdict_count: number; final: string | null }>(t.database, 'SELECT i.status, i.verdict_count, c.final FROM items i LEFT JOIN item_consensus c ON c.item_id = i.id WHERE i.id = ?', itemId))[0]!;

/** A project whose image 6 (cup; model B says bus) the panel agreed on, marked gold by the lead, at gold rate `rate`. */
async function projectWithGold(name: string, rate: number): Promise<{ p: HandProject; gold: number }> {
  const p = await seedHandProject(t.database, name);
  const gold = itemOf(p, 6);
  for (const user of ['ann', 'bob', 'cyd']) await ok(request(user, 'POST', `/api/items/${gold}/verdicts`, CUP_AGREED), 201);
  await ok(request('ann', 'POST', `/api/items/${gold}/discussion`, { body: 'Clearly a mug.' }), 201);
  await ok<ProjectSettings>(request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldRate: rate }));
  await ok<GoldMark>(request('lea', 'POST', `/api/items/${gold}/gold`, {}));
  return { p, gold };
}

describe('marking gold', () => {
  it('is the lead’s, on final items only; the desk shows it with its answer; unmarking takes it off', async () => {
    const p = await seedHandProject(t.database, 'gold-marking');
    const open = itemOf(p, 5);
    expect((await request('lea', 'POST', `/api/items/${open}/gold`, {})).json()).toMatchObject({ statusCode: 409, code: 'NOT_FINAL' });
    const gold = itemOf(p, 6);
    for (const user of ['ann', 'bob', 'cyd']) await ok(request(user, 'POST', `/api/items/${gold}/verdicts`, CUP_AGREED), 201);
    expect((await request('ann', 'POST', `/api/items/${gold}/gold`, {})).statusCode).toBe(403);
    expect((await request('adm', 'POST', `/api/items/${gold}/gold`, {})).statusCode).toBe(403);
    expect((await request('lea', 'POST', `/api/items/999999/gold`, {})).statusCode).toBe(404);
    const mark = await ok<GoldMark>(request('lea', 'POST', `/api/items/${gold}/gold`, {}));
    expect(mark.markedBy).toBe('lea');
    expect(mark.answer.labels).toEqual({ [CLASSES.cup.key]: 'correct', [CLASSES.bus.key]: 'wrong' });
    expect((await ok<DeskItem>(request('lea', 'GET', `/api/items/${gold}/desk`))).gold).toEqual(mark);
    expect((await ok<DeskItem>(request('lea', 'GET', `/api/items/${open}/desk`))).gold).toBeNull();
    expect((await request('lea', 'DELETE', `/api/items/${gold}/gold`)).statusCode).toBe(204);
    expect((await ok<DeskItem>(request('lea', 'GET', `/api/items/${gold}/desk`))).gold).toBeNull();
  });

  it('takes a gold rate between 0 and 0.5 in the settings', async () => {
    const p = await seedHandProject(t.database, 'gold-rate');
    expect((await ok<ProjectSettings>(request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldRate: 0.2 }))).goldRate).toBe(0.2);
    for (const goldRate of [0.6, -0.1, '0.1']) expect((await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldRate })).statusCode).toBe(400);
    expect((await request('lea', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldRate: 0.1 })).statusCode).toBe(403);
  });
});

describe('a gold item in an expert’s stream', () => {
  let p: HandProject;
  let gold: number;
  let dan: string;
  let eve: string;
  beforeAll(async () => {
    ({ p, gold } = await projectWithGold('gold-served', 0.5));
    dan = await expertWhoseFirstTurnIs(true, 0.5, 'dan');
    eve = await expertWhoseFirstTurnIs(false, 0.5, 'eve');
  });

  it('shows as an open item, exactly as the queue’s items do, on every route an expert reads it from', async () => {
    const served = await ok<ReviewItem>(request(dan, 'GET', `/api/projects/${p.projectId}/next`));
    expect(served.id).toBe(gold);
    // Eve's first turn is not gold: the queue's own item, to compare with.
    const normal = await ok<ReviewItem>(request(eve, 'GET', `/api/projects/${p.projectId}/next`));
    expect(normal.id).not.toBe(gold);
    for (const item of [served, normal]) {
      expect(item).toMatchObject({ status: 'open', myVerdict: null, myDraft: null, panelSeenAt: null, modelEvidence: { hidden: false, revealedAt: null } });
      expect(item.claimExpiresAt).not.toBeNull();
    }
    expect(Object.keys(served).sort()).toEqual(Object.keys(normal).sort());
    expect(JSON.stringify(served)).not.toMatch(/gold/i);
    // Asked again (a reload), the same item; and by its address.
    expect((await ok<ReviewItem>(request(dan, 'GET', `/api/projects/${p.projectId}/next`))).id).toBe(gold);
    expect(await ok<ReviewItem>(request(dan, 'GET', `/api/items/${gold}`))).toMatchObject({ status: 'open', myVerdict: null });
    // Nothing of the panel before a verdict; the claim renews; a draft saves; the discussion is closed as any is.
    expect(await ok(request(dan, 'GET', `/api/items/${gold}/verdicts`))).toEqual({ verdicts: [] });
    expect(await ok(request(dan, 'POST', `/api/items/${gold}/claim`))).toMatchObject({ itemId: gold });
    const draft = { baseRevision: 0, labels: { [CLASSES.cup.key]: 'correct' }, addedKeys: [], mistakes: {}, problematic: false, problematicReason: '', comment: '' };
    await ok(request(dan, 'PUT', `/api/items/${gold}/draft`, draft));
    expect((await ok<ReviewItem>(request(dan, 'GET', `/api/items/${gold}`))).myDraft).toMatchObject({ labels: draft.labels });
    const closed = await request(dan, 'GET', `/api/items/${gold}/discussion`);
    const closedNormal = await request(eve, 'GET', `/api/items/${normal.id}/discussion`);
    expect(closed.statusCode).toBe(403);
    expect(closed.json().message.replace(String(gold), 'N')).toBe(closedNormal.json().message.replace(String(normal.id), 'N'));
  });

  it('takes the expert’s verdict apart from the panel’s: revisions as usual, the item’s final labels unmoved', async () => {
    const before = await stored(gold);
    // Dan says the bus is there too (against the gold answer), then revises.
    const first = await ok<SubmittedVerdict>(request(dan, 'POST', `/api/items/${gold}/verdicts`, verdict({ cup: 'correct', bus: 'correct' })), 201);
    expect(first).toMatchObject({ itemId: gold, expert: dan, revision: 1, afterSeeingPanel: false, modelsHidden: false });
    // The project's goldFeedback is off (the default): the answer is a verdict's, key for key, as Eve's on her queue item.
    const normal = await ok<ReviewItem>(request(eve, 'GET', `/api/projects/${p.projectId}/next`));
    expect(normal.id).not.toBe(gold);
    const eves = await ok<SubmittedVerdict>(request(eve, 'POST', `/api/items/${normal.id}/verdicts`, unclearVerdict(normal)), 201);
    expect(first).not.toHaveProperty('goldFeedback');
    expect(Object.keys(first)).toEqual(Object.keys(eves));
    expect(JSON.stringify(first)).not.toMatch(/gold/i);
    expect((await request(dan, 'POST', `/api/items/${gold}/verdicts`, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }))).json()).toMatchObject({
      statusCode: 409,
      code: 'STALE_REVISION',
      currentRevision: 1,
    });
    await ok(request(dan, 'POST', `/api/items/${gold}/verdicts`, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }, { baseRevision: 1 })), 201);
    expect(await stored(gold)).toEqual(before);
    expect(await readRows(t.database, 'SELECT revision FROM gold_probe_answers WHERE item_id = ? ORDER BY revision', gold)).toEqual([{ revision: 1 }, { revision: 2 }]);
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM verdicts WHERE item_id = ?', gold)).toEqual([{ n: 3 }]);

    // As an item in review with only their own verdict; in their verdicts, revisable; counted in their projects.
    const after = await ok<ReviewItem>(request(dan, 'GET', `/api/items/${gold}`));
    expect(after).toMatchObject({ status: 'in_review', myVerdict: { revision: 2 }, claimExpiresAt: null, myDraft: null });
    const panel = await ok<{ verdicts: Verdict[] }>(request(dan, 'GET', `/api/items/${gold}/verdicts`));
    expect(panel.verdicts.map((v) => [v.expert, v.revision])).toEqual([[dan, 2]]);
    const mine = await ok<MyVerdictsPage>(request(dan, 'GET', `/api/projects/${p.projectId}/my-verdicts`));
    expect(mine.total).toBe(1);
    expect(mine.rows[0]).toMatchObject({ itemId: gold, status: 'in_review', revision: 2, revisable: true });
    const listed = (await ok<ProjectList>(request(dan, 'GET', '/api/projects'))).projects.find((s) => s.id === p.projectId)!;
    expect(listed.counts.myVerdicts).toBe(1);
    expect((await request(dan, 'POST', `/api/items/${gold}/claim`)).json()).toMatchObject({ code: 'ALREADY_JUDGED' });
  });

  it('keeps the discussion apart both ways: the expert reads their own messages only, and the panel never reads theirs', async () => {
    const thread = await ok<DiscussionThread>(request(dan, 'GET', `/api/items/${gold}/discussion`));
    expect(thread.messages).toEqual([]);
    await ok(request(dan, 'POST', `/api/items/${gold}/discussion`, { body: 'Is that a bus in the back?' }), 201);
    expect((await ok<DiscussionThread>(request(dan, 'GET', `/api/items/${gold}/discussion`))).messages.map((m) => m.body)).toEqual(['Is that a bus in the back?']);
    expect((await ok<DiscussionThread>(request('ann', 'GET', `/api/items/${gold}/discussion`))).messages.map((m) => m.body)).toEqual(['Clearly a mug.']);
    expect((await ok<DiscussionThread>(request('lea', 'GET', `/api/items/${gold}/discussion`))).messages.map((m) => m.body)).toEqual(['Clearly a mug.', 'Is that a bus in the back?']);
  });

  it('is never served to the same expert twice, nor to one who judged it, nor once skipped, nor once unmarked', async () => {
    // Dan's stream goes on with the queue's items only.
    for (let i = 0; i < 3; i++) {
      const res = await request(dan, 'GET', `/api/projects/${p.projectId}/next`);
      if (res.statusCode === 204) break;
      const item = res.json() as ReviewItem;
      expect(item.id).not.toBe(gold);
      await ok(request(dan, 'POST', `/api/items/${item.id}/skip`));
    }
    // Ann judged it in the panel: never hers as gold, whatever her turns.
    const annServed = await readRows(t.database, 'SELECT * FROM gold_probes WHERE user_id = ?', userIds.ann);
    expect(annServed).toEqual([]);
    // Fay is served it, skips it, and does not get it again.
    const fay = await expertWhoseFirstTurnIs(true, 0.5, 'fay');
    expect((await ok<ReviewItem>(request(fay, 'GET', `/api/projects/${p.projectId}/next`))).id).toBe(gold);
    await ok(request(fay, 'POST', `/api/items/${gold}/skip`));
    const again = await request(fay, 'GET', `/api/projects/${p.projectId}/next`);
    if (again.statusCode === 200) expect((again.json() as ReviewItem).id).not.toBe(gold);
    // Unmarked, it is served to nobody more.
    expect((await request('lea', 'DELETE', `/api/items/${gold}/gold`)).statusCode).toBe(204);
    const gus = await expertWhoseFirstTurnIs(true, 0.5, 'gus');
    const gusItem = await request(gus, 'GET', `/api/projects/${p.projectId}/next`);
    if (gusItem.statusCode === 200) expect((gusItem.json() as ReviewItem).id).not.toBe(gold);
    await ok<GoldMark>(request('lea', 'POST', `/api/items/${gold}/gold`, {}));
  });

  it('measures each expert against gold on their first answer, and only there', async () => {
    const report = await ok<ExpertReliabilityReport>(request('lea', 'GET', `/api/projects/${p.projectId}/expert-reliability?reference=gold`));
    expect(report.referenceItems).toBe(1);
    // Only dan answered it (fay skipped): his first answer judged the cup correct (present in gold) and the bus
    // correct (absent in gold): sensitivity 1 of 1, specificity 0 of 1. The panel's verdicts on it are not counted.
    expect(report.experts.map((e) => e.expert)).toEqual([dan]);
    const figures = report.experts[0]!;
    expect(figures.sensitivity).toMatchObject({ successes: 1, trials: 1 });
    expect(figures.specificity).toMatchObject({ successes: 0, trials: 1 });
    expect(figures.problematicAgreement).toMatchObject({ successes: 1, trials: 1 });
  });
});

describe('feedback after a gold item', () => {
  let p: HandProject;
  let gold: number;
  beforeAll(async () => {
    ({ p, gold } = await projectWithGold('gold-feedback', 0.5));
  });

  it('is an admin’s boolean setting, off by default, in the project list for everyone', async () => {
    const listed = async (user: string) => (await ok<ProjectList>(request(user, 'GET', '/api/projects'))).projects.find((s) => s.id === p.projectId)!;
    expect((await listed('adm')).goldFeedback).toBe(false);
    for (const goldFeedback of ['true', 1, null]) expect((await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldFeedback })).statusCode).toBe(400);
    for (const user of ['lea', 'ann']) expect((await request(user, 'PATCH', `/api/projects/${p.projectId}/settings`, { goldFeedback: true })).statusCode).toBe(403);
    expect((await listed('adm')).goldFeedback).toBe(false);
    const settings = await ok<ProjectSettings>(request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldFeedback: true }));
    expect(settings).toMatchObject({ goldFeedback: true, goldRate: 0.5, reaggregatedItems: 0 });
    // Whether there is feedback says nothing of which items are gold: everyone reads it.
    for (const user of ['adm', 'lea', 'ann']) expect((await listed(user)).goldFeedback).toBe(true);
  });

  it('answers an expert’s answer to a gold item with where it differs from the gold answer, each revision', async () => {
    const kim = await expertWhoseFirstTurnIs(true, 0.5, 'kim');
    expect((await ok<ReviewItem>(request(kim, 'GET', `/api/projects/${p.projectId}/next`))).id).toBe(gold);
    // The gold answer: the cup present, the bus absent, not problematic. Kim sees the bus too and flags the image.
    const answer = verdict({ cup: 'correct', bus: 'correct' }, {}, { problematic: { reason: 'Two objects' } });
    const send = (body: VerdictRequest, key: string) => t.app.inject({ method: 'POST', url: `/api/items/${gold}/verdicts`, headers: { cookie: cookies[kim]!, 'idempotency-key': key }, payload: body });
    const first = await ok<SubmittedVerdict>(send(answer, 'kim-first'), 201);
    expect(first).toMatchObject({ itemId: gold, expert: kim, revision: 1 });
    expect(first.goldFeedback).toEqual({
      matched: false,
      classes: [{ key: CLASSES.bus.key, name: 'school bus', yours: 'correct', answer: 'wrong' }],
      problematic: { yours: true, answer: false },
    });
    // A repeat of the request answers the same, and stores nothing more.
    expect((await ok<SubmittedVerdict>(send(answer, 'kim-first'), 201)).goldFeedback).toEqual(first.goldFeedback);
    // Revised as the answer has it: matched.
    const second = await ok<SubmittedVerdict>(send(verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }, { baseRevision: 1 }), 'kim-second'), 201);
    expect(second.goldFeedback).toEqual({ matched: true, classes: [], problematic: { yours: false, answer: false } });
    expect(await readRows(t.database, 'SELECT revision FROM gold_probe_answers WHERE item_id = ? AND user_id = ? ORDER BY revision', gold, userIds[kim])).toEqual([
      { revision: 1 },
      { revision: 2 },
    ]);
  });

  it('never comes with a verdict on an ordinary item', async () => {
    const lou = await expertWhoseFirstTurnIs(false, 0.5, 'lou');
    const item = await ok<ReviewItem>(request(lou, 'GET', `/api/projects/${p.projectId}/next`));
    expect(item.id).not.toBe(gold);
    const stored = await ok<SubmittedVerdict>(request(lou, 'POST', `/api/items/${item.id}/verdicts`, unclearVerdict(item)), 201);
    expect(stored).not.toHaveProperty('goldFeedback');
    // Nor with its revision.
    const revised = await ok<SubmittedVerdict>(request(lou, 'POST', `/api/items/${item.id}/verdicts`, { ...unclearVerdict(item), baseRevision: 1 }), 201);
    expect(revised).not.toHaveProperty('goldFeedback');
  });

  it('is not given once the setting is off again', async () => {
    await ok<ProjectSettings>(request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldFeedback: false }));
    const max = await expertWhoseFirstTurnIs(true, 0.5, 'max');
    expect((await ok<ReviewItem>(request(max, 'GET', `/api/projects/${p.projectId}/next`))).id).toBe(gold);
    const answer = await ok<SubmittedVerdict>(request(max, 'POST', `/api/items/${gold}/verdicts`, verdict({ cup: 'correct', bus: 'correct' })), 201);
    expect(answer).toMatchObject({ itemId: gold, revision: 1 });
    expect(answer).not.toHaveProperty('goldFeedback');
  });
});

describe('a qualification set', () => {
  it('serves a new expert gold items first, whatever the rate’s draw, then the queue', async () => {
    const p = await seedHandProject(t.database, 'gold-qualification');
    // Two gold items: images 3 and 6, agreed by the panel.
    const golds = [itemOf(p, 3), itemOf(p, 6)];
    const agreed = { [golds[0]!]: verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': { severity: 'Major', category: 'Spurious Correlation' } }), [golds[1]!]: CUP_AGREED };
    for (const gold of golds) for (const user of ['ann', 'bob', 'cyd']) await ok(request(user, 'POST', `/api/items/${gold}/verdicts`, agreed[gold]), 201);
    for (const gold of golds) await ok<GoldMark>(request('lea', 'POST', `/api/items/${gold}/gold`, {}));
    const settings = await ok<ProjectSettings>(request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { goldRate: 0, goldQualification: 2 }));
    expect(settings).toMatchObject({ goldRate: 0, goldQualification: 2 });
    // The project list gives the count to leads and admins (the dashboard's control), never to an expert: it would tell
    // them which of their first items are gold.
    const listed = async (user: string) => (await ok<ProjectList>(request(user, 'GET', '/api/projects'))).projects.find((s) => s.id === p.projectId)!;
    for (const user of ['adm', 'lea']) expect((await listed(user)).goldQualification).toBe(2);
    expect(await listed('ann')).not.toHaveProperty('goldQualification');
    // An expert whose draws would give no gold (the rate is 0) gets both gold items first, then the queue's items.
    const ivy = await expertWhoseFirstTurnIs(false, 0.5, 'ivy');
    const served: number[] = [];
    for (let i = 0; i < 3; i++) {
      const item = await ok<ReviewItem>(request(ivy, 'GET', `/api/projects/${p.projectId}/next`));
      served.push(item.id);
      await ok(request(ivy, 'POST', `/api/items/${item.id}/skip`));
    }
    expect(served.slice(0, 2).sort()).toEqual([...golds].sort());
    expect(golds).not.toContain(served[2]);
  });
});

describe('gold at rate 0', () => {
  it('is never served', async () => {
    const { p, gold } = await projectWithGold('gold-off', 0);
    const hal = await expertWhoseFirstTurnIs(true, 0.5, 'hal');
    for (let i = 0; i < 3; i++) {
      const res = await request(hal, 'GET', `/api/projects/${p.projectId}/next`);
      if (res.statusCode === 204) break;
      const item = res.json() as ReviewItem;
      expect(item.id).not.toBe(gold);
      await ok(request(hal, 'POST', `/api/items/${item.id}/skip`));
    }
  });
});

describe('gold and the Dawid–Skene estimation', () => {
  it('gives the estimation each gold item’s classes as known answers: present where correct, absent where wrong', async () => {
    const { p, gold } = await projectWithGold('gold-known', 0.05);
    const known = await goldKnownAnswers(t.database.queries, p.projectId, [gold, itemOf(p, 5)]);
    expect([...known.keys()]).toEqual([gold]);
    expect(Object.fromEntries(known.get(gold)!)).toEqual({ [CLASSES.cup.key]: true, [CLASSES.bus.key]: false });
    expect((await goldKnownAnswers(t.database.queries, p.projectId, [])).size).toBe(0);
  });
});
