import type { Judgement, MajorSlice, ProjectDashboard, Verdict } from '@bagel/contracts';
import { countTable, fleissKappa, krippendorffAlphaNominal, multiLabelAccuracy, realAccuracy, top1Accuracy } from '@bagel/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildApp } from '../src/app';
import { createConsensusService } from '../src/features/consensus/consensus.service';
import { parseBaseline, projectBaseline } from '../src/features/dashboard/project-baseline';
import { projectCatalog } from '../src/features/projects/project-catalog';
import { comparableDashboard } from './comparable-dashboard';
import { CLASSES, IMAGES, runHandReview, seedHandProject, verdict, type HandProject } from './hand-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
let project: HandProject;
let cookies: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  project = await seedHandProject(t.database);
  cookies = await runHandReview(t, project);
});
afterAll(() => t.close());

const get = (user: string | null, url: string) => t.app.inject({ url, headers: user ? { cookie: cookies[user]! } : {} });
const dashboard = async (): Promise<ProjectDashboard> => {
  const res = await get('lea', `/api/projects/${project.projectId}/dashboard`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const { dog, fox, cat, car, cup, bus } = CLASSES;

/**
 * Gwet's AC1 as the R package irrCAC computes it (gwet.ac1.raw, unweighted, with categ.labels given), ported here
 * apart from Bagel's own code: `ratings` is its n × r matrix of raw ratings (a row per subject rated at least once, a
 * column per rater, null for a missing rating).
 *   agree.mat[i,k] = raters putting subject i in category k; ri.vec = its row sums
 *   sum.q = Σ_k agree.mat (agree.mat − 1); n2more = #(ri.vec ≥ 2)
 *   pa = Σ_{ri ≥ 2} sum.q / (ri (ri − 1)) / n2more
 *   pi.vec = t(rep(1/n, n)) %*% (agree.mat / ri.vec)   (a mean over all n subjects)
 *   pe = sum(weights.mat) · Σ pi.vec (1 − pi.vec) / (q (q − 1)), sum(weights.mat) = q unweighted
 *   gwet.ac1 = (pa − pe) / (1 − pe)
 */
function irrCacGwetAC1Raw(ratings: readonly (readonly (string | null)[])[], categories: readonly string[]): number {
  const n = ratings.length;
  const q = categories.length;
  const agree = ratings.map((row) => categories.map((c) => row.filter((rating) => rating === c).length));
  const ri = agree.map((row) => row.reduce((a, b) => a + b, 0));
  const sumQ = agree.map((row) => row.reduce((a, x) => a + x * (x - 1), 0));
  let n2more = 0;
  let paSum = 0;
  agree.forEach((_, i) => {
    if (ri[i]! >= 2) {
      n2more++;
      paSum += sumQ[i]! / (ri[i]! * (ri[i]! - 1));
    }
  });
  const pa = paSum / n2more;
  const pi = categories.map((_, k) => agree.reduce((a, row, i) => a + (1 / n) * (row[k]! / ri[i]!), 0));
  const weightsSum = q; // identity weights
  const pe = (weightsSum * pi.reduce((a, p) => a + p * (1 - p), 0)) / (q * (q - 1));
  return (pa - pe) / (1 - pe);
}

const JUDGEMENTS: readonly Judgement[] = ['correct', 'wrong', 'unclear'];

/** The project's (item, class) units as irrCAC's raw matrix: a row per class some expert judged, a column per expert. */
async function rawRatings(items: readonly number[], experts: readonly string[]): Promise<(Judgement | null)[][]> {
  const rows: (Judgement | null)[][] = [];
  for (const itemId of items) {
    const verdicts = (await get('lea', `/api/items/${itemId}/verdicts`)).json().verdicts as Verdict[];
    const keys = [...new Set(verdicts.flatMap((v) => Object.keys(v.labels)))];
    for (const key of keys) rows.push(experts.map((expert) => verdicts.find((v) => v.expert === expert)?.labels[key] ?? null));
  }
  return rows;
}

describe('dashboard', () => {
  it('counts progress and statuses', async () => {
    const d = await dashboard();
    expect(d.progress).toEqual({ images: 6, items: 4, open: 0, inReview: 0, agreed: 3, disputed: 0, final: 1, verdicts: 12, panelSize: 3 });
    expect(d.quorum).toEqual({ kind: 'majority' });
    expect(d.generatedAt).toBe(new Date(t.clock.now).toISOString());
  });

  it("gives each expert's verdicts and agreement with the final labels", async () => {
    // Per item, judgements equal to the final labels / judgements the final labels judge:
    // image 2: ann 2/2, bob 2/2, cyd 1/2; image 3: 3/3 each; image 5: ann 1/3, bob 2/3 (his revision), cyd 2/3; image 6: 2/2 each.
    expect((await dashboard()).experts).toEqual([
      { expert: 'ann', verdicts: 4, agreementWithFinal: 0.8, comparedJudgements: 10, revisionsAfterSeeingPanel: 0 },
      { expert: 'bob', verdicts: 4, agreementWithFinal: 0.9, comparedJudgements: 10, revisionsAfterSeeingPanel: 0 },
      { expert: 'cyd', verdicts: 4, agreementWithFinal: 0.8, comparedJudgements: 10, revisionsAfterSeeingPanel: 0 },
    ]);
  });

  it("computes Fleiss' kappa and Krippendorff's alpha over the (item, class) judgements, as the core functions do", async () => {
    const d = await dashboard();
    // Ten units of three judgements (correct, wrong, unclear): [3,0,0] ×3 ... worked out in the hand-project comments:
    // P̄ = 22/30, P̄e = 398/900 → kappa = 131/251; Σo_cc = 22 of 30 pairable values → alpha = 135/251.
    expect(d.agreement.units).toBe(10);
    expect(d.agreement.fleissKappa).toBeCloseTo(131 / 251, 12);
    expect(d.agreement.krippendorffAlpha).toBeCloseTo(135 / 251, 12);

    // The same from the verdicts themselves, with @bagel/core.
    const units: string[][] = [];
    for (const itemId of Object.values(project.items)) {
      const verdicts = (await get('lea', `/api/items/${itemId}/verdicts`)).json().verdicts as Verdict[];
      const keys = [...new Set(verdicts.flatMap((v) => Object.keys(v.labels)))];
      for (const key of keys) units.push(verdicts.flatMap((v) => (v.labels[key] ? [v.labels[key]] : [])));
    }
    expect(units).toHaveLength(10);
    expect(d.agreement.fleissKappa).toBeCloseTo(fleissKappa(countTable(units, ['correct', 'wrong', 'unclear'])).kappa!, 12);
    expect(d.agreement.krippendorffAlpha).toBeCloseTo(krippendorffAlphaNominal(units).alpha!, 12);
  });

  it("computes Gwet's AC1 over the same units, as irrCAC does", async () => {
    const d = await dashboard();
    // p_a = P̄ = 22/30; π = (13/30, 15/30, 2/30) (every unit has three judgements) -> p_e = Σ π(1 − π) / 2 = 251/900;
    // AC1 = (22/30 − 251/900)/(649/900) = 409/649, above kappa's 131/251: most judgements here are `wrong` or `correct`.
    expect(d.agreement.gwetAC1).toBeCloseTo(409 / 649, 12);
    const ratings = await rawRatings(Object.values(project.items), ['ann', 'bob', 'cyd']);
    expect(ratings).toHaveLength(10);
    expect(d.agreement.gwetAC1).toBeCloseTo(irrCacGwetAC1Raw(ratings, JUDGEMENTS), 12);
  });

  it('charts the graded mistakes by category and severity per model, leaving the problematic image out', async () => {
    expect((await dashboard()).mistakes).toEqual([
      { model: 'model-a', counts: [{ category: 'Spurious Correlation', severity: 'Major', count: 1 }] },
      { model: 'model-b', counts: [{ category: 'Spurious Correlation', severity: 'Major', count: 2 }] },
    ]);
  });

  it('scores every model before (original labels) and after (final labels), as the core metrics do', async () => {
    const d = await dashboard();
    const a = d.scoreboard.find((s) => s.model === 'model-a')!;
    const b = d.scoreboard.find((s) => s.model === 'model-b')!;
    expect(a.displayName).toBe('MODEL-A');
    // Before: A is right on images 1, 4, 6; B on 1, 2, 4. Per original class (tabby, Chihuahua, red fox, coffee mug):
    // A 1/2, 1/2, 0/1, 1/1 → 0.5; B 2/2, 1/2, 0/1, 0/1 → 0.375.
    expect(a.before).toEqual({ top1Accuracy: 0.5, multiLabelAccuracy: 0.5, realAccuracy: 0.5, mistakes: { Major: 0, Minor: 0, Borderline: 0, ungraded: 3 } });
    expect(b.before).toEqual({ top1Accuracy: 0.5, multiLabelAccuracy: 0.375, realAccuracy: 0.5, mistakes: { Major: 0, Minor: 0, Borderline: 0, ungraded: 3 } });
    // After: image 6 is problematic (dropped, with its class coffee mug). A: tabby 2/2, Chihuahua 1/2, red fox 1/1
    // (beach wagon is correct) → 5/6; ReaL 4/5. B: 2/2, 1/2, 0/1 → 0.5; ReaL 3/5. Top-1 stays against the original labels.
    expect(a.after.top1Accuracy).toBe(0.5);
    expect(a.after.multiLabelAccuracy).toBeCloseTo(5 / 6, 12);
    expect(a.after.realAccuracy).toBeCloseTo(0.8, 12);
    expect(a.after.mistakes).toEqual({ Major: 1, Minor: 0, Borderline: 0, ungraded: 0 });
    expect(b.after.multiLabelAccuracy).toBeCloseTo(0.5, 12);
    expect(b.after.realAccuracy).toBeCloseTo(0.6, 12);
    expect(b.after.mistakes).toEqual({ Major: 2, Minor: 0, Borderline: 0, ungraded: 0 });

    // The same with @bagel/core over the images' final label sets (image 2 keeps its prior "red fox wrong").
    const finalLabels: { correct: string[]; unclear: string[]; problematic: boolean }[] = [
      { correct: [cat.key], unclear: [], problematic: false },
      { correct: [cat.key, dog.key], unclear: [], problematic: false },
      { correct: [dog.key], unclear: [], problematic: false },
      { correct: [dog.key], unclear: [], problematic: false },
      { correct: [car.key], unclear: [fox.key], problematic: false },
      { correct: [cup.key], unclear: [], problematic: true },
    ];
    for (const [model, scores] of [['a', a], ['b', b]] as const) {
      const images = IMAGES.map((image, i) => ({ originalKey: CLASSES[image.original].key, top1Key: CLASSES[image[model]].key, ...finalLabels[i]! }));
      expect(scores.before.top1Accuracy).toBe(top1Accuracy(images).value);
      expect(scores.before.multiLabelAccuracy).toBeCloseTo(multiLabelAccuracy(images.map((im) => ({ ...im, correct: [im.originalKey], unclear: [], problematic: false }))).value!, 12);
      expect(scores.after.multiLabelAccuracy).toBeCloseTo(multiLabelAccuracy(images).value!, 12);
      expect(scores.after.realAccuracy).toBeCloseTo(realAccuracy(images.map((im) => ({ labels: im.problematic ? [] : im.correct, top1: im.top1Key }))).value!, 12);
    }
  });

  it('counts the Major slice: images on which every model makes a Major mistake', async () => {
    expect((await dashboard()).majorSlice).toEqual({ count: 1, models: ['model-a', 'model-b'] });
  });

  it('is for leads and admins', async () => {
    expect((await get('adm', `/api/projects/${project.projectId}/dashboard`)).statusCode).toBe(200);
    expect((await get('ann', `/api/projects/${project.projectId}/dashboard`)).statusCode).toBe(403);
    expect((await get(null, `/api/projects/${project.projectId}/dashboard`)).statusCode).toBe(401);
    expect((await get('lea', '/api/projects/9999/dashboard')).statusCode).toBe(404);
  });
});

describe('project totals', () => {
  it('kept verdict by verdict, equal those a full re-aggregation rebuilds', async () => {
    const tables = async () =>
      Object.fromEntries(
        await Promise.all(
          ['project_score_deltas', 'project_mistake_counts', 'project_rater_totals'].map(async (table) => [
            table,
            await readRows(
              t.database,
              `SELECT * FROM ${table} WHERE project_id = ? AND ${table === 'project_rater_totals' ? 'verdicts' : table === 'project_mistake_counts' ? 'count' : 'counted + hits + real_counted + real_hits'} <> 0 ORDER BY 1, 2, 3, 4`,
              project.projectId,
            ),
          ]),
        ),
      );
    const items = () =>
      readRows(t.database, 'SELECT item_id, final, final_at, outcomes, raters, divisiveness, major_models FROM item_consensus WHERE project_id = ? ORDER BY item_id', project.projectId);
    const before = { tables: await tables(), items: await items(), dashboard: comparableDashboard(await dashboard()) };
    expect(before.tables.project_mistake_counts).not.toEqual([]);
    // Every item recomputed and the totals rebuilt from scratch, in one transaction.
    expect(await createConsensusService(t.database).reaggregateProject(project.projectId, new Date(t.clock.now).toISOString())).toBe(4);
    expect({ tables: await tables(), items: await items(), dashboard: await dashboard() }).toEqual(before);
    // The same quorum set again: a small project is re-aggregated within the request, to the same states and totals.
    const res = await t.app.inject({ method: 'PATCH', url: `/api/projects/${project.projectId}/settings`, headers: { cookie: cookies.adm! }, payload: { quorum: { kind: 'majority' } } });
    expect(res.json()).toMatchObject({ reaggregatedItems: 4, reaggregation: null });
    expect({ tables: await tables(), items: await items(), dashboard: await dashboard() }).toEqual(before);
  });
});

describe('major slice', () => {
  const slice = async (query = ''): Promise<MajorSlice> => {
    const res = await get('lea', `/api/projects/${project.projectId}/major-slice${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  it('lists the images every chosen model gets Major-wrong, with their final labels and the predictions', async () => {
    const image3 = IMAGES[2]!.file;
    expect(await slice()).toEqual({
      models: ['model-a', 'model-b'],
      images: [
        {
          itemId: project.items[image3],
          imageId: expect.any(Number),
          file: image3,
          previewUrl: expect.stringMatching(/^\/api\/projects\/\d+\/images\/\d+\/preview$/),
          originalLabel: { key: dog.key, name: 'Chihuahua' },
          finalCorrect: [{ key: dog.key, name: 'Chihuahua' }],
          predictions: [
            { model: 'model-a', key: fox.key, name: 'red fox', category: 'Spurious Correlation' },
            { model: 'model-b', key: cup.key, name: 'coffee mug', category: 'Spurious Correlation' },
          ],
        },
      ],
    });
  });

  it('takes a choice of models; refuses an unknown one', async () => {
    const b = await slice('?models=model-b');
    expect(b.images.map((i) => i.file)).toEqual([IMAGES[2]!.file, IMAGES[4]!.file]);
    expect(b.images[1]!.predictions).toEqual([{ model: 'model-b', key: bus.key, name: 'school bus', category: 'Spurious Correlation' }]);
    const unknown = await get('lea', `/api/projects/${project.projectId}/major-slice?models=model-b,nope`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_MODEL' });
    expect((await get('ann', `/api/projects/${project.projectId}/major-slice`)).statusCode).toBe(403);
  });
});

describe('scores aggregated before migration 011 (unranked images then counted as misses)', () => {
  it('are recomputed when the server starts, and the project is unmarked', async () => {
    const before = await dashboard();
    const deltas = () => readRows(t.database, 'SELECT * FROM project_score_deltas ORDER BY project_id, model_id, original_class_idx');
    const stored = await deltas();
    // Scores as an older Bagel wrote them (here simply wrong), and the projects marked again by migration 011's
    // statement (its table has since gained the columns of migration 014).
    const migration = readFileSync(fileURLToPath(new URL('../src/db/migrations/011_rescore_unranked_models.sql', import.meta.url)), 'utf8');
    // (On PostgreSQL, whose schema begins after 011, such marks come with a SQLite database moved by migrate-db.)
    await readRows(t.database, 'UPDATE project_score_deltas SET counted = counted + 3');
    await readRows(t.database, 'DELETE FROM project_reaggregation_pending');
    await readRows(t.database, migration.slice(migration.indexOf('INSERT INTO project_reaggregation_pending')));
    expect(await readRows(t.database, 'SELECT project_id FROM project_reaggregation_pending')).toEqual([{ project_id: project.projectId }]);

    const restarted = await buildApp({ database: t.database, cacheDir: `${t.dir}/cache`, now: () => t.clock.now });
    try {
      expect(await readRows(t.database, 'SELECT count(*) AS n FROM project_reaggregation_pending')).toEqual([{ n: 0 }]);
      expect(await deltas()).toEqual(stored);
      const res = await restarted.inject({ url: `/api/projects/${project.projectId}/dashboard`, headers: { cookie: cookies.lea! } });
      expect(res.json().scoreboard).toEqual(before.scoreboard);
    } finally {
      await restarted.close();
    }
  });
});

describe('progress and agreement totals (migration 021)', () => {
  it('kept verdict by verdict, equal the sums migration 021 makes over the items of a database it finds', async () => {
    const totals = () =>
      readRows(
        t.database,
        `SELECT sum(images) AS images, sum(items_open) AS open, sum(items_in_review) AS in_review, sum(items_agreed) AS agreed,
           sum(items_disputed) AS disputed, sum(items_final) AS final, sum(verdicts) AS verdicts, sum(major_slice) AS major_slice,
           sum(fleiss_units) AS fleiss_units, sum(fleiss_correct) AS fleiss_correct, sum(alpha_values) AS alpha_values,
           sum(alpha_unclear) AS alpha_unclear, count(*) AS shard_rows
         FROM project_item_totals WHERE project_id = ?`,
        project.projectId,
      );
    const before = { totals: await totals(), dashboard: await dashboard() };
    // The hand review moved the totals verdict by verdict from the seed's (every item open): 4 items over 4 shards.
    expect(before.totals).toEqual([
      expect.objectContaining({ images: 6, open: 0, in_review: 0, agreed: 3, disputed: 0, final: 1, verdicts: 12, major_slice: 1, fleiss_units: 10, alpha_values: 30 }),
    ]);
    // The totals gone, as in a database older than 021, and made again by the migration's own statements.
    const file = inject('testEngine') === 'postgres' ? 'postgres/021_project_item_totals.sql' : '021_project_item_totals.sql';
    const migration = readFileSync(fileURLToPath(new URL(`../src/db/migrations/${file}`, import.meta.url)), 'utf8');
    const statements = migration.slice(migration.indexOf('INSERT INTO project_item_totals'), migration.indexOf('-- Read by nothing now')).split(';\n');
    await readRows(t.database, 'DELETE FROM project_item_totals');
    for (const statement of statements.filter((s) => s.trim() !== '')) await readRows(t.database, statement);
    // All but AC1, whose parts 021 does not sum (migration 024 added them, and has them summed by a re-aggregation).
    const comparable = comparableDashboard(before.dashboard) as ProjectDashboard;
    expect({ totals: await totals(), dashboard: await dashboard() }).toEqual({
      totals: [{ ...(before.totals[0] as Record<string, unknown>), shard_rows: expect.any(Number) }],
      dashboard: { ...comparable, agreement: { ...comparable.agreement, gwetAC1: null } },
    });
    await createConsensusService(t.database).reaggregateProject(project.projectId, new Date(t.clock.now).toISOString());
    expect(await dashboard()).toEqual(comparable);
  });
});

let uneven: HandProject;

describe("Gwet's AC1 over units with different numbers of judgements", () => {
  it('kept verdict by verdict, equals irrCAC over the raw verdicts, and what a full re-aggregation rebuilds', async () => {
    uneven = await seedHandProject(t.database, 'Uneven zoo');
    const item = (n: number) => uneven.items[IMAGES[n - 1]!.file]!;
    const judge = async (user: string, n: number, body: ReturnType<typeof verdict>) => {
      t.clock.advance(60_000);
      const res = await t.app.inject({ method: 'POST', url: `/api/items/${item(n)}/verdicts`, headers: { cookie: cookies[user]! }, payload: body });
      expect(res.statusCode, res.body).toBe(201);
    };
    const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;
    // Image 2 (tabby; A Chihuahua): two verdicts, ann adding school bus, which bob never judges.
    await judge('ann', 2, verdict({ cat: 'correct', dog: 'correct', bus: 'wrong' }));
    await judge('bob', 2, verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' } }));
    // Image 3: one verdict. Image 5: the whole panel, nearly all `wrong`. Image 6: none.
    await judge('ann', 3, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    for (const user of ['ann', 'bob']) {
      await judge(user, 5, verdict({ fox: 'wrong', car: 'wrong', bus: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
    }
    await judge('cyd', 5, verdict({ fox: 'unclear', car: 'wrong', bus: 'wrong' }, { 'model-a': SP, 'model-b': SP }));

    const res = await get('lea', `/api/projects/${uneven.projectId}/dashboard`);
    expect(res.statusCode, res.body).toBe(200);
    const d = res.json() as ProjectDashboard;
    // Units (correct, wrong, unclear): image 2 cat [2,0,0], Chihuahua [1,1,0], school bus [0,1,0]; image 3 [1,0,0],
    // [0,1,0], [0,1,0]; image 5 [0,2,1], [0,3,0], [0,3,0]. p_a over the 5 units with two or more = (1 + 0 + 1/3 + 1 +
    // 1)/5 = 2/3; π over all 9 = (5/18, 37/54, 1/27) -> p_e = 659/2916; AC1 = 1285/2257. Kappa, over image 5's three
    // complete units only, all but one judgement `wrong`: −1/8.
    expect(d.agreement.gwetAC1).toBeCloseTo(1285 / 2257, 12);
    expect(d.agreement.fleissKappa).toBeCloseTo(-1 / 8, 12);
    expect(d.agreement.units).toBe(5);
    const ratings = await rawRatings([item(2), item(3), item(5)], ['ann', 'bob', 'cyd']);
    expect(ratings.map((row) => row.filter((r) => r !== null).length).sort()).toEqual([1, 1, 1, 1, 2, 2, 3, 3, 3]);
    expect(d.agreement.gwetAC1).toBeCloseTo(irrCacGwetAC1Raw(ratings, JUDGEMENTS), 12);
    // Computed without the units judged once (as alpha leaves them out), AC1 would differ: they count in π.
    expect(irrCacGwetAC1Raw(ratings.filter((row) => row.filter((r) => r !== null).length >= 2), JUDGEMENTS)).not.toBeCloseTo(1285 / 2257, 3);

    // Every item recomputed and the totals rebuilt from scratch: the same figures.
    await createConsensusService(t.database).reaggregateProject(uneven.projectId, new Date(t.clock.now).toISOString());
    const rebuilt = await get('lea', `/api/projects/${uneven.projectId}/dashboard`);
    expect(rebuilt.json()).toEqual(comparableDashboard(d));
  });
});

describe("AC1's totals (migration 024)", () => {
  it('in a database aggregated before 024, come from the re-aggregation the migration marks, equal to those kept verdict by verdict', async () => {
    const projects = [project.projectId, uneven.projectId];
    const dashboardOf = async (app: { inject: TestApp['app']['inject'] }, projectId: number) => {
      const res = await app.inject({ url: `/api/projects/${projectId}/dashboard`, headers: { cookie: cookies.lea! } });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as ProjectDashboard;
    };
    const totals = async () =>
      (
        await readRows<Record<string, number | string>>(
          t.database,
          `SELECT project_id, sum(gwet_units) AS units, sum(gwet_agreement) AS agreement, sum(gwet_correct) AS correct,
             sum(gwet_wrong) AS wrong, sum(gwet_unclear) AS unclear
           FROM project_item_totals GROUP BY project_id ORDER BY project_id`,
        )
      ).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)])));
    const kept = await totals();
    const before = await Promise.all(projects.map((p) => dashboardOf(t.app, p)));
    expect(kept.find((row) => row.project_id === uneven.projectId)).toMatchObject({ units: 9 });
    expect(before.map((d) => d.agreement.gwetAC1)).toEqual([expect.closeTo(409 / 649, 12), expect.closeTo(1285 / 2257, 12)]);

    // The new columns as 024's ALTERs leave them in a database aggregated before (0), one project halfway through a
    // re-aggregation in steps, and the migration's own statements run.
    const columns = ['gwet_units', 'gwet_agreement', 'gwet_correct', 'gwet_wrong', 'gwet_unclear'].map((c) => `${c} = 0`).join(', ');
    await readRows(t.database, `UPDATE item_consensus SET ${columns}`);
    await readRows(t.database, `UPDATE project_item_totals SET ${columns}`);
    await readRows(t.database, 'DELETE FROM project_reaggregation_pending');
    await readRows(t.database, 'INSERT INTO project_reaggregation_pending (project_id, next_item_id, done) VALUES (?, ?, ?)', uneven.projectId, uneven.items[IMAGES[4]!.file]!, 1);
    expect((await dashboardOf(t.app, project.projectId)).agreement.gwetAC1).toBeNull();
    const file = inject('testEngine') === 'postgres' ? 'postgres/024_gwet_ac1.sql' : '024_gwet_ac1.sql';
    const migration = readFileSync(fileURLToPath(new URL(`../src/db/migrations/${file}`, import.meta.url)), 'utf8');
    await readRows(t.database, migration.slice(migration.indexOf('INSERT INTO project_reaggregation_pending')));
    expect(
      (await readRows<{ project_id: number; next_item_id: number | null; done: number }>(t.database, 'SELECT project_id, next_item_id, done FROM project_reaggregation_pending ORDER BY project_id')).map(
        (row) => ({ ...row, next_item_id: Number(row.next_item_id), done: Number(row.done) }),
      ),
    ).toEqual(projects.map((p) => ({ project_id: p, next_item_id: 0, done: 0 })));

    // The server re-aggregates the marked projects in the background, range by range, from its start.
    const restarted = await buildApp({ database: t.database, cacheDir: `${t.dir}/cache`, now: () => t.clock.now });
    try {
      await restarted.reaggregation.idle();
      expect(await readRows(t.database, 'SELECT count(*) AS "n" FROM project_reaggregation_pending')).toEqual([{ n: 0 }]);
      const rebuilt = await totals();
      // Sums of reals: equal to the last bits' rounding (test/comparable-dashboard.ts); the units exactly.
      const close = (value: number | undefined) => expect.closeTo(value!, 12);
      expect(rebuilt).toEqual(
        kept.map((row) => ({ ...row, agreement: close(row.agreement), correct: close(row.correct), wrong: close(row.wrong), unclear: close(row.unclear) })),
      );
      for (const [i, p] of projects.entries()) expect(await dashboardOf(restarted, p)).toEqual(comparableDashboard(before[i]!));
    } finally {
      await restarted.close();
    }
  });
});

describe('the baseline (migration 022)', () => {
  it('is stored once computed, for every instance, and reads back as computed', async () => {
    await dashboard();
    const rows = await readRows<{ baseline: string }>(t.database, 'SELECT baseline FROM project_baselines WHERE project_id = ?', project.projectId);
    expect(rows).toHaveLength(1);
    const entry = (await projectCatalog(t.database).get(project.projectId))!;
    const computed = await projectBaseline(t.database, entry);
    expect(computed.images).toBe(6);
    expect(parseBaseline(rows[0]!.baseline)).toEqual(computed);
    // A baseline stored in another format is not read.
    expect(parseBaseline(JSON.stringify({ format: 0 }))).toBeNull();
  });
});
