import type { Decision, DeskItem, LeadQueue, ProjectDashboard } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSES, decision, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  const users = { ann: 'expert', bob: 'expert', cyd: 'expert', dan: 'expert', lea: 'lead', leo: 'lead', adm: 'admin' } as const;
  for (const [name, role] of Object.entries(users)) {
    await createUser(t.database, name, role, 'lead-test-password');
    cookies[name] = await login(t.app, name, 'lead-test-password');
  }
});
afterAll(() => t.close());

let projects = 0;
const newProject = () => seedHandProject(t.database, `lifecycle-${++projects}`);
/** Item id of image n (1-based) of the hand project. */
const itemOf = (p: HandProject, n: number) => p.items[IMAGES[n - 1]!.file]!;

const request = (user: string | null, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) => {
  t.clock.advance(1_000);
  return t.app.inject({ method, url, headers: user ? { cookie: cookies[user]! } : {}, payload });
};
const judge = async (user: string, itemId: number, body: object, status = 201) => {
  const res = await request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
  expect(res.statusCode, res.body).toBe(status);
  return res.json();
};
const status = async (itemId: number) => (await readRows<{ status: string }>(t.database, 'SELECT status FROM items WHERE id = ?', itemId))[0]?.status;
const desk = async (itemId: number, user = 'lea'): Promise<DeskItem> => {
  const res = await request(user, 'GET', `/api/items/${itemId}/desk`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
/** Posts a decision; without a `basePanelVersion`, on the panel as the desk shows it to lea now (0 for an unknown item). */
const decide = async (user: string, itemId: number, body: object) => {
  let basePanelVersion = 'basePanelVersion' in body ? body.basePanelVersion : 0;
  if (!('basePanelVersion' in body)) {
    const res = await request('lea', 'GET', `/api/items/${itemId}/desk`);
    if (res.statusCode === 200) basePanelVersion = (res.json() as DeskItem).panelVersion;
  }
  return request(user, 'POST', `/api/items/${itemId}/decisions`, { ...body, basePanelVersion });
};
const reopen = (user: string, itemId: number, body: object) => request(user, 'POST', `/api/items/${itemId}/reopen`, body);
const queue = async (p: HandProject, query = ''): Promise<LeadQueue> => {
  const res = await request('lea', 'GET', `/api/projects/${p.projectId}/lead/queue${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

const { dog, fox, cat, car, bus, cup } = CLASSES;
const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;

/** Image 5 (red fox; A beach wagon, B school bus) split three ways on red fox and beach wagon: disputed. */
async function disputeImage5(p: HandProject): Promise<number> {
  const item = itemOf(p, 5);
  await judge('ann', item, verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Non-prototypical' }, 'model-b': SP }));
  await judge('bob', item, verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }));
  await judge('cyd', item, verdict({ fox: 'unclear', car: 'unclear', bus: 'wrong' }, { 'model-b': SP }));
  return item;
}

const finalImage5 = decision({ fox: 'unclear', car: 'correct', bus: 'wrong' }, { 'model-b': SP });

describe('lifecycle as verdicts arrive', () => {
  it('goes open → in review → agreed, final automatically with the aggregate as final labels', async () => {
    const p = await newProject();
    const item = itemOf(p, 3); // Chihuahua; A red fox, B coffee mug
    expect(await status(item)).toBe('open');
    await judge('ann', item, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect(await status(item)).toBe('in_review');
    await judge('bob', item, verdict({ dog: 'correct', fox: 'wrong', cup: 'unclear' }, { 'model-a': SP }));
    expect(await status(item)).toBe('in_review');
    expect((await desk(item)).consensus).toMatchObject({ status: 'incomplete', verdictCount: 2, quorum: 2 });
    await judge('cyd', item, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' }, 'model-b': SP }));
    expect(await status(item)).toBe('agreed');

    const d = await desk(item);
    expect(d.consensus).toMatchObject({ status: 'agreed', disputes: [] });
    expect(d.final).toEqual({
      labels: { [dog.key]: 'correct', [fox.key]: 'wrong', [cup.key]: 'wrong' },
      problematic: null,
      mistakes: { 'model-a': { severity: 'Major', category: 'Spurious Correlation' }, 'model-b': { severity: 'Major', category: 'Spurious Correlation' } },
    });
    expect(d.decisions).toEqual([]);
    expect(d.verdicts.map((v) => v.expert)).toEqual(['ann', 'bob', 'cyd']);
  });

  it('refuses verdicts and revisions on an agreed item: 409 ITEM_FINAL, nothing stored', async () => {
    const p = await newProject();
    const item = itemOf(p, 2); // tabby; A Chihuahua
    for (const user of ['ann', 'bob', 'cyd']) await judge(user, item, verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' } }));
    expect(await status(item)).toBe('agreed');
    const revision = await request('ann', 'POST', `/api/items/${item}/verdicts`, verdict({ cat: 'correct', dog: 'correct' }, {}, { baseRevision: 1 }));
    expect(revision.statusCode).toBe(409);
    expect(revision.json()).toMatchObject({ code: 'ITEM_FINAL' });
    const newcomer = await request('dan', 'POST', `/api/items/${item}/verdicts`, verdict({ cat: 'correct', dog: 'correct' }));
    expect(newcomer.json()).toMatchObject({ code: 'ITEM_FINAL' });
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM verdicts WHERE item_id = ?', item))[0]).toEqual({ n: 3 });
  });

  it('sends a divided panel to the lead, with the reasons', async () => {
    const p = await newProject();
    const item = await disputeImage5(p);
    expect(await status(item)).toBe('disputed');
    const d = await desk(item);
    expect(d.final).toBeNull();
    expect(d.consensus.disputes).toEqual([
      { kind: 'class', classKey: fox.key, detail: 'no judgement has the 2 matching votes needed (correct 1, wrong 1, unclear 1, abstain 0)' },
      { kind: 'class', classKey: car.key, detail: 'no judgement has the 2 matching votes needed (correct 1, wrong 1, unclear 1, abstain 0)' },
      { kind: 'severity', model: 'model-a', detail: 'severity Minor has 1 of the 2 matching votes needed (Minor 1)' },
      { kind: 'category', model: 'model-a', detail: 'category Non-prototypical has 1 of the 2 matching votes needed (Non-prototypical 1)' },
    ]);
    // An expert of the panel may still revise a disputed item (after discussing it).
    await judge('ann', item, verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { baseRevision: 1 }));
    // Now bob and ann agree on everything, cyd is the minority: the panel agrees.
    expect(await status(item)).toBe('agreed');
  });
});

describe("the lead's queue", () => {
  it('lists disputed items, most divided first, with their disputes; other filters list decided items', async () => {
    const p = await newProject();
    const five = await disputeImage5(p);
    // Image 6 (coffee mug; B school bus): only the problematic flag is disputed (ann alone flags it).
    const six = itemOf(p, 6);
    const grade = { 'model-b': { severity: 'Minor', category: 'Fine-grained error' } } as const;
    await judge('ann', six, verdict({ cup: 'correct', bus: 'wrong' }, grade, { problematic: { reason: 'Excessively edited' } }));
    await judge('bob', six, verdict({ cup: 'correct', bus: 'wrong' }, grade));
    await judge('cyd', six, verdict({ cup: 'correct', bus: 'wrong' }, grade));
    // Image 3 agreed.
    const three = itemOf(p, 3);
    for (const user of ['ann', 'bob', 'cyd']) await judge(user, three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));

    const disputed = await queue(p);
    expect(disputed.total).toBe(2);
    expect(disputed.items.map((i) => i.itemId)).toEqual([five, six]);
    // 4 disputes + the mean entropy of the class votes: red fox and beach wagon split evenly (log2 3), school bus unanimous.
    expect(disputed.items[0]!.divisiveness).toBeCloseTo(4 + (2 * Math.log2(3)) / 3, 12);
    expect(disputed.items[1]!.divisiveness).toBe(1);
    expect(disputed.items[0]).toMatchObject({
      imageId: expect.any(Number),
      file: IMAGES[4]!.file,
      previewUrl: expect.stringMatching(/\/images\/\d+\/preview$/),
      originalLabel: { key: fox.key, name: 'red fox' },
      status: 'disputed',
      verdictCount: 3,
      updatedAt: expect.any(String),
    });
    expect(disputed.items[1]!.disputes).toEqual([{ kind: 'problematic', detail: 'flagged problematic by 1 of 3 experts; 2 are needed to leave the image out' }]);

    expect((await queue(p, '?status=agreed')).items.map((i) => i.itemId)).toEqual([three]);
    expect((await queue(p, '?limit=1&offset=1')).items.map((i) => i.itemId)).toEqual([six]);
    expect((await decide('lea', five, finalImage5)).statusCode).toBe(201);
    expect((await queue(p, '?status=final')).items.map((i) => i.itemId)).toEqual([five]);
    expect((await queue(p, '?status=all-decided')).total).toBe(2);
    // Everything the desk holds: the disputed item first (the most divided), then the agreed and the final one.
    expect((await queue(p, '?status=all')).items.map((i) => i.itemId)).toEqual([six, five, three]);
    expect((await queue(p)).items.map((i) => i.itemId)).toEqual([six]);
    expect((await request('lea', 'GET', `/api/projects/${p.projectId}/lead/queue?limit=0`)).statusCode).toBe(400);
  });

  it('is for leads and admins', async () => {
    const p = await newProject();
    expect((await request('adm', 'GET', `/api/projects/${p.projectId}/lead/queue`)).statusCode).toBe(200);
    expect((await request('ann', 'GET', `/api/projects/${p.projectId}/lead/queue`)).statusCode).toBe(403);
    expect((await request(null, 'GET', `/api/projects/${p.projectId}/lead/queue`)).statusCode).toBe(401);
    expect((await request('lea', 'GET', '/api/projects/9999/lead/queue')).statusCode).toBe(404);
  });
});

describe("the lead's desk and decisions", () => {
  it('shows every verdict side by side, and every class any expert added among the candidates', async () => {
    const p = await newProject();
    const item = itemOf(p, 2);
    await judge('ann', item, verdict({ cat: 'correct', dog: 'correct', bus: 'wrong' }));
    await judge('bob', item, verdict({ cat: 'correct', dog: 'correct', car: 'wrong' }, {}, { comment: 'a wagon? no' }));
    const d = await desk(item);
    expect(d.item.candidates.map((c) => c.key)).toEqual([cat.key, dog.key, bus.key, car.key]);
    expect(d.item.candidates.find((c) => c.key === car.key)!.sources).toEqual([{ kind: 'added' }]);
    expect(d.verdicts.map((v) => [v.expert, v.comment])).toEqual([['ann', ''], ['bob', 'a wagon? no']]);
    // The aggregate lists the classes only experts added alphabetically, whoever added them first.
    expect(d.consensus.classes.map((c) => c.key)).toEqual([cat.key, dog.key, car.key, bus.key]);
    expect((await desk(item, 'adm')).verdicts).toHaveLength(2);
    expect((await request('ann', 'GET', `/api/items/${item}/desk`)).statusCode).toBe(403);
    expect((await request(null, 'GET', `/api/items/${item}/desk`)).statusCode).toBe(401);
    expect((await request('lea', 'GET', '/api/items/999999/desk')).statusCode).toBe(404);
  });

  it('finalizes a disputed item, overrides it, and keeps every decision with who and when', async () => {
    const p = await newProject();
    const item = await disputeImage5(p);
    const first = await decide('lea', item, { ...finalImage5, note: 'both are in the image' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toEqual({
      sequence: 1,
      kind: 'finalize',
      lead: 'lea',
      final: { labels: { [fox.key]: 'unclear', [car.key]: 'correct', [bus.key]: 'wrong' }, problematic: null, mistakes: { 'model-b': SP } },
      note: 'both are in the image',
      createdAt: new Date(t.clock.now).toISOString(),
    });
    expect(await status(item)).toBe('final');

    // Another lead decides from the same view: refused, nothing written.
    const stale = await decide('leo', item, decision({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_DECISION', currentDecision: 1 });

    const override = await decide('leo', item, decision({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': SP, 'model-b': SP }, { baseDecision: 1, note: 'the fox is the subject' }));
    expect(override.statusCode, override.body).toBe(201);
    expect(override.json()).toMatchObject({ sequence: 2, kind: 'override', lead: 'leo' });

    const d = await desk(item);
    expect(d.decisions.map((x: Decision) => [x.sequence, x.kind, x.lead, x.note])).toEqual([
      [1, 'finalize', 'lea', 'both are in the image'],
      [2, 'override', 'leo', 'the fox is the subject'],
    ]);
    expect(d.decisions[0]!.createdAt < d.decisions[1]!.createdAt).toBe(true);
    expect(d.final).toEqual(d.decisions[1]!.final);
    expect(d.item.status).toBe('final');
  });

  it('overrides an agreed item', async () => {
    const p = await newProject();
    const item = itemOf(p, 2);
    for (const user of ['ann', 'bob', 'cyd']) await judge(user, item, verdict({ cat: 'correct', dog: 'correct' }));
    expect(await status(item)).toBe('agreed');
    const res = await decide('lea', item, decision({ cat: 'correct', dog: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' } }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ kind: 'override', sequence: 1 });
    expect((await desk(item)).final!.labels[dog.key]).toBe('wrong');
  });

  it("keeps a grade's rows of the item browser in the item's status: agreed, final after an override, none once reopened", async () => {
    // item_final_mistakes keeps its item's status (migration 035): the item browser lists a grade's items of one
    // status from it. Each write that moves the status moves the rows' with it.
    const p = await newProject();
    const item = itemOf(p, 3); // Chihuahua; A red fox, B coffee mug
    const grades = () =>
      readRows<{ model: string; severity: string; status: string; itemStatus: string }>(
        t.database,
        `SELECT m.name AS "model", f.severity AS "severity", f.status AS "status", i.status AS "itemStatus"
         FROM item_final_mistakes f JOIN items i ON i.id = f.item_id JOIN models m ON m.id = f.model_id WHERE f.item_id = ? ORDER BY m.name`,
        item,
      );
    for (const user of ['ann', 'bob', 'cyd']) await judge(user, item, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect(await grades()).toEqual([
      { model: 'model-a', severity: 'Major', status: 'agreed', itemStatus: 'agreed' },
      { model: 'model-b', severity: 'Major', status: 'agreed', itemStatus: 'agreed' },
    ]);
    const res = await decide('lea', item, decision({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': { severity: 'Minor', category: 'Fine-grained error' } }));
    expect(res.statusCode, res.body).toBe(201);
    expect(await grades()).toEqual([
      { model: 'model-a', severity: 'Major', status: 'final', itemStatus: 'final' },
      { model: 'model-b', severity: 'Minor', status: 'final', itemStatus: 'final' },
    ]);
    expect((await reopen('lea', item, { baseDecision: 1 })).statusCode).toBe(201);
    expect(await status(item)).toBe('disputed');
    expect(await grades()).toEqual([]);
  });

  it('reopens a final item: disputed until the lead decides again, experts may revise meanwhile', async () => {
    const p = await newProject();
    const item = await disputeImage5(p);
    expect((await decide('lea', item, finalImage5)).statusCode).toBe(201);
    const stale = await reopen('lea', item, { baseDecision: 0 });
    expect(stale.json()).toMatchObject({ code: 'STALE_DECISION', currentDecision: 1 });
    const res = await reopen('lea', item, { baseDecision: 1, note: 'look again at the fox' });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ sequence: 2, kind: 'reopen', lead: 'lea', final: null, note: 'look again at the fox' });
    expect(await status(item)).toBe('disputed');
    expect((await desk(item)).final).toBeNull();

    // The panel revises to agreement; the item still waits for the lead, who reopened it.
    await judge('ann', item, verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { baseRevision: 1 }));
    await judge('cyd', item, verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { baseRevision: 1 }));
    expect((await desk(item)).consensus.status).toBe('agreed');
    expect(await status(item)).toBe('disputed');
    expect((await reopen('lea', item, { baseDecision: 2 })).json()).toMatchObject({ code: 'ITEM_NOT_FINAL' });

    const again = await decide('lea', item, decision({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { baseDecision: 2 }));
    expect(again.json()).toMatchObject({ sequence: 3, kind: 'finalize' });
    expect((await desk(item)).decisions.map((x) => x.kind)).toEqual(['finalize', 'reopen', 'finalize']);
    expect(await status(item)).toBe('final');
  });

  it('reopens an agreed item too', async () => {
    const p = await newProject();
    const item = itemOf(p, 2);
    for (const user of ['ann', 'bob', 'cyd']) await judge(user, item, verdict({ cat: 'correct', dog: 'correct' }));
    expect((await reopen('lea', item, { baseDecision: 0 })).statusCode).toBe(201);
    expect(await status(item)).toBe('disputed');
    await judge('bob', item, verdict({ cat: 'correct', dog: 'unclear' }, {}, { baseRevision: 1 }));
    expect(await status(item)).toBe('disputed');
  });

  it('waits for a complete panel', async () => {
    const p = await newProject();
    const item = itemOf(p, 2);
    await judge('ann', item, verdict({ cat: 'correct', dog: 'correct' }));
    const res = await decide('lea', item, decision({ cat: 'correct', dog: 'correct' }, {}));
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'PANEL_INCOMPLETE', status: 'in_review' });
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM decisions WHERE item_id = ?', item))[0]).toEqual({ n: 0 });
  });

  it('checks a decision like a verdict: 400 with the field, nothing stored', async () => {
    const p = await newProject();
    const item = await disputeImage5(p);
    const cases: [object, string, RegExp][] = [
      [{ ...finalImage5, labels: { ...finalImage5.labels, n99999999: 'correct' } }, 'INVALID_DECISION', /labels\.n99999999: unknown class key/],
      [{ ...finalImage5, mistakes: {} }, 'INVALID_DECISION', /mistakes\.model-b: .*needs a severity/],
      [{ ...finalImage5, mistakes: { 'model-b': { severity: 'Major', category: 'Made up' } } }, 'INVALID_DECISION', /unknown mistake category "Made up"/],
      [{ ...finalImage5, mistakes: { ...finalImage5.mistakes, 'model-z': SP } }, 'INVALID_DECISION', /unknown model "model-z"/],
      [{ ...finalImage5, mistakes: { ...finalImage5.mistakes, 'model-a': SP } }, 'INVALID_DECISION', /model-a.*made no mistake to grade/],
      [{ ...finalImage5, baseDecision: undefined }, 'VALIDATION', /body\.baseDecision/],
      [{ ...finalImage5, labels: { [fox.key]: 'maybe' } }, 'VALIDATION', /body\.labels/],
      [{ ...finalImage5, problematic: { reason: '' } }, 'VALIDATION', /body\.problematic\.reason/],
    ];
    for (const [body, code, message] of cases) {
      const res = await decide('lea', item, body);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toMatchObject({ code, message: expect.stringMatching(message) });
    }
    expect(await status(item)).toBe('disputed');
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM decisions WHERE item_id = ?', item))[0]).toEqual({ n: 0 });
    expect((await decide('lea', 999999, finalImage5)).statusCode).toBe(404);
  });

  it('lets only leads decide and reopen', async () => {
    const p = await newProject();
    const item = await disputeImage5(p);
    for (const user of ['ann', 'adm']) {
      expect((await decide(user, item, finalImage5)).statusCode).toBe(403);
      expect((await reopen(user, item, { baseDecision: 0 })).statusCode).toBe(403);
    }
    expect((await decide('', item, finalImage5)).statusCode).toBe(401);
    expect(await status(item)).toBe('disputed');
  });
});

describe('quorum', () => {
  const patch = (user: string, projectId: number, body: object) => request(user, 'PATCH', `/api/projects/${projectId}/settings`, body);

  it("re-aggregates the project's items when an admin changes it; a lead's decision stands", async () => {
    const p = await newProject();
    const two = itemOf(p, 2);
    // A 2-to-1 panel: agreed under the majority, not under unanimity.
    await judge('ann', two, verdict({ cat: 'correct', dog: 'correct' }));
    await judge('bob', two, verdict({ cat: 'correct', dog: 'correct' }));
    await judge('cyd', two, verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' } }));
    const five = await disputeImage5(p);
    await decide('lea', five, finalImage5);
    const three = itemOf(p, 3);
    await judge('ann', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect([await status(two), await status(five), await status(three)]).toEqual(['agreed', 'final', 'in_review']);

    const res = await patch('adm', p.projectId, { quorum: { kind: 'unanimity' } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ projectId: p.projectId, quorum: { kind: 'unanimity' }, panel: { mode: 'fixed' }, modelEvidence: 'shown', goldRate: 0.05, goldQualification: 0, goldFeedback: false, decoys: 0, aggregation: 'quorum', panelSize: 3, quorumSize: 3, reaggregatedItems: 3, reaggregation: null });
    expect([await status(two), await status(five), await status(three)]).toEqual(['disputed', 'final', 'in_review']);
    expect((await desk(two)).consensus).toMatchObject({ quorum: 3, status: 'disputed' });
    expect((await desk(five)).consensus.quorum).toBe(3);
    const board = (await request('adm', 'GET', `/api/projects/${p.projectId}/dashboard`)).json() as ProjectDashboard;
    expect(board.quorum).toEqual({ kind: 'unanimity' });
    expect(board.progress).toMatchObject({ agreed: 0, disputed: 1, final: 1, inReview: 1 });
    // New verdicts are aggregated with the new quorum too.
    await judge('bob', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    await judge('cyd', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect(await status(three)).toBe('agreed');

    const fraction = await patch('adm', p.projectId, { quorum: { kind: 'fraction', value: 0.5 } });
    expect(fraction.json()).toMatchObject({ quorumSize: 2 });
    expect(await status(two)).toBe('agreed');
  });

  it('is for admins, and validated', async () => {
    const p = await newProject();
    expect((await patch('lea', p.projectId, { quorum: { kind: 'majority' } })).statusCode).toBe(403);
    expect((await patch('ann', p.projectId, { quorum: { kind: 'majority' } })).statusCode).toBe(403);
    for (const body of [{ quorum: { kind: 'fraction', value: 0 } }, { quorum: { kind: 'fraction', value: 1.5 } }, { quorum: { kind: 'most' } }, {}]) {
      const res = await patch('adm', p.projectId, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    }
    expect((await patch('adm', 9999, { quorum: { kind: 'majority' } })).statusCode).toBe(404);
    expect((await readRows(t.database, 'SELECT quorum FROM projects WHERE id = ?', p.projectId))[0]).toEqual({ quorum: '{"kind":"majority"}' });
  });
});
