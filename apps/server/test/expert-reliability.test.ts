// Each expert's reliability against the final labels (docs/AGGREGATION.md, "Expert reliability"): the route, the CSV
// download and the archive's `expertReliability`, on a generated review whose figures this file computes again from
// the stored rows with code of its own (the blind verdict picked, the counts made and the Wilson interval solved as
// the roots of its quadratic), on both engines. Experts get 403: they never see another expert's figures.
import { ExpertReliabilityReport, type ExpertReliability, type Judgement, type ReliabilityProportion } from '@bagel/contracts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BagelArchive } from '../src/features/exports/bagel-archive';
import { projectTallies, FINAL_REFERENCE } from '../src/features/reliability/reliability-tallies';
import { createConsensusService } from '../src/features/consensus/consensus.service';
import { seedReview } from './reviewed-project';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
let project: SyntheticProject;
const cookies: Record<string, string> = {};
const PASSWORD = 'reliability-test-password';
const ITEMS = 400;
const JUDGED = 360;

beforeAll(async () => {
  t = await createTestApp();
  // Few classes, so that an expert judges some of them present 20 times and more (the per-class rows).
  project = await seedSyntheticProject(t.database, { name: 'Reliability', images: ITEMS, models: 2, classes: 24, topK: 2, seed: 11, allWrong: true });
  await seedReview(t.database, project, { name: 'Reliability', judged: JUDGED, panelSize: 3, seed: 5, revised: 0.3, decided: 0.05, password: PASSWORD });
  // Every second revision made after seeing the panel: its expert's blind verdict is then the revision before.
  await t.database.write(async (trx) => {
    await sql`UPDATE verdicts SET after_seeing_panel = 1 WHERE revision = 2`.execute(trx);
  });
  await createConsensusService(t.database).reaggregateProject(project.projectId, new Date(t.clock.now).toISOString());
  await createUser(t.database, 'adm', 'admin', PASSWORD);
  for (const name of ['panel1', 'Reliability-lead', 'adm']) cookies[name] = await login(t.app, name, PASSWORD);
});
afterAll(() => t.close());

const get = (user: string | null, url: string) => t.app.inject({ url, headers: user ? { cookie: cookies[user]! } : {} });
const url = (query = '') => `/api/projects/${project.projectId}/expert-reliability${query}`;

/** The 95% Wilson interval as the roots p of (p̂ − p)² = z² p (1 − p) / n, by the quadratic formula. */
function wilsonRoots(k: number, n: number): [number, number] {
  const z = 1.959963984540054;
  const p = k / n;
  const a = 1 + (z * z) / n;
  const b = -(2 * p + (z * z) / n);
  const c = p * p;
  const root = Math.sqrt(b * b - 4 * a * c);
  return [(-b - root) / (2 * a), (-b + root) / (2 * a)];
}

interface Expected {
  present: Record<Judgement, number>;
  absent: Record<Judgement, number>;
  unsettled: Record<Judgement, number>;
  items: number;
  problematic: { both: number; expertOnly: number; referenceOnly: number; neither: number };
  severity: { compared: number; agreed: number };
  byClass: Map<string, { present: Record<Judgement, number>; absent: Record<Judgement, number>; unsettled: Record<Judgement, number> }>;
}
const zero = () => ({ correct: 0, wrong: 0, unclear: 0 });

/** The figures from the stored rows, without Bagel's code: by expert name. */
async function expectedFigures(): Promise<Map<string, Expected>> {
  const finals = await readRows<{ item_id: number; final: string }>(
    t.database,
    "SELECT c.item_id, c.final FROM item_consensus c JOIN items i ON i.id = c.item_id WHERE i.project_id = ? AND i.status IN ('agreed', 'final') AND c.final IS NOT NULL",
    project.projectId,
  );
  const finalOf = new Map(finals.map((row) => [row.item_id, JSON.parse(row.final) as { labels: Record<string, Judgement>; problematic: unknown; mistakes: Record<string, { severity: string }> }]));
  const verdicts = await readRows<{ item_id: number; username: string; revision: number; labels: string; problematic: string | null; mistakes: string; after: number }>(
    t.database,
    'SELECT v.item_id, u.username, v.revision, v.labels, v.problematic, v.mistakes, v.after_seeing_panel AS after FROM verdicts v JOIN users u ON u.id = v.user_id JOIN items i ON i.id = v.item_id WHERE i.project_id = ?',
    project.projectId,
  );
  // The blind verdict: per item and expert, the highest revision not made after seeing the panel.
  const blind = new Map<string, (typeof verdicts)[number]>();
  for (const v of verdicts) {
    if (Number(v.after) !== 0 || !finalOf.has(v.item_id)) continue;
    const key = `${v.item_id}/${v.username}`;
    const held = blind.get(key);
    if (!held || held.revision < v.revision) blind.set(key, v);
  }
  const out = new Map<string, Expected>();
  for (const v of blind.values()) {
    const final = finalOf.get(v.item_id)!;
    let e = out.get(v.username);
    if (!e) out.set(v.username, (e = { present: zero(), absent: zero(), unsettled: zero(), items: 0, problematic: { both: 0, expertOnly: 0, referenceOnly: 0, neither: 0 }, severity: { compared: 0, agreed: 0 }, byClass: new Map() }));
    e.items++;
    for (const [classKey, judgement] of Object.entries(JSON.parse(v.labels) as Record<string, Judgement>)) {
      const f = final.labels[classKey];
      const side = f === 'correct' ? 'present' : f === 'unclear' ? 'unsettled' : 'absent';
      e[side][judgement]++;
      if (!e.byClass.has(classKey)) e.byClass.set(classKey, { present: zero(), absent: zero(), unsettled: zero() });
      e.byClass.get(classKey)![side][judgement]++;
    }
    const mine = v.problematic !== null;
    const theirs = final.problematic !== null;
    if (mine && theirs) e.problematic.both++;
    else if (mine) e.problematic.expertOnly++;
    else if (theirs) e.problematic.referenceOnly++;
    else e.problematic.neither++;
    for (const [model, grade] of Object.entries(JSON.parse(v.mistakes) as Record<string, { severity: string }>)) {
      if (!final.mistakes[model]) continue;
      e.severity.compared++;
      if (final.mistakes[model].severity === grade.severity) e.severity.agreed++;
    }
  }
  return out;
}

function expectProportion(actual: ReliabilityProportion, successes: number, trials: number): void {
  expect([actual.successes, actual.trials]).toEqual([successes, trials]);
  if (trials === 0) {
    expect([actual.rate, actual.low, actual.high]).toEqual([null, null, null]);
    return;
  }
  const [low, high] = wilsonRoots(successes, trials);
  expect(actual.rate).toBeCloseTo(successes / trials, 12);
  expect(actual.low).toBeCloseTo(Math.max(0, low), 10);
  expect(actual.high).toBeCloseTo(Math.min(1, high), 10);
}

const sensitivityOf = (c: Pick<Expected, 'present'>) => [c.present.correct, c.present.correct + c.present.wrong] as const;
const specificityOf = (c: Pick<Expected, 'absent'>) => [c.absent.wrong, c.absent.correct + c.absent.wrong] as const;
const unclearOf = (c: Pick<Expected, 'present' | 'absent' | 'unsettled'>) =>
  [c.present.unclear + c.absent.unclear + c.unsettled.unclear, [c.present, c.absent, c.unsettled].reduce((n, j) => n + j.correct + j.wrong + j.unclear, 0)] as const;

describe('expert reliability against the final labels', () => {
  let report: ExpertReliabilityReport;

  it('gives each expert the counts, rates and Wilson intervals computed from the stored verdicts', async () => {
    const res = await get('Reliability-lead', url());
    expect(res.statusCode, res.body).toBe(200);
    report = ExpertReliabilityReport.parse(res.json());
    const expected = await expectedFigures();
    const finals = await readRows<{ n: number }>(t.database, "SELECT count(*) AS n FROM items WHERE project_id = ? AND status IN ('agreed', 'final')", project.projectId);
    expect(report.reference).toBe('final');
    expect(report.referenceItems).toBe(Number(finals[0]!.n));
    expect(report.referenceItems).toBeGreaterThan(200);
    expect(report.summary).toMatch(/^Measured against the final labels of \d+ items .* blind verdict counts: their latest revision made before they saw the panel’s verdicts\./);
    expect(report.experts.map((e) => e.expert)).toEqual(['panel1', 'panel2', 'panel3']);
    for (const e of report.experts) {
      const x = expected.get(e.expert)!;
      expect(e.role).toBe('expert');
      expect({ items: e.items, present: e.present, absent: e.absent, unsettled: e.unsettled, problematic: e.problematic }).toEqual({
        items: x.items,
        present: x.present,
        absent: x.absent,
        unsettled: x.unsettled,
        problematic: x.problematic,
      });
      expectProportion(e.sensitivity, ...sensitivityOf(x));
      expectProportion(e.specificity, ...specificityOf(x));
      expectProportion(e.unclearRate, ...unclearOf(x));
      expectProportion(e.problematicAgreement, x.problematic.both + x.problematic.neither, x.items);
      expectProportion(e.severityAgreement, x.severity.agreed, x.severity.compared);
      // The generated review has every kind of case: misses, unclear answers, flags and grades on both sides.
      expect(e.present.wrong * e.present.unclear * e.absent.correct * e.unsettled.correct * e.severityAgreement.trials).toBeGreaterThan(0);
    }
    // Revisions after seeing the panel exist, and are left out: the blind verdict is the revision before.
    const after = await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM verdicts WHERE after_seeing_panel = 1');
    expect(Number(after[0]!.n)).toBeGreaterThan(50);
  });

  it('lists an expert × class only with at least 20 present judgements, with its figures', async () => {
    const expected = await expectedFigures();
    expect(report.minPresentPerClass).toBe(20);
    const listed = report.classes.map((c) => `${c.expert}/${c.classKey}`);
    const wanted: string[] = [];
    for (const [expert, x] of [...expected].sort(([a], [b]) => (a < b ? -1 : 1))) {
      for (const [classKey, c] of [...x.byClass].sort(([a], [b]) => (a < b ? -1 : 1))) {
        if (c.present.correct + c.present.wrong + c.present.unclear >= 20) wanted.push(`${expert}/${classKey}`);
      }
    }
    expect(listed).toEqual(wanted);
    expect(listed.length).toBeGreaterThan(3);
    expect(listed.length).toBeLessThan([...expected.values()].reduce((n, x) => n + x.byClass.size, 0));
    const names = new Map(
      (await readRows<{ key: string; names: string }>(t.database, 'SELECT key, names FROM classes WHERE project_id = ?', project.projectId)).map((r) => [r.key, (JSON.parse(r.names) as string[])[0]]),
    );
    for (const c of report.classes) {
      const x = expected.get(c.expert)!.byClass.get(c.classKey)!;
      expect({ present: c.present, absent: c.absent, unsettled: c.unsettled }).toEqual(x);
      expect(c.className).toBe(names.get(c.classKey));
      expectProportion(c.sensitivity, ...sensitivityOf(x));
      expectProportion(c.specificity, ...specificityOf(x));
      expectProportion(c.unclearRate, ...unclearOf(x));
    }
  });

  it('counts the same whatever the step of item ids it reads the project in', async () => {
    const whole = await projectTallies(t.database.queries, project.projectId, FINAL_REFERENCE, 100_000);
    const small = await projectTallies(t.database.queries, project.projectId, FINAL_REFERENCE, 7);
    expect(small.experts).toEqual(whole.experts);
    expect(small.classes).toEqual(whole.classes);
  });

  it('measures against gold items as a second reference, which has none yet', async () => {
    const res = await get('adm', url('?reference=gold'));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ reference: 'gold', referenceItems: 0, experts: [], classes: [], summary: 'Measured against gold items: no gold items yet.' });
  });

  it('is for leads and admins only: an expert gets 403, whoever is signed out 401; bad input is a 400, an unknown project 404', async () => {
    expect((await get('panel1', url())).statusCode).toBe(403);
    expect((await get('panel1', url('?reference=gold'))).statusCode).toBe(403);
    expect((await get(null, url())).statusCode).toBe(401);
    expect((await get('adm', url())).statusCode).toBe(200);
    const bad = await get('adm', url('?reference=panel'));
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'VALIDATION' });
    expect((await get('adm', '/api/projects/abc/expert-reliability')).statusCode).toBe(400);
    expect((await get('adm', '/api/projects/9999/expert-reliability')).statusCode).toBe(404);
    // The CSV download too.
    expect((await get('panel1', `/api/projects/${project.projectId}/exports/expert-reliability`)).statusCode).toBe(403);
  });

  it('downloads as CSV: one row per expert, then per expert × class, under the documented header', async () => {
    const res = await get('Reliability-lead', `/api/projects/${project.projectId}/exports/expert-reliability`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="reliability-expert-reliability.csv"');
    const lines = res.body.split('\r\n');
    expect(lines.pop()).toBe('');
    const header = lines.shift()!.split(',');
    expect(header.slice(0, 7)).toEqual(['reference', 'scope', 'expert', 'role', 'class_key', 'class_name', 'items']);
    expect(header).toHaveLength(37);
    const rows = lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [header[i]!, cell])));
    // Gold has no rows yet: final's experts, then its classes.
    expect(rows.map((r) => `${r.reference}/${r.scope}/${r.expert}/${r.class_key}`)).toEqual([
      ...report.experts.map((e) => `final/expert/${e.expert}/`),
      ...report.classes.map((c) => `final/class/${c.expert}/${c.classKey}`),
    ]);
    const expected = await expectedFigures();
    for (const row of rows.filter((r) => r.scope === 'expert')) {
      const x = expected.get(row.expert!)!;
      expect(Number(row.items)).toBe(x.items);
      expect(Number(row.present_correct)).toBe(x.present.correct);
      expect(Number(row.absent_wrong)).toBe(x.absent.wrong);
      expect(Number(row.unsettled_unclear)).toBe(x.unsettled.unclear);
      const [k, n] = sensitivityOf(x);
      expect(Number(row.sensitivity)).toBeCloseTo(k / n, 12);
      expect(Number(row.sensitivity_low)).toBeCloseTo(wilsonRoots(k, n)[0], 10);
      expect(Number(row.problematic_neither)).toBe(x.problematic.neither);
      expect(Number(row.severity_compared)).toBe(x.severity.compared);
      expect(Number(row.severity_agreed)).toBe(x.severity.agreed);
    }
    for (const row of rows.filter((r) => r.scope === 'class')) {
      expect(row.problematic_both).toBe('');
      expect(row.severity_agreement).toBe('');
      const x = expected.get(row.expert!)!.byClass.get(row.class_key!)!;
      expect(Number(row.present_correct)).toBe(x.present.correct);
      expect(Number(row.specificity_high)).toBeCloseTo(Math.min(1, wilsonRoots(...specificityOf(x))[1]), 10);
    }
  });

  it('is in the bagel archive (version 2), against the final labels then gold, laid out as JSON.stringify lays it', async () => {
    const res = await get('adm', `/api/projects/${project.projectId}/exports/bagel`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe(`${JSON.stringify(JSON.parse(res.body), null, 2)}\n`);
    const archive = BagelArchive.parse(JSON.parse(res.body));
    expect(archive.version).toBe(2);
    expect(archive.expertReliability.map((r) => [r.reference, r.referenceItems])).toEqual([
      ['final', report.referenceItems],
      ['gold', 0],
    ]);
    const [final] = archive.expertReliability;
    const strip = (r: ExpertReliabilityReport) => ({ ...r, generatedAt: '' });
    expect(strip(final!)).toEqual(strip(report));
  });
});

describe('expert reliability of a project without final items', () => {
  it('lists no expert until an item is final', async () => {
    const empty = await seedSyntheticProject(t.database, { name: 'Nothing final', images: 5, models: 1, classes: 10, topK: 2, seed: 3, allWrong: true });
    const res = await get('adm', `/api/projects/${empty.projectId}/expert-reliability`);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json() as ExpertReliabilityReport;
    expect(body).toMatchObject({ referenceItems: 0, experts: [] as ExpertReliability[], classes: [] });
    expect(body.summary).toMatch(/^Measured against the final labels of 0 items/);
  });
});
