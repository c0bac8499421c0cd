// The panel is what it says: its size holds when a verdict is written, blind review holds after one's own verdict
// (revisions made after seeing the panel are marked, and agreement is measured on the blind verdicts), a lead who
// saw the panel at the desk does not join it, and a decision is taken on the panel the desk showed.
import type { ClaimResponse, DeskItem, ItemVerdicts, ProjectDashboard, ReviewItem, Verdict } from '@bagel/contracts';
import { countTable, fleissKappa, gwetAC1, krippendorffAlphaNominal } from '@bagel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BagelArchive, bagelArchivePieces } from '../src/features/exports/bagel-archive';
import { projectCatalog } from '../src/features/projects/project-catalog';
import { CLASSES, decision, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};
const USERS = { ann: 'expert', bob: 'expert', cyd: 'expert', dan: 'expert', eve: 'expert', fay: 'expert', gus: 'expert', lea: 'lead', adm: 'admin' } as const;

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of Object.entries(USERS)) {
    await createUser(t.database, name, role, 'panel-test-password');
    cookies[name] = await login(t.app, name, 'panel-test-password');
  }
});
afterAll(() => t.close());

const CLAIM_MS = 20 * 60_000; // the hand project's claim time
const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;
const FG = { severity: 'Minor', category: 'Fine-grained error' } as const;
const { dog, fox, cup } = CLASSES;

let projects = 0;
const newProject = () => seedHandProject(t.database, `panel-${++projects}`);
/** Item id of image n (1-based) of the hand project. */
const itemOf = (p: HandProject, n: number) => p.items[IMAGES[n - 1]!.file]!;

const request = (user: string, method: 'GET' | 'POST', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });
const judge = (user: string, itemId: number, body: object) => request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
const judged = async (user: string, itemId: number, body: object): Promise<Verdict> => {
  const res = await judge(user, itemId, body);
  expect(res.statusCode, `${user}: ${res.body}`).toBe(201);
  return res.json();
};
const next = async (user: string, p: HandProject, after?: number): Promise<ReviewItem | null> => {
  const res = await request(user, 'GET', `/api/projects/${p.projectId}/next${after === undefined ? '' : `?after=${after}`}`);
  expect([200, 204], res.body).toContain(res.statusCode);
  return res.statusCode === 204 ? null : res.json();
};
const claim = (user: string, itemId: number | string) => request(user, 'POST', `/api/items/${itemId}/claim`);
const verdictsOf = async (user: string, itemId: number): Promise<Verdict[]> => {
  const res = await request(user, 'GET', `/api/items/${itemId}/verdicts`);
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as ItemVerdicts).verdicts;
};
const desk = async (itemId: number, user = 'lea'): Promise<DeskItem> => {
  const res = await request(user, 'GET', `/api/items/${itemId}/desk`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const item = async (user: string, itemId: number): Promise<ReviewItem> => (await request(user, 'GET', `/api/items/${itemId}`)).json();
const row = async (itemId: number) => (await readRows<{ status: string; verdict_count: number }>(t.database, 'SELECT status, verdict_count FROM items WHERE id = ?', itemId))[0]!;
const revisionRows = (itemId: number) =>
  readRows(t.database, 'SELECT u.username AS expert, v.revision, v.after_seeing_panel FROM verdicts v JOIN users u ON u.id = v.user_id WHERE v.item_id = ? ORDER BY u.username, v.revision', itemId);
const claimsOn = async (itemId: number) =>
  (await readRows<{ username: string }>(t.database, 'SELECT u.username FROM claims c JOIN users u ON u.id = c.user_id WHERE c.item_id = ? AND c.expires_at > ? ORDER BY u.username', itemId, t.clock.now)).map(
    (r) => r.username,
  );

/** Verdicts on image 5 (red fox; A beach wagon, B school bus) that split the panel three ways: disputed. */
const SPLIT_5 = {
  bob: verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP }),
  cyd: verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }),
  dan: verdict({ fox: 'unclear', car: 'unclear', bus: 'wrong' }, { 'model-b': SP }),
};
/** What the three would agree on with bob and cyd's split: the verdict that would turn image 5 agreed. */
const AGREEING_5 = verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP });

describe('the panel size holds when a verdict is written', () => {
  it('refuses a first verdict on a full panel from an expert who was never handed the item: 409 PANEL_FULL, nothing stored', async () => {
    const p = await newProject();
    const five = itemOf(p, 5);
    for (const [user, body] of Object.entries(SPLIT_5)) await judged(user, five, body);
    expect(await row(five)).toEqual({ status: 'disputed', verdict_count: 3 });

    const res = await judge('eve', five, AGREEING_5);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'PANEL_FULL', panelSize: 3, verdicts: 3, claimedByOthers: 0, message: expect.stringContaining('panel of item') });
    expect(await row(five)).toEqual({ status: 'disputed', verdict_count: 3 });
    expect(await revisionRows(five)).toHaveLength(3);

    // Revising one's own verdict on the full panel stays allowed.
    await judged('dan', five, { ...SPLIT_5.dan, comment: 'on second thought', baseRevision: 1 });
  });

  it('refuses the 4th verdict of an expert whose claim expired, which would have turned a disputed item agreed', async () => {
    const p = await newProject();
    const three = itemOf(p, 3);
    const five = itemOf(p, 5);
    // ann is handed image 3, then claims image 5 ahead; she leaves both for longer than the claim lasts.
    expect((await next('ann', p))!.id).toBe(three);
    expect((await next('ann', p, three))!.id).toBe(five);
    expect(await claimsOn(five)).toEqual(['ann']);
    t.clock.advance(CLAIM_MS + 1);
    expect(await claimsOn(five)).toEqual([]);
    // Her slot is free again: bob, cyd and dan are handed image 5 by the queue and split on it.
    for (const [user, body] of Object.entries(SPLIT_5)) {
      expect((await next(user, p, three))!.id).toBe(five);
      await judged(user, five, body);
    }
    expect(await row(five)).toEqual({ status: 'disputed', verdict_count: 3 });

    // ann comes back and submits what she had: it would make bob's answer the majority, but the panel is full.
    const late = await judge('ann', five, AGREEING_5);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'PANEL_FULL', verdicts: 3 });
    expect(await row(five)).toEqual({ status: 'disputed', verdict_count: 3 });
    expect((await desk(five)).consensus).toMatchObject({ status: 'disputed', verdictCount: 3 });
  });

  it('takes a verdict without a claim while the panel has room, but never into a slot another expert holds with a live claim', async () => {
    const p = await newProject();
    const three = itemOf(p, 3);
    const body = verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP });
    // Two verdicts without any claim: the panel has room for both.
    await judged('ann', three, body);
    await judged('bob', three, body);
    // The last slot: cyd is handed the item and holds it.
    expect((await next('cyd', p))!.id).toBe(three);
    const taken = await judge('dan', three, body);
    expect(taken.statusCode).toBe(409);
    expect(taken.json()).toMatchObject({ code: 'PANEL_FULL', verdicts: 2, claimedByOthers: 1 });
    // The holder of the slot is not refused; once her claim has run out, the slot is anyone's.
    t.clock.advance(CLAIM_MS + 1);
    await judged('dan', three, body);
    const cyd = await judge('cyd', three, body);
    expect(cyd.statusCode).toBe(409);
    expect(cyd.json()).toMatchObject({ code: 'ITEM_FINAL' }); // dan's verdict completed an agreeing panel
  });

  it('checks the room in the writing transaction: of five experts racing for the last slot, exactly one gets it', async () => {
    const p = await newProject();
    const five = itemOf(p, 5);
    await judged('bob', five, SPLIT_5.bob);
    await judged('cyd', five, SPLIT_5.cyd);
    const racers = ['dan', 'eve', 'fay', 'gus', 'ann'];
    const answers = await Promise.all(racers.map((user) => judge(user, five, SPLIT_5.dan)));
    expect(answers.map((r) => r.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    for (const r of answers.filter((a) => a.statusCode === 409)) expect(r.json()).toMatchObject({ code: 'PANEL_FULL' });
    expect((await row(five)).verdict_count).toBe(3);
    expect((await readRows(t.database, 'SELECT count(DISTINCT user_id) AS n FROM verdicts WHERE item_id = ?', five))[0]).toEqual({ n: 3 });
  });
});

describe('POST /api/items/:id/claim', () => {
  it('renews the claim of the expert on the item, and takes it anew once expired while a slot is free', async () => {
    const p = await newProject();
    const first = (await next('ann', p))!;
    const expiry = Date.parse(first.claimExpiresAt!);
    t.clock.advance(15 * 60_000);
    const renewed = await claim('ann', first.id);
    expect(renewed.statusCode, renewed.body).toBe(200);
    expect(renewed.json()).toEqual({ itemId: first.id, claimExpiresAt: new Date(t.clock.now + CLAIM_MS).toISOString(), expiresInSeconds: 1200 } satisfies ClaimResponse);
    expect(Date.parse((renewed.json() as ClaimResponse).claimExpiresAt)).toBeGreaterThan(expiry);
    expect((await item('ann', first.id)).claimExpiresAt).toBe(renewed.json().claimExpiresAt);

    // Expired, then taken again (nobody else took the slot meanwhile).
    t.clock.advance(CLAIM_MS + 1);
    expect((await item('ann', first.id)).claimExpiresAt).toBeNull();
    expect((await claim('ann', first.id)).statusCode).toBe(200);
    expect(await claimsOn(first.id)).toEqual(['ann']);
  });

  it('refuses a new claim on a full panel, a second claim ahead beyond two, a judged or final item; 400, 403, 404 as usual', async () => {
    const p = await newProject();
    const five = itemOf(p, 5);
    for (const user of ['bob', 'cyd']) await judged(user, five, SPLIT_5[user as 'bob' | 'cyd']);
    // dan holds the last slot; ann holds none.
    expect((await next('dan', p, itemOf(p, 3)))!.id).toBe(five);
    const full = await claim('ann', five);
    expect(full.statusCode).toBe(409);
    expect(full.json()).toMatchObject({ code: 'PANEL_FULL', verdicts: 2, claimedByOthers: 1 });
    expect((await claim('dan', five)).statusCode).toBe(200); // renewing his own is always allowed

    // Two claims at most, as `next` gives them (the item judged and the one claimed ahead): image 3, then image 2
    // (image 5 is full).
    const a = (await next('eve', p))!;
    const b = (await next('eve', p, a.id))!;
    expect([a.id, b.id]).toEqual([itemOf(p, 3), itemOf(p, 2)]);
    const tooMany = await claim('eve', itemOf(p, 6));
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json()).toMatchObject({ code: 'TOO_MANY_CLAIMS' });

    await judged('dan', five, SPLIT_5.dan);
    expect((await claim('dan', five)).json()).toMatchObject({ code: 'ALREADY_JUDGED' });
    const six = itemOf(p, 6);
    for (const user of ['ann', 'bob', 'cyd']) await judged(user, six, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }));
    expect((await claim('fay', six)).json()).toMatchObject({ code: 'ITEM_FINAL' });

    expect((await claim('adm', five)).statusCode).toBe(403);
    expect((await claim('ann', 987654)).statusCode).toBe(404);
    expect((await claim('ann', 'abc')).statusCode).toBe(400);
  });
});

describe('blind review after one’s own verdict', () => {
  it('marks a copy made after reading the panel, and measures agreement on the blind verdicts while the final labels follow the current ones', async () => {
    const p = await newProject();
    const three = itemOf(p, 3); // Chihuahua; A red fox, B coffee mug
    await judged('bob', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    await judged('cyd', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': SP }));
    // A revision made before seeing anything stays blind.
    const blindRevision = await judged('cyd', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': SP }, { comment: 'second look', baseRevision: 1 }));
    expect(blindRevision.afterSeeingPanel).toBe(false);

    // ann puts in a placeholder (every top-1 correct, flagged) to be let in, which disputes the item...
    const placeholder = await judged('ann', three, verdict({ dog: 'correct', fox: 'correct', cup: 'correct' }, {}, { problematic: { reason: 'placeholder' } }));
    expect(placeholder.afterSeeingPanel).toBe(false);
    expect((await row(three)).status).toBe('disputed');
    expect((await item('ann', three)).panelSeenAt).toBeNull();
    // ...reads the panel (allowed once her own verdict is in: recorded)...
    const seen = await verdictsOf('ann', three);
    expect(seen.map((v) => v.expert)).toEqual(['ann', 'bob', 'cyd']);
    expect((await item('ann', three)).panelSeenAt).toBe(new Date(t.clock.now).toISOString());
    // ...and copies bob's: the revision is stored, marked, and the panel now agrees on bob's labels.
    t.clock.advance(60_000);
    const copy = await judged('ann', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }, { baseRevision: 1 }));
    expect(copy).toMatchObject({ revision: 2, afterSeeingPanel: true });
    expect((await row(three)).status).toBe('agreed');
    expect(await revisionRows(three)).toEqual([
      { expert: 'ann', revision: 1, after_seeing_panel: 0 },
      { expert: 'ann', revision: 2, after_seeing_panel: 1 },
      { expert: 'bob', revision: 1, after_seeing_panel: 0 },
      { expert: 'cyd', revision: 1, after_seeing_panel: 0 },
      { expert: 'cyd', revision: 2, after_seeing_panel: 0 },
    ]);
    expect((await verdictsOf('lea', three)).map((v) => [v.expert, v.revision, v.afterSeeingPanel])).toEqual([
      ['ann', 2, true],
      ['bob', 1, false],
      ['cyd', 2, false],
    ]);
    const d = await desk(three);
    expect(d.final?.labels).toEqual({ [dog.key]: 'correct', [fox.key]: 'wrong', [cup.key]: 'wrong' });

    // Agreement over the blind verdicts: ann's placeholder, bob's, cyd's second look. On the current verdicts the
    // panel would be unanimous (kappa 1); ann would agree with the final labels 3 times out of 3, not once.
    const blindUnits = [
      ['correct', 'correct', 'correct'],
      ['correct', 'wrong', 'wrong'],
      ['correct', 'wrong', 'wrong'],
    ] as const;
    const dashboard = async (): Promise<ProjectDashboard> => {
      const res = await request('lea', 'GET', `/api/projects/${p.projectId}/dashboard`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    const figures = await dashboard();
    const kappa = fleissKappa(countTable(blindUnits, ['correct', 'wrong', 'unclear'])).kappa!;
    expect(kappa).toBeLessThan(1);
    expect(figures.agreement).toEqual({
      fleissKappa: expect.closeTo(kappa, 12),
      krippendorffAlpha: expect.closeTo(krippendorffAlphaNominal(blindUnits).alpha!, 12),
      gwetAC1: expect.closeTo(gwetAC1(countTable(blindUnits, ['correct', 'wrong', 'unclear'])).ac1!, 12),
      units: 3,
      revisionsAfterSeeingPanel: 1,
    });
    expect(figures.experts).toEqual([
      { expert: 'ann', verdicts: 1, agreementWithFinal: 1 / 3, comparedJudgements: 3, revisionsAfterSeeingPanel: 1 },
      { expert: 'bob', verdicts: 1, agreementWithFinal: 1, comparedJudgements: 3, revisionsAfterSeeingPanel: 0 },
      { expert: 'cyd', verdicts: 1, agreementWithFinal: 1, comparedJudgements: 3, revisionsAfterSeeingPanel: 0 },
    ]);

    // A whole re-aggregation (a quorum change: the range path) gives the same figures.
    const settings = await t.app.inject({
      method: 'PATCH',
      url: `/api/projects/${p.projectId}/settings`,
      headers: { cookie: cookies.adm! },
      payload: { quorum: { kind: 'majority' } },
    });
    expect(settings.statusCode, settings.body).toBe(200);
    expect({ ...(await dashboard()), generatedAt: '' }).toEqual({ ...figures, generatedAt: '' });

    // The archive marks each revision.
    const pieces: string[] = [];
    for await (const piece of bagelArchivePieces(t.database.queries, (await projectCatalog(t.database).get(p.projectId))!, new Date(t.clock.now).toISOString())) pieces.push(piece);
    const archive = BagelArchive.parse(JSON.parse(pieces.join('')));
    const archived = archive.items.find((i) => i.itemId === three)!.verdicts.map((v) => [v.expert, v.revision, v.afterSeeingPanel]);
    expect(archived).toEqual([
      ['ann', 1, false],
      ['ann', 2, true],
      ['bob', 1, false],
      ['cyd', 1, false],
      ['cyd', 2, false],
    ]);
  });

  it('records nothing for an expert who reads an answer holding only their own verdict, nor for an admin', async () => {
    const p = await newProject();
    const five = itemOf(p, 5);
    await judged('bob', five, SPLIT_5.bob);
    expect(await verdictsOf('bob', five)).toHaveLength(1);
    expect(await verdictsOf('adm', five)).toHaveLength(1);
    await judged('cyd', five, SPLIT_5.cyd);
    expect(await verdictsOf('adm', five)).toHaveLength(2);
    await desk(five, 'adm');
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM panel_views WHERE item_id = ?', five))[0]).toEqual({ n: 0 });
    expect((await judged('bob', five, { ...SPLIT_5.bob, baseRevision: 1 })).afterSeeingPanel).toBe(false);
  });
});

describe('a lead who saw the panel at the desk does not join it', () => {
  it('is not handed the item by `next` (a claim held on it is given back) and cannot post a first verdict on it: 409 PANEL_SEEN', async () => {
    const p = await newProject();
    const three = itemOf(p, 3);
    await judged('bob', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    // The lead is handed image 3 as a panelist, then opens it at the desk.
    expect((await next('lea', p))!.id).toBe(three);
    expect(await claimsOn(three)).toEqual(['lea']);
    await desk(three);
    expect(await claimsOn(three)).toEqual([]);
    expect((await readRows(t.database, "SELECT via FROM panel_views WHERE item_id = ? AND user_id = (SELECT id FROM users WHERE username = 'lea')", three))[0]).toEqual({ via: 'desk' });

    // The queue now hands the lead the next items instead (image 3 came first by priority).
    const handed = (await next('lea', p))!;
    const ahead = (await next('lea', p, handed.id))!;
    expect([handed.id, ahead.id]).toEqual([itemOf(p, 5), itemOf(p, 2)]);

    const refused = await judge('lea', three, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'PANEL_SEEN' });
    expect((await claim('lea', three)).json()).toMatchObject({ code: 'PANEL_SEEN' });
    expect((await row(three)).verdict_count).toBe(1);
  });

  it('reading the panel through the verdicts route counts the same', async () => {
    const p = await newProject();
    const six = itemOf(p, 6);
    await judged('bob', six, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }));
    expect(await verdictsOf('lea', six)).toHaveLength(1);
    expect((await judge('lea', six, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }))).json()).toMatchObject({ code: 'PANEL_SEEN' });
    // On an item whose panel the lead never saw, the lead's verdict counts like an expert's.
    const two = itemOf(p, 2);
    expect((await judged('lea', two, verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': FG }))).afterSeeingPanel).toBe(false);
  });
});

describe('a decision is taken on the panel the desk showed', () => {
  it('answers 409 STALE_DESK when a revision landed after the desk was loaded; the reloaded desk decides', async () => {
    const p = await newProject();
    const five = itemOf(p, 5);
    for (const [user, body] of Object.entries(SPLIT_5)) await judged(user, five, body);
    const loaded = await desk(five);
    expect(loaded.panelVersion).toBe(3);

    // While the lead looks, cyd revises (the item is disputed, so revisions are open).
    await judged('cyd', five, { ...SPLIT_5.cyd, comment: 'the wagon fills the frame', baseRevision: 1 });
    const final = decision({ fox: 'unclear', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { basePanelVersion: loaded.panelVersion });
    const stale = await request('lea', 'POST', `/api/items/${five}/decisions`, final);
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_DESK', currentPanelVersion: 4, message: expect.stringContaining('changed after your desk was loaded') });
    expect((await row(five)).status).toBe('disputed');
    expect((await readRows(t.database, 'SELECT count(*) AS n FROM decisions WHERE item_id = ?', five))[0]).toEqual({ n: 0 });

    const reloaded = await desk(five);
    expect(reloaded.panelVersion).toBe(4);
    expect(reloaded.verdicts.find((v) => v.expert === 'cyd')).toMatchObject({ revision: 2, comment: 'the wagon fills the frame' });
    const decided = await request('lea', 'POST', `/api/items/${five}/decisions`, { ...final, basePanelVersion: reloaded.panelVersion });
    expect(decided.statusCode, decided.body).toBe(201);
    expect((await row(five)).status).toBe('final');

    // An override is checked the same way; the version is required.
    const missing = await request('lea', 'POST', `/api/items/${five}/decisions`, { ...final, baseDecision: 1, basePanelVersion: undefined });
    expect(missing.statusCode).toBe(400);
    expect(missing.json()).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('basePanelVersion') });
    const override = await request('lea', 'POST', `/api/items/${five}/decisions`, { ...final, baseDecision: 1, basePanelVersion: 3 });
    expect(override.json()).toMatchObject({ code: 'STALE_DESK' });
  });
});
