// A quorum change re-aggregates a large project in the background, a range of items per transaction: the states and
// totals it leaves are exactly those of a one-shot re-aggregation, even with verdicts landing between its steps, the
// dashboard shows how far it is, and a server stopped midway resumes it when it starts again.
import type { ProjectDashboard, ProjectSettings, ReviewItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { createConsensusService } from '../src/features/consensus/consensus.service';
import { STEP_ITEMS } from '../src/features/consensus/reaggregation-runner';
import { FIRST_STEP_ITEMS } from '../src/features/projects/project-settings.service';
import { seedReviewedProject, type ReviewedProject } from './reviewed-project';
import { completeVerdict, createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';
import { comparableDashboard } from './comparable-dashboard';

const PASSWORD = 'long-password-1';
const JUDGED = 700;

let t: TestApp;
let project: ReviewedProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  // A panel of 3 under the majority: agreed items that unanimity disputes, and the reverse for revisions.
  project = await seedReviewedProject(t.database, { name: 'Quorum', items: 1000, judged: JUDGED, panelSize: 3, models: 3, seed: 11, password: PASSWORD });
  await createUser(t.database, 'adm', 'admin', PASSWORD);
  for (const name of ['late1', 'late2', 'late3']) await createUser(t.database, name, 'expert', PASSWORD);
  for (const name of ['adm', 'late1', 'late2', 'late3', ...project.experts]) cookies[name] = await login(t.app, name, PASSWORD);
}, 120_000);
afterAll(() => t.close());

const as = (user: string) => ({ cookie: cookies[user]! });
const setQuorum = (kind: 'majority' | 'unanimity') =>
  t.app.inject({ method: 'PATCH', url: `/api/projects/${project.projectId}/settings`, headers: as('adm'), payload: { quorum: { kind } } });
const dashboard = async (app = t.app): Promise<ProjectDashboard> => (await app.inject({ url: `/api/projects/${project.projectId}/dashboard`, headers: as('adm') })).json();
const consensus = () => createConsensusService(t.database);
const progress = () => consensus().reaggregationProgress(project.projectId);
/** One background step, as the runner takes it: a write of its own. */
const step = () => t.database.write((trx) => consensus().reaggregateStep(trx, project.projectId, new Date(t.clock.now).toISOString(), STEP_ITEMS));

/** Everything aggregation stores about the project (but the time of each write). */
async function stored() {
  const p = project.projectId;
  const all = (sql: string) => readRows(t.database, sql, p);
  const read = {
    statuses: all('SELECT id, status FROM items WHERE project_id = ? ORDER BY id'),
    consensus: all(
      `SELECT item_id, disputes, final, final_at, divisiveness, problematic, major_slice, major_models, outcomes, raters, fleiss_units, fleiss_agreement,
         fleiss_correct, fleiss_wrong, fleiss_unclear, alpha_units, alpha_values, alpha_agreement, alpha_correct, alpha_wrong, alpha_unclear,
         gwet_units, gwet_agreement, gwet_correct, gwet_wrong, gwet_unclear
       FROM item_consensus WHERE project_id = ? ORDER BY item_id`,
    ),
    disputeKinds: all('SELECT item_id, kind FROM item_dispute_kinds WHERE project_id = ? ORDER BY 1, 2'),
    finalMistakes: all('SELECT item_id, model_id, severity, category FROM item_final_mistakes WHERE project_id = ? ORDER BY 1, 2'),
    // Totals without their zero rows: moved share by share, a row may end at zero where a rebuild writes none.
    scores: all('SELECT * FROM project_score_deltas WHERE project_id = ? AND (counted <> 0 OR hits <> 0 OR real_counted <> 0 OR real_hits <> 0) ORDER BY 1, 2, 3'),
    mistakes: all('SELECT * FROM project_mistake_counts WHERE project_id = ? AND count <> 0 ORDER BY 1, 2, 3, 4'),
    raters: all('SELECT * FROM project_rater_totals WHERE project_id = ? AND (verdicts <> 0 OR agreements <> 0 OR compared <> 0) ORDER BY 1, 2'),
  };
  return Object.fromEntries(await Promise.all(Object.entries(read).map(async ([name, rows]) => [name, await rows]))) as { [K in keyof typeof read]: Awaited<(typeof read)[K]> };
}

/** What is stored, then what a one-shot re-aggregation of the same verdicts stores: they must be the same. */
async function expectSameAsOneShot(): Promise<void> {
  const background = { stored: await stored(), dashboard: await dashboard() };
  expect(background.dashboard.reaggregation).toBeNull();
  await consensus().reaggregateProject(project.projectId, new Date(t.clock.now).toISOString());
  expect({ stored: await stored(), dashboard: await dashboard() }).toEqual({ stored: background.stored, dashboard: comparableDashboard(background.dashboard) });
}

/** A late expert's next item, judged (a first verdict on an open item, or on one still in review). */
async function judgeNext(user: string): Promise<number> {
  const next = await t.app.inject({ url: `/api/projects/${project.projectId}/next`, headers: as(user) });
  expect(next.statusCode, next.body).toBe(200);
  const item = next.json() as ReviewItem;
  const res = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers: as(user), payload: completeVerdict(item) });
  expect(res.statusCode, res.body).toBe(201);
  return item.id;
}

/** A panel expert revises their verdict on a disputed item: every candidate judged correct. */
async function revise(itemId: number): Promise<void> {
  const expert = project.experts[0]!;
  const revision = (await readRows<{ r: number }>(t.database, 'SELECT max(v.revision) AS r FROM verdicts v JOIN users u ON u.id = v.user_id WHERE v.item_id = ? AND u.username = ?', itemId, expert))[0]!.r;
  const item = (await t.app.inject({ url: `/api/items/${itemId}`, headers: as(expert) })).json() as ReviewItem;
  const labels = Object.fromEntries(item.candidates.map((c) => [c.key, 'correct' as const]));
  const res = await t.app.inject({ method: 'POST', url: `/api/items/${itemId}/verdicts`, headers: as(expert), payload: completeVerdict(item, revision, { labels }) });
  expect(res.statusCode, res.body).toBe(201);
}

const disputedIds = async () =>
  (await readRows<{ id: number }>(t.database, `SELECT id FROM items WHERE project_id = ? AND status = 'disputed' ORDER BY id`, project.projectId)).map((r) => r.id);

describe('a quorum change on a large project', () => {
  it('says the re-aggregation runs, re-aggregates a first step at once, and the rest in steps to the same states and totals as a one-shot, with verdicts landing between the steps', async () => {
    // The runner is stopped: this test takes the steps itself, to put verdicts between them.
    await t.app.reaggregation.stop();
    const before = await stored();
    const res = await setQuorum('unanimity');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({
      projectId: project.projectId,
      quorum: { kind: 'unanimity' },
      panel: { mode: 'fixed' },
      modelEvidence: 'shown',
      goldRate: 0.05,
      goldQualification: 0,
      goldFeedback: false,
      decoys: 0,
      aggregation: 'quorum',
      panelSize: 3,
      quorumSize: 3,
      reaggregatedItems: FIRST_STEP_ITEMS,
      reaggregation: { done: FIRST_STEP_ITEMS, total: JUDGED },
    } satisfies ProjectSettings);
    expect((await dashboard()).reaggregation).toEqual({ done: FIRST_STEP_ITEMS, total: JUDGED });
    // Items past the first step keep the former quorum's state until their step comes.
    expect((await stored()).statuses.slice(FIRST_STEP_ITEMS)).toEqual(before.statuses.slice(FIRST_STEP_ITEMS));

    // Between steps: first verdicts on open items (beyond the steps, which reach them once judged), revisions on
    // disputed items already re-aggregated and on items not reached yet.
    let steps = 0;
    const landed = { behind: 0, ahead: 0 };
    for (let finished = false; !finished; steps++) {
      const cursor = (await readRows<{ n: number }>(t.database, 'SELECT next_item_id AS n FROM project_reaggregation_pending WHERE project_id = ?', project.projectId))[0]!.n;
      const disputed = await disputedIds();
      const behind = disputed.filter((id) => id < cursor);
      const ahead = disputed.filter((id) => id >= cursor);
      if (behind.length > 0 && steps % 2 === 0) {
        await revise(behind[behind.length - 1]!);
        landed.behind++;
      }
      if (ahead.length > 0 && steps % 3 === 0) {
        await revise(ahead[0]!);
        landed.ahead++;
      }
      await judgeNext(['late1', 'late2', 'late3'][steps % 3]!);
      const before = (await progress())!;
      const result = await step();
      finished = result.finished;
      if (!finished) expect((await progress())!.done).toBe(before.done + result.items);
    }
    expect(steps).toBeGreaterThan(3);
    expect(landed.behind).toBeGreaterThan(0);
    expect(landed.ahead).toBeGreaterThan(0);
    expect(await progress()).toBeNull();
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM project_reaggregation_pending')).toEqual([{ n: 0 }]);
    await expectSameAsOneShot();
  }, 300_000);

  it('runs in the background to its end, and resumes where it was after the server stopped midway', async () => {
    // A server of its own on the same database (the first one's runner was stopped above).
    const first = await buildApp({ database: t.database, cacheDir: `${t.dir}/cache`, now: () => t.clock.now });
    const res = await first.inject({ method: 'PATCH', url: `/api/projects/${project.projectId}/settings`, headers: as('adm'), payload: { quorum: { kind: 'majority' } } });
    expect(res.json().reaggregation).toEqual({ done: FIRST_STEP_ITEMS, total: expect.any(Number) });
    // Stopped at once: the project stays marked, where the steps stopped.
    await first.reaggregation.stop();
    await first.close();
    const mark = (await readRows<{ next_item_id: number; done: number }>(t.database, 'SELECT next_item_id, done FROM project_reaggregation_pending WHERE project_id = ?', project.projectId))[0]!;
    expect(mark.next_item_id).toBeGreaterThan(0);
    expect(mark.done).toBeGreaterThanOrEqual(FIRST_STEP_ITEMS);
    const total = (await progress())!.total;
    expect(mark.done).toBeLessThan(total);

    const restarted = await buildApp({ database: t.database, cacheDir: `${t.dir}/cache`, now: () => t.clock.now });
    try {
      await restarted.reaggregation.idle();
      expect(await progress()).toBeNull();
      expect((await dashboard(restarted)).quorum).toEqual({ kind: 'majority' });
      await expectSameAsOneShot();
    } finally {
      await restarted.close();
    }
  }, 300_000);
});
