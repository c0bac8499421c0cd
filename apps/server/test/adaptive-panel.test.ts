// The project setting `panel` (docs/AGGREGATION.md, "Adaptive panels"): under `{"mode": "adaptive", "min": 2,
// "max": 4}` an item is final as soon as its verdicts settle it (2 of 2 agreeing), gets one more expert at a time while
// they do not, and goes to the lead when still disputed at max. The queue, the slots a first verdict or a claim needs,
// the statuses and the project's counts follow the policy; a change of it re-aggregates as a quorum change does.
import type { ItemVerdicts, ProjectDashboard, ProjectList, ProjectSettings, ProjectSummary, ReviewItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSES, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};
const USERS = { ann: 'expert', bob: 'expert', cyd: 'expert', dan: 'expert', eve: 'expert', lea: 'lead', adm: 'admin' } as const;

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of Object.entries(USERS)) {
    await createUser(t.database, name, role, 'adaptive-test-password');
    cookies[name] = await login(t.app, name, 'adaptive-test-password');
  }
});
afterAll(() => t.close());

const FG = { severity: 'Minor', category: 'Fine-grained error' } as const;
const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;

/** What every expert says of images 2, 3 and 6 (the hand project's other items): the panel agrees on them. */
const AGREED = {
  2: verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': FG }),
  3: verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': SP }),
  6: verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }),
} as const;
/** Image 5 (red fox; A beach wagon, B school bus): the fox, or the wagon. */
const FOX = verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP });
const WAGON = verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP });

const ADAPTIVE = { mode: 'adaptive', min: 2, max: 4 } as const;

let projects = 0;
const newProject = () => seedHandProject(t.database, `adaptive-${++projects}`);
const itemOf = (p: HandProject, n: 2 | 3 | 5 | 6) => p.items[IMAGES[n - 1]!.file]!;

const request = (user: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });
const patch = (p: HandProject, body: object, user = 'adm') => request(user, 'PATCH', `/api/projects/${p.projectId}/settings`, body);
const setPanel = async (p: HandProject, panel: object): Promise<ProjectSettings> => {
  const res = await patch(p, { panel });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const judged = async (user: string, itemId: number, body: object) => {
  const res = await request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
  expect(res.statusCode, `${user}: ${res.body}`).toBe(201);
};
/** The item `next` hands the user (claimed for them), or null when the queue has nothing for them. */
const next = async (user: string, p: HandProject): Promise<number | null> => {
  const res = await request(user, 'GET', `/api/projects/${p.projectId}/next`);
  expect([200, 204], res.body).toContain(res.statusCode);
  return res.statusCode === 204 ? null : (res.json() as ReviewItem).id;
};
const claim = (user: string, itemId: number) => request(user, 'POST', `/api/items/${itemId}/claim`);
const statusOf = async (itemId: number) => (await readRows<{ status: string }>(t.database, 'SELECT status FROM items WHERE id = ?', itemId))[0]!.status;
const statuses = async (p: HandProject) => Object.fromEntries(await Promise.all(([2, 3, 5, 6] as const).map(async (n) => [n, await statusOf(itemOf(p, n))])));
const summary = async (p: HandProject, user: string): Promise<ProjectSummary> => {
  const res = await request(user, 'GET', '/api/projects');
  expect(res.statusCode, res.body).toBe(200);
  return (res.json() as ProjectList).projects.find((s) => s.id === p.projectId)!;
};
const dashboard = async (p: HandProject): Promise<ProjectDashboard> => {
  const res = await request('lea', 'GET', `/api/projects/${p.projectId}/dashboard`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const finalOf = async (itemId: number) => (await readRows<{ final: string | null }>(t.database, 'SELECT final FROM item_consensus WHERE item_id = ?', itemId))[0]?.final ?? null;

/** ann and bob judge every item: they agree on images 2, 3 and 6, and on image 5 ann says fox, bob wagon. */
async function twoVerdictsEach(p: HandProject): Promise<void> {
  for (const n of [2, 3, 6] as const) for (const user of ['ann', 'bob']) await judged(user, itemOf(p, n), AGREED[n]);
  await judged('ann', itemOf(p, 5), FOX);
  await judged('bob', itemOf(p, 5), WAGON);
}

describe('an adaptive panel (min 2, max 4)', () => {
  it('makes an item agreed on two agreeing verdicts, with its labels final, and the queue stops handing it', async () => {
    const p = await newProject();
    const settings = await setPanel(p, ADAPTIVE);
    expect(settings).toMatchObject({ projectId: p.projectId, panel: ADAPTIVE, quorum: { kind: 'majority' }, panelSize: 3 });
    await twoVerdictsEach(p);

    expect(await statuses(p)).toEqual({ 2: 'agreed', 3: 'agreed', 5: 'in_review', 6: 'agreed' });
    // The agreed items' labels are final: the two verdicts' judgements.
    expect(JSON.parse((await finalOf(itemOf(p, 6)))!)).toMatchObject({ labels: { [CLASSES.cup.key]: 'correct', [CLASSES.bus.key]: 'wrong' }, problematic: null });
    expect(await finalOf(itemOf(p, 5))).toBeNull();

    // A third expert is handed image 5 only; the agreed items take no claim and no verdict.
    expect(await next('cyd', p)).toBe(itemOf(p, 5));
    const refused = await claim('dan', itemOf(p, 6));
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'ITEM_FINAL' });
    const late = await request('dan', 'POST', `/api/items/${itemOf(p, 6)}/verdicts`, AGREED[6]);
    expect(late.statusCode).toBe(409);
    expect(late.json()).toMatchObject({ code: 'ITEM_FINAL' });

    // The projects list and the dashboard say so: three items need no more experts, one is left for dan (held by cyd).
    const mine = await summary(p, 'dan');
    expect(mine.panel).toEqual(ADAPTIVE);
    expect(mine.counts).toMatchObject({ items: 4, itemsComplete: 3, leftForMe: 1 });
    const figures = await dashboard(p);
    expect(figures.panel).toEqual(ADAPTIVE);
    expect(figures.progress).toMatchObject({ agreed: 3, inReview: 1, disputed: 0, verdicts: 8 });
  });

  it('hands a disputed item to one more expert at a time, and to the lead when still disputed at max', async () => {
    const p = await newProject();
    await setPanel(p, ADAPTIVE);
    await twoVerdictsEach(p);
    const five = itemOf(p, 5);

    // One more slot: cyd takes it, and dan finds the panel full until cyd's verdict is in (by claim, by `next`, or
    // by a verdict without a claim).
    expect(await next('cyd', p)).toBe(five);
    const full = await claim('dan', five);
    expect(full.statusCode).toBe(409);
    expect(full.json()).toMatchObject({ code: 'PANEL_FULL', verdicts: 2, claimedByOthers: 1 });
    expect(await next('dan', p)).toBeNull();
    const unclaimed = await request('dan', 'POST', `/api/items/${five}/verdicts`, FOX);
    expect(unclaimed.statusCode).toBe(409);
    expect(unclaimed.json()).toMatchObject({ code: 'PANEL_FULL' });
    // Blind review: dan, who has no verdict on it, sees none of the panel's.
    expect(((await request('dan', 'GET', `/api/items/${five}/verdicts`)).json() as ItemVerdicts).verdicts).toEqual([]);

    // 2 of 3 is no settlement (it needs 3 of 3, or 3 of 4): a fourth expert.
    await judged('cyd', five, FOX);
    expect(await statusOf(five)).toBe('in_review');
    expect(await next('dan', p)).toBe(five);
    expect(await next('eve', p)).toBeNull();

    // 2-2 at max: the lead's.
    await judged('dan', five, WAGON);
    expect(await statusOf(five)).toBe('disputed');
    expect(await next('eve', p)).toBeNull();
    const closed = await request('eve', 'POST', `/api/items/${five}/verdicts`, FOX);
    expect(closed.statusCode).toBe(409);
    expect(closed.json()).toMatchObject({ code: 'PANEL_FULL', verdicts: 4 });
    const desk = await request('lea', 'GET', `/api/items/${five}/desk`);
    expect(desk.statusCode, desk.body).toBe(200);
    expect(desk.json().consensus).toMatchObject({ status: 'disputed', verdictCount: 4, panelSize: 4, quorum: 3 });
    expect((await dashboard(p)).progress).toMatchObject({ agreed: 3, inReview: 0, disputed: 1, verdicts: 10 });
  });

  it('makes 3 of 4 agreed at max', async () => {
    const p = await newProject();
    await setPanel(p, ADAPTIVE);
    await twoVerdictsEach(p);
    const five = itemOf(p, 5);
    await judged('cyd', five, FOX);
    await judged('dan', five, FOX);
    expect(await statusOf(five)).toBe('agreed');
    expect(JSON.parse((await finalOf(five))!).labels).toMatchObject({ [CLASSES.fox.key]: 'correct', [CLASSES.car.key]: 'wrong' });
  });
});

describe('the setting', () => {
  it('is for admins, validated at the edge, and leaves the stored policy alone when refused', async () => {
    const p = await newProject();
    expect((await patch(p, { panel: ADAPTIVE }, 'lea')).statusCode).toBe(403);
    expect((await patch(p, { panel: ADAPTIVE }, 'ann')).statusCode).toBe(403);
    for (const panel of [
      { mode: 'adaptive', min: 1, max: 4 },
      { mode: 'adaptive', min: 3, max: 2 },
      { mode: 'adaptive', min: 2, max: 51 },
      { mode: 'adaptive', min: 2 },
      { mode: 'adaptive', min: 2.5, max: 4 },
      { mode: 'fixed', size: 4 },
      { mode: 'open' },
    ]) {
      const res = await patch(p, { panel });
      expect(res.statusCode, JSON.stringify(panel)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    }
    expect((await patch(p, {})).statusCode).toBe(400);
    expect(await readRows(t.database, 'SELECT panel, quorum FROM projects WHERE id = ?', p.projectId)).toEqual([{ panel: '{"mode":"fixed"}', quorum: '{"kind":"majority"}' }]);

    // The quorum and the panel together; either alone leaves the other as it is.
    const both = await patch(p, { quorum: { kind: 'unanimity' }, panel: { mode: 'adaptive', min: 2, max: 50 } });
    expect(both.statusCode, both.body).toBe(200);
    expect(both.json()).toMatchObject({ quorum: { kind: 'unanimity' }, panel: { mode: 'adaptive', min: 2, max: 50 }, quorumSize: 3 });
    expect((await patch(p, { quorum: { kind: 'majority' } })).json()).toMatchObject({ quorum: { kind: 'majority' }, panel: { mode: 'adaptive', min: 2, max: 50 } });
    expect((await patch(p, { panel: { mode: 'fixed' } })).json()).toMatchObject({ quorum: { kind: 'majority' }, panel: { mode: 'fixed' } });
  });

  it('re-aggregates the judged items when it changes, fixed to adaptive and back, and the queue follows', async () => {
    const p = await newProject();
    // Fixed panel of 3: ann, bob and cyd agree on images 2, 3, 6, and image 5 is a 2-1 majority: every item agreed.
    for (const n of [2, 3, 6] as const) for (const user of ['ann', 'bob', 'cyd']) await judged(user, itemOf(p, n), AGREED[n]);
    const five = itemOf(p, 5);
    await judged('ann', five, FOX);
    await judged('bob', five, WAGON);
    await judged('cyd', five, FOX);
    expect(await statuses(p)).toEqual({ 2: 'agreed', 3: 'agreed', 5: 'agreed', 6: 'agreed' });
    const fixedFinal = await finalOf(five);
    expect(await next('dan', p)).toBeNull();

    // Adaptive 2-4: 3 of 3 settles images 2, 3, 6; 2 of 3 does not: image 5 is back in review, its labels no longer
    // final, and its panel takes a fourth expert.
    const toAdaptive = await setPanel(p, ADAPTIVE);
    expect(toAdaptive).toMatchObject({ panel: ADAPTIVE, reaggregatedItems: 4, reaggregation: null });
    expect(await statuses(p)).toEqual({ 2: 'agreed', 3: 'agreed', 5: 'in_review', 6: 'agreed' });
    expect(await finalOf(five)).toBeNull();
    expect(await next('dan', p)).toBe(five);
    expect((await dashboard(p)).progress).toMatchObject({ agreed: 3, inReview: 1 });

    // Back to fixed: image 5's 2-1 majority of a panel of 3 is agreed again with the same labels, and its panel is
    // complete (dan's claim gives him no place on it).
    const toFixed = await setPanel(p, { mode: 'fixed' });
    expect(toFixed).toMatchObject({ panel: { mode: 'fixed' }, reaggregatedItems: 4, reaggregation: null });
    expect(await statuses(p)).toEqual({ 2: 'agreed', 3: 'agreed', 5: 'agreed', 6: 'agreed' });
    expect(await finalOf(five)).toBe(fixedFinal);
    expect(await next('eve', p)).toBeNull();
    expect((await request('dan', 'POST', `/api/items/${five}/verdicts`, FOX)).json()).toMatchObject({ code: 'ITEM_FINAL' });
  });

  it('moves disputed items of a fixed panel back to review under an adaptive one, and takes them out again', async () => {
    const p = await newProject();
    // Fixed panel of 3, quorum unanimity: image 5's 2-1 is disputed, the lead's.
    expect((await patch(p, { quorum: { kind: 'unanimity' } })).statusCode).toBe(200);
    const five = itemOf(p, 5);
    await judged('ann', five, FOX);
    await judged('bob', five, WAGON);
    await judged('cyd', five, FOX);
    expect(await statusOf(five)).toBe('disputed');
    expect(await next('dan', p)).not.toBe(five);

    // Adaptive 2-4 under unanimity: 3 verdicts that disagree ask a fourth expert, whose verdict ends it at max.
    await setPanel(p, ADAPTIVE);
    expect(await statusOf(five)).toBe('in_review');
    expect(await claim('eve', five)).toMatchObject({ statusCode: 200 });
    await judged('eve', five, FOX);
    expect(await statusOf(five)).toBe('disputed');
    expect((await readRows<{ verdict_count: number; panel_complete: number }>(t.database, 'SELECT verdict_count, panel_complete FROM items WHERE id = ?', five))[0]).toEqual({
      verdict_count: 4,
      panel_complete: 1,
    });
  });
});
