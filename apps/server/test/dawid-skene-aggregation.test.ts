// The project setting `aggregation` (docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel"): under
// `dawid-skene` each class of an item is decided by its posterior P(present) under the experts' confusion matrices
// (correct at or above 0.8, wrong at or below 0.2, the lead's between); the matrices are estimated by EM in the
// background and put in force with a re-aggregation; a verdict recomputes its own item's posteriors with the matrices
// in force. On both engines.
import type { AggregationModel, DeskItem, ProjectDashboard, ProjectList, ProjectSettings } from '@bagel/contracts';
import { classPosterior, estimatePanelModel, PRIOR_GROUP, type ClassAnswer, type PanelConfusionModel, type PanelItemJudgements } from '@bagel/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConfusionEstimation } from '../src/features/consensus/confusion-estimation';
import { createConfusionRepository } from '../src/features/consensus/confusion.repository';
import { createConsensusService } from '../src/features/consensus/consensus.service';
import { CLASSES, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};
const USERS = { ann: 'expert', bob: 'expert', cyd: 'expert', lea: 'lead', adm: 'admin' } as const;
const userIds: Record<string, number> = {};

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of Object.entries(USERS)) {
    await createUser(t.database, name, role, 'dawid-skene-test-password');
    cookies[name] = await login(t.app, name, 'dawid-skene-test-password');
  }
  for (const row of await readRows<{ id: number; username: string }>(t.database, 'SELECT id, username FROM users')) userIds[row.username] = Number(row.id);
});
afterAll(() => t.close());

const FG = { severity: 'Minor', category: 'Fine-grained error' } as const;
const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;
/** What every expert says of images 2, 3 and 6: the panel agrees on them. */
const AGREED = {
  2: verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': FG }),
  3: verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': SP }),
  6: verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }),
} as const;
/** Image 5 (original label red fox; model A says beach wagon, model B school bus): the fox, or the wagon. */
const FOX = verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP });
const WAGON = verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP });

let projects = 0;
const newProject = () => seedHandProject(t.database, `dawid-skene-${++projects}`);
const itemOf = (p: HandProject, n: 2 | 3 | 5 | 6) => p.items[IMAGES[n - 1]!.file]!;

const request = (user: string, method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });
const setAggregation = async (p: HandProject, aggregation: string): Promise<ProjectSettings> => {
  const res = await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { aggregation });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const judged = async (user: string, itemId: number, body: object) => {
  const res = await request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
  expect(res.statusCode, `${user}: ${res.body}`).toBe(201);
};
const statusOf = async (itemId: number) => (await readRows<{ status: string }>(t.database, 'SELECT status FROM items WHERE id = ?', itemId))[0]!.status;
const desk = async (itemId: number): Promise<DeskItem> => {
  const res = await request('lea', 'GET', `/api/items/${itemId}/desk`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const model = async (p: HandProject, user = 'lea'): Promise<AggregationModel> => {
  const res = await request(user, 'GET', `/api/projects/${p.projectId}/aggregation`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
/** The background's work done: the estimation, then the re-aggregation it starts. */
const settled = async () => {
  await t.app.estimation.idle();
  await t.app.reaggregation.idle();
};

/** ann and bob judge every item alike; on image 5 ann and bob say wagon, cyd fox (a 2–1 majority for the wagon). */
async function threeVerdictsEach(p: HandProject): Promise<void> {
  for (const n of [2, 3, 6] as const) for (const user of ['ann', 'bob', 'cyd']) await judged(user, itemOf(p, n), AGREED[n]);
  await judged('ann', itemOf(p, 5), WAGON);
  await judged('bob', itemOf(p, 5), WAGON);
  await judged('cyd', itemOf(p, 5), FOX);
}

/** The reported model as core's, experts named by username (the answers below name them so too). */
const coreModel = (report: AggregationModel): PanelConfusionModel => ({
  priors: [report.priors.originalLabel, report.priors.otherClasses],
  experts: new Map(report.experts.map((e) => [e.expert, [e.absent.wrong, e.absent.unclear, e.absent.correct, e.present.wrong, e.present.unclear, e.present.correct]])),
});

/** Puts a model in force as an estimation would, and re-aggregates the project under it. */
async function putInForce(p: HandProject, priors: [number, number], rows: Record<string, number[]>): Promise<void> {
  const experts = new Map(Object.entries(rows).map(([name, r]) => [String(userIds[name]), r]));
  await t.database.write((trx) =>
    createConfusionRepository(trx).publish(p.projectId, { priors, experts }, { judgements: new Map(), fixedRows: new Map(), passes: 1, converged: true, questions: 0, verdicts: 12, now: '2025-01-01T00:00:00.000Z' }),
  );
  await createConsensusService(t.database).reaggregateProject(p.projectId, '2025-01-01T00:00:00.000Z');
}

describe('the aggregation setting', () => {
  it('is validated, for admins only; the model is read by leads and admins; quorum by default', async () => {
    const p = await newProject();
    for (const body of [{ aggregation: 'bayes' }, { aggregation: null }, { aggregation: 'dawid-skene', stray: 1 }]) {
      const res = await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    }
    expect((await request('lea', 'PATCH', `/api/projects/${p.projectId}/settings`, { aggregation: 'dawid-skene' })).statusCode).toBe(403);
    expect((await request('ann', 'GET', `/api/projects/${p.projectId}/aggregation`)).statusCode).toBe(403);
    expect((await request('lea', 'POST', `/api/projects/${p.projectId}/aggregation/estimate`)).statusCode).toBe(403);
    expect((await request('adm', 'GET', `/api/projects/999999/aggregation`)).statusCode).toBe(404);
    // Under the quorum there is nothing to estimate.
    const refused = await request('adm', 'POST', `/api/projects/${p.projectId}/aggregation/estimate`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'NOT_DAWID_SKENE' });

    const initial = await model(p, 'adm');
    expect(initial).toMatchObject({ aggregation: 'quorum', band: { low: 0.2, high: 0.8 }, priors: { originalLabel: 0.5, otherClasses: 0.5 }, experts: [], estimated: null, estimation: null });
    expect(initial.priorRows.absent.wrong).toBeCloseTo(0.8, 12);
    const list = (await request('lea', 'GET', '/api/projects')).json() as ProjectList;
    expect(list.projects.find((s) => s.id === p.projectId)!.aggregation).toBe('quorum');
  });

  it('re-aggregates on change, estimates the matrices in the background and puts them in force, and goes back to the quorum', async () => {
    const p = await newProject();
    await threeVerdictsEach(p);
    const five = itemOf(p, 5);
    // The quorum: 2 of 3 for the wagon.
    expect(await statusOf(five)).toBe('agreed');
    expect((await desk(five)).consensus.classes.every((c) => c.posterior === undefined)).toBe(true);

    const settings = await setAggregation(p, 'dawid-skene');
    expect(settings).toMatchObject({ aggregation: 'dawid-skene', reaggregatedItems: 4, reaggregation: null, quorum: { kind: 'majority' } });
    await settled();

    // The estimation ran to its end: one model, read from every current verdict (10 class judgements per expert).
    const estimated = await model(p);
    expect(estimated.aggregation).toBe('dawid-skene');
    expect(estimated.estimation).toBeNull();
    expect(estimated.estimated).toMatchObject({ converged: true, questions: 10, verdicts: 12 });
    expect(estimated.estimated!.passes).toBeGreaterThanOrEqual(2);
    expect(estimated.experts.map((e) => [e.expert, e.judgements])).toEqual([['ann', 10], ['bob', 10], ['cyd', 10]]);
    for (const e of estimated.experts) {
      for (const row of [e.absent, e.present]) expect(row.wrong + row.unclear + row.correct).toBeCloseTo(1, 12);
      expect(e.fixedByGold).toEqual({ absent: false, present: false });
    }

    // The desk shows each class's posterior beside the votes: core's posterior under the reported model.
    const shown = await desk(five);
    const answers = (key: string): ClassAnswer[] =>
      (['ann', 'bob', 'cyd'] as const).map((expert) => ({ expert, judgement: (expert === 'cyd' ? FOX : WAGON).labels[key]! }));
    const m = coreModel(estimated);
    for (const c of shown.consensus.classes) {
      const group = c.key === CLASSES.fox.key ? PRIOR_GROUP.original : PRIOR_GROUP.other;
      const expected = classPosterior(m, group, answers(c.key));
      expect(c.posterior).toBeCloseTo(expected, 10);
      // Decided by the band.
      if (expected >= 0.8) expect([c.decision, c.reached]).toEqual(['correct', true]);
      else if (expected <= 0.2) expect([c.decision, c.reached]).toEqual(['wrong', true]);
      else expect(c.reached).toBe(false);
    }
    expect(await statusOf(five)).toBe(shown.consensus.classes.every((c) => c.reached) ? 'agreed' : 'disputed');

    // Nothing due again without new verdicts; on request, an estimation from the model in force, which ends where it began.
    await t.app.estimation.checkDue();
    expect((await model(p)).estimation).toBeNull();
    const started = await request('adm', 'POST', `/api/projects/${p.projectId}/aggregation/estimate`);
    expect(started.statusCode, started.body).toBe(200);
    expect((started.json() as AggregationModel).estimation).toMatchObject({ pass: 1, total: 4 });
    await settled();
    const again = await model(p);
    expect(again.estimation).toBeNull();
    again.experts.forEach((e, i) => expect(e.present.correct).toBeCloseTo(estimated.experts[i]!.present.correct, 3));

    // The dashboard says which aggregation is in force.
    expect(((await request('lea', 'GET', `/api/projects/${p.projectId}/dashboard`)).json() as ProjectDashboard).aggregation).toBe('dawid-skene');

    // Back to the quorum: re-aggregated at once, no posterior, the wagon's 2 of 3 agreed.
    expect(await setAggregation(p, 'quorum')).toMatchObject({ aggregation: 'quorum', reaggregatedItems: 4 });
    expect(await statusOf(five)).toBe('agreed');
    expect((await desk(five)).consensus.classes.every((c) => c.posterior === undefined)).toBe(true);
  });

  it("decides with the matrices in force, and a verdict recomputes its own item's posteriors", async () => {
    const p = await newProject();
    await threeVerdictsEach(p);
    const five = itemOf(p, 5);
    await setAggregation(p, 'dawid-skene');
    await settled();
    // A model whose class priors say an original label is mostly present (0.9) and another class mostly not (0.1),
    // every expert right 80% of the time: a 2–1 majority multiplies the odds by 8 only.
    const prior = [0.8, 0.1, 0.1, 0.1, 0.1, 0.8];
    await putInForce(p, [0.9, 0.1], { ann: prior, bob: prior, cyd: prior });

    // The wagon (another class) with 2 of 3: odds 1/9 × 8, posterior 0.47; the fox (the original label) with 1 of 3:
    // odds 9 / 8, posterior 0.53: both between the thresholds, so the item is the lead's, where the quorum agreed.
    const before = await desk(five);
    const byKey = Object.fromEntries(before.consensus.classes.map((c) => [c.key, c]));
    expect(byKey[CLASSES.car.key]!.posterior).toBeCloseTo(8 / 17, 12);
    expect(byKey[CLASSES.fox.key]!.posterior).toBeCloseTo(9 / 17, 12);
    expect(byKey[CLASSES.bus.key]).toMatchObject({ decision: 'wrong', reached: true });
    expect(byKey[CLASSES.bus.key]!.posterior).toBeCloseTo(1 / (1 + 9 * 512), 12);
    // Model A's top-1 (the wagon) is then undecided, and only cyd graded it: its grades wait for the lead too (the quorum's rule).
    expect(before.consensus.disputes.map((d) => (d.kind === 'class' ? d.classKey : `${d.kind} ${'model' in d ? d.model : ''}`))).toEqual([
      CLASSES.fox.key,
      CLASSES.car.key,
      'severity model-a',
      'category model-a',
    ]);
    expect(before.consensus.disputes[1]!.detail).toBe('posterior P(present) 0.47 is between 0.2 and 0.8 (correct 2, wrong 1, unclear 0, abstain 0)');
    expect(await statusOf(five)).toBe('disputed');
    const queue = (await request('lea', 'GET', `/api/projects/${p.projectId}/lead/queue`)).json() as { items: { itemId: number }[] };
    expect(queue.items.map((i) => i.itemId)).toEqual([five]);

    // cyd revises to the wagon: this item alone is recomputed, 3 of 3 under the same matrices.
    const otherBefore = await readRows<{ item_id: number; updated_at: string }>(t.database, 'SELECT item_id, updated_at FROM item_consensus WHERE item_id <> ? AND project_id = ? ORDER BY item_id', five, p.projectId);
    t.clock.advance(60_000);
    await judged('cyd', five, { ...WAGON, baseRevision: 1 });
    const after = Object.fromEntries((await desk(five)).consensus.classes.map((c) => [c.key, c]));
    expect(after[CLASSES.car.key]).toMatchObject({ decision: 'correct', reached: true });
    expect(after[CLASSES.car.key]!.posterior).toBeCloseTo(512 / (512 + 9), 12);
    expect(after[CLASSES.fox.key]).toMatchObject({ decision: 'wrong', reached: true });
    expect(after[CLASSES.fox.key]!.posterior).toBeCloseTo(9 / (9 + 512), 12);
    expect(await statusOf(five)).toBe('agreed');
    expect(await readRows(t.database, 'SELECT item_id, updated_at FROM item_consensus WHERE item_id <> ? AND project_id = ? ORDER BY item_id', five, p.projectId)).toEqual(otherBefore);
  });

  // Last: it stops the app's estimation runner, to take the steps by hand.
  it('estimates in steps that resume from what is stored, to the model core estimates from the same judgements', async () => {
    await t.app.estimation.stop();
    const p = await newProject();
    await threeVerdictsEach(p);
    await setAggregation(p, 'dawid-skene');
    const progress = async () => (await model(p)).estimation;
    expect(await progress()).toEqual({ pass: 1, done: 0, total: 4 });
    // One item per step, each step by a fresh estimation object: all it knows is what the last step stored.
    const step = () => t.database.write((trx) => createConfusionEstimation(t.database).step(trx, p.projectId, '2025-01-02T00:00:00.000Z', 1));
    for (const done of [1, 2, 3, 4]) {
      expect(await step()).toEqual({ finished: false, published: false });
      expect(await progress()).toEqual({ pass: 1, done, total: 4 });
    }
    // The end of the pass: the M-step, and the next pass from the start.
    expect(await step()).toEqual({ finished: false, published: false });
    expect(await progress()).toEqual({ pass: 2, done: 0, total: 4 });
    let outcome = { finished: false, published: false };
    for (let steps = 0; !outcome.finished && steps < 1000; steps++) outcome = await step();
    expect(outcome).toEqual({ finished: true, published: true });
    const stored = await model(p);
    expect(stored.estimation).toBeNull();
    expect(stored.estimated!.at).toBe('2025-01-02T00:00:00.000Z');

    // Core's estimation over the same current verdicts, held at once.
    const name = (user: string) => String(userIds[user]);
    const items: PanelItemJudgements[] = ([2, 3, 5, 6] as const).map((n) => ({
      originalKey: CLASSES[IMAGES[n - 1]!.original].key,
      verdicts: (['ann', 'bob', 'cyd'] as const).map((user) => ({ expert: name(user), labels: (n === 5 ? (user === 'cyd' ? FOX : WAGON) : AGREED[n]).labels })),
    }));
    const expected = estimatePanelModel(items);
    expect(stored.estimated!.passes).toBe(expected.passes);
    expect(stored.priors.originalLabel).toBeCloseTo(expected.model.priors[0], 10);
    expect(stored.priors.otherClasses).toBeCloseTo(expected.model.priors[1], 10);
    for (const e of stored.experts) {
      const rows = expected.model.experts.get(name(e.expert))!;
      [e.absent.wrong, e.absent.unclear, e.absent.correct, e.present.wrong, e.present.unclear, e.present.correct].forEach((x, i) => expect(x).toBeCloseTo(rows[i]!, 10));
    }
    // Put in force with a re-aggregation under way (the runner, were it running, would do it).
    expect(await readRows(t.database, 'SELECT project_id FROM project_reaggregation_pending WHERE project_id = ?', p.projectId)).toHaveLength(1);
  });
});
