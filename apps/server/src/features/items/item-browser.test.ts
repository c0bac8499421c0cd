import {
  DEFAULT_MISTAKE_CATEGORIES,
  DEFAULT_SORT_ORDER,
  type DeskItem,
  type DisputeKind,
  type FinalSeverity,
  type ItemBrowserExperts,
  type ItemBrowserPage,
  ItemBrowserPage as ItemBrowserPageSchema,
  type ItemBrowserRow,
  ItemBrowserSort,
  type ItemStatus,
  type Judgement,
  type ReviewItem,
  type Severity,
  type SortOrder,
  type VerdictRequest,
} from '@bagel/contracts';
import { isMistakeUnderJudgements } from '@bagel/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from '../../../test/synthetic-project';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { buildApp } from '../../app';
import { divisiveness } from '../consensus/item-state';

// A generated project judged through the real routes (verdicts, the lead's decisions), so the browser reads what
// aggregation really stored. Every filter and sort is checked against a computation of its own in this file, from
// each item's desk (the panel's verdicts, the aggregate and final labels as computed when asked) and the item's
// accepted labels and predictions: none of it reads the tables the browser filters on.

let t: TestApp;
const cookies: Record<string, string> = {};
const EXPERTS = ['ann', 'bob', 'cyd', 'dan'] as const;
const CATEGORIES = DEFAULT_MISTAKE_CATEGORIES;
const SEVERITIES: Severity[] = ['Major', 'Minor', 'Borderline'];
let project: SyntheticProject;

/** What the test knows of an item, from its desk and the generated project. */
interface Truth {
  itemId: number;
  file: string;
  status: ItemStatus;
  originalKey: string;
  top1: Map<string, string>;
  wrongModels: string[];
  grades: Map<string, { severity: FinalSeverity; category: string | null }>;
  disputeKinds: Set<DisputeKind>;
  experts: Set<string>;
  divisiveness: number | null;
  modelsWrong: number;
  confidence: number;
  updatedAt: string | null;
}
let truths: Truth[] = [];

const request = (user: string | null, method: 'GET' | 'POST', url: string, payload?: object) => {
  t.clock.advance(1_000);
  return t.app.inject({ method, url, headers: user ? { cookie: cookies[user]! } : {}, payload });
};

async function getJson<T>(user: string, url: string): Promise<T> {
  const res = await request(user, 'GET', url);
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return res.json() as T;
}

/** A valid verdict: the original label correct, other candidates wrong (then `labels` laid over), each mistake graded by `grade`. */
function verdictFor(item: ReviewItem, labels: Record<string, Judgement>, grade: (model: string) => { severity: Severity; category: string }, problematic: string | null = null): VerdictRequest {
  const all: Record<string, Judgement> = {};
  for (const c of item.candidates) all[c.key] = c.key === item.originalLabel!.key ? 'correct' : 'wrong';
  Object.assign(all, labels);
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of item.models) {
    const top1 = m.predictions[0];
    if (top1 && isMistakeUnderJudgements(top1.key, all)) mistakes[m.model] = grade(m.model);
  }
  return { labels: all, mistakes, problematic: problematic === null ? null : { reason: problematic }, comment: '', baseRevision: 0 };
}

async function judge(user: string, itemId: number, body: VerdictRequest): Promise<void> {
  const res = await request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
  expect(res.statusCode, res.body).toBe(201);
}

async function decide(itemId: number, body: VerdictRequest): Promise<void> {
  const { labels, mistakes, problematic } = body;
  const desk = await request('lea', 'GET', `/api/items/${itemId}/desk`);
  expect(desk.statusCode, desk.body).toBe(200);
  const basePanelVersion = desk.json().panelVersion;
  const res = await request('lea', 'POST', `/api/items/${itemId}/decisions`, { labels, mistakes, problematic, note: '', baseDecision: 0, basePanelVersion });
  expect(res.statusCode, res.body).toBe(201);
}

/**
 * Eight kinds of item, in turn: open; in review; agreed (graded); agreed with a wrong model's top-1 judged unclear;
 * disputed on the original label; disputed on grades; disputed on the problematic flag, then finalized by the lead;
 * disputed, then finalized as problematic.
 */
async function reviewItem(itemId: number, k: number): Promise<void> {
  const kind = k % 8;
  if (kind === 0) return;
  const panel = [0, 1, 2].map((i) => EXPERTS[(k + i) % EXPERTS.length]!);
  const item = await getJson<ReviewItem>(panel[0]!, `/api/items/${itemId}`);
  const original = item.originalLabel!.key;
  const steady = (model: string) => ({ severity: SEVERITIES[(k + model.length) % 3]!, category: CATEGORIES[k % CATEGORIES.length]! });
  if (kind === 1) {
    await judge(panel[0]!, itemId, verdictFor(item, {}, steady));
    return;
  }
  const wrongTop1 = item.models.find((m) => m.top1IsMistake)?.predictions[0]?.key;
  const bodies = panel.map((_, e): VerdictRequest => {
    switch (kind) {
      case 3:
        return verdictFor(item, wrongTop1 ? { [wrongTop1]: 'unclear' } : {}, steady);
      case 4:
      case 7:
        return verdictFor(item, { [original]: (['correct', 'wrong', 'unclear'] as const)[e]! }, steady);
      case 5:
        return verdictFor(item, {}, () => ({ severity: SEVERITIES[e]!, category: CATEGORIES[e]! }));
      case 6:
        return verdictFor(item, {}, steady, e === 0 ? 'Excessively edited' : null);
      default:
        return verdictFor(item, {}, steady);
    }
  });
  for (const [e, user] of panel.entries()) await judge(user, itemId, bodies[e]!);
  if (kind === 6) await decide(itemId, bodies[1]!);
  if (kind === 7) await decide(itemId, verdictFor(item, {}, () => ({ severity: 'Major', category: CATEGORIES[0]! }), 'Drawing, painting, cartoon or rendering'));
}

/** The test's own reading of an item: from its desk (computed fresh from the verdicts) and the generated project. */
async function truthOf(itemId: number): Promise<Truth> {
  const desk = await getJson<DeskItem>('lea', `/api/items/${itemId}/desk`);
  const { item, final } = desk;
  const top1 = new Map(item.models.flatMap((m) => (m.predictions[0] ? [[m.model, m.predictions[0].key] as const] : [])));
  let wrongModels: string[];
  const grades = new Map<string, { severity: FinalSeverity; category: string | null }>();
  if (final) {
    // DOMAIN: under the final labels (laid over the accepted labels, judged correct), a top-1 judged neither correct
    // nor unclear is a mistake; a problematic image counts no mistake.
    const merged = new Map<string, Judgement>(item.acceptedLabels.map((key) => [key, 'correct']));
    for (const [key, judgement] of Object.entries(final.labels)) merged.set(key, judgement);
    wrongModels = final.problematic
      ? []
      : [...top1].filter(([, key]) => merged.get(key) !== 'correct' && merged.get(key) !== 'unclear').map(([model]) => model);
    for (const model of wrongModels) {
      const grade = final.mistakes[model];
      grades.set(model, grade ? { severity: grade.severity, category: grade.category } : { severity: 'ungraded', category: null });
    }
  } else {
    wrongModels = [...top1].filter(([, key]) => !item.acceptedLabels.includes(key)).map(([model]) => model);
  }
  const stored = t.db.prepare('SELECT models_wrong, confidence FROM items WHERE id = ?').get(itemId) as { models_wrong: number; confidence: number };
  const consensus = t.db.prepare('SELECT updated_at FROM item_consensus WHERE item_id = ?').get(itemId) as { updated_at: string } | undefined;
  return {
    itemId,
    file: item.image.file,
    status: item.status,
    originalKey: item.originalLabel!.key,
    top1,
    wrongModels,
    grades,
    // An incomplete panel's classes lack votes, which is no dispute yet.
    disputeKinds: new Set(desk.consensus.status === 'incomplete' ? [] : desk.consensus.disputes.map((d) => d.kind)),
    experts: new Set(desk.verdicts.map((v) => v.expert)),
    divisiveness: desk.verdicts.length === 0 ? null : divisiveness(desk.consensus),
    modelsWrong: stored.models_wrong,
    confidence: stored.confidence,
    updatedAt: consensus?.updated_at ?? null,
  };
}

const itemsUrl = (query: Record<string, string | number> = {}, projectId = project.projectId) =>
  `/api/projects/${projectId}/items?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`;

async function page(query: Record<string, string | number>, user = 'lea'): Promise<ItemBrowserPage> {
  return ItemBrowserPageSchema.parse(await getJson(user, itemsUrl(query)));
}

/** Every matching row, in the server's order, read in pages of `limit`. */
async function allRows(query: Record<string, string | number>, limit = 500): Promise<ItemBrowserRow[]> {
  const rows: ItemBrowserRow[] = [];
  for (let offset = 0; ; offset += limit) {
    const p = await page({ ...query, offset, limit, count: 'exact' });
    rows.push(...p.rows);
    if (offset + limit >= p.total!) {
      expect(rows).toHaveLength(p.total!);
      return rows;
    }
  }
}

/** Every matching row, in the server's order, read as a scrolling list does: each page after the last one's cursor. */
async function allRowsByCursor(query: Record<string, string | number>, limit: number): Promise<ItemBrowserRow[]> {
  const first = await page({ ...query, limit, count: 'exact' });
  const rows = [...first.rows];
  let next = first.next;
  while (next !== null) {
    const p = await page({ ...query, after: next, limit });
    expect(p.total, 'a page after a cursor is not counted').toBeNull();
    expect(p.offset).toBeNull();
    expect(p.rows.length, 'only a page with a cursor after it is full').toBe(p.next === null ? p.rows.length : limit);
    rows.push(...p.rows);
    next = p.next;
  }
  expect(rows).toHaveLength(first.total!);
  return rows;
}

const ids = (list: readonly { itemId: number }[]) => list.map((r) => r.itemId);

beforeAll(async () => {
  t = await createTestApp();
  for (const name of EXPERTS) await createUser(t.database, name, 'expert', 'browser-test-password');
  await createUser(t.database, 'lea', 'lead', 'browser-test-password');
  await createUser(t.database, 'adm', 'admin', 'browser-test-password');
  for (const name of [...EXPERTS, 'lea', 'adm']) cookies[name] = await login(t.app, name, 'browser-test-password');
  // A small vocabulary and top-3, so classes recur across items and as several models' top-1.
  project = await seedSyntheticProject(t.database, { name: 'browser', images: 90, models: 3, classes: 12, topK: 3, panelSize: 3, seed: 17 });
  const itemIds = (t.db.prepare('SELECT id FROM items WHERE project_id = ? ORDER BY id').all(project.projectId) as { id: number }[]).map((r) => r.id);
  for (const [k, itemId] of itemIds.entries()) await reviewItem(itemId, k);
  truths = [];
  for (const itemId of itemIds) truths.push(await truthOf(itemId));
}, 60_000);
afterAll(() => t.close());

describe('the generated review', () => {
  it('covers every status, every dispute kind, several grades and an image left out as problematic', () => {
    const statuses = new Set(truths.map((x) => x.status));
    expect([...statuses].sort()).toEqual(['agreed', 'disputed', 'final', 'in_review', 'open']);
    const kinds = new Set(truths.flatMap((x) => [...x.disputeKinds]));
    expect([...kinds].sort()).toEqual(['category', 'class', 'problematic', 'severity']);
    const severities = new Set(truths.flatMap((x) => [...x.grades.values()].map((g) => g.severity)));
    expect(severities.size).toBeGreaterThanOrEqual(3);
    // Final items whose final labels leave no model wrong, and agreed items with a top-1 judged unclear.
    expect(truths.some((x) => x.status === 'final' && x.wrongModels.length === 0)).toBe(true);
    expect(truths.some((x) => x.status === 'agreed' && x.wrongModels.length < x.modelsWrong)).toBe(true);
  });
});

describe('GET /api/projects/:projectId/items: filters', () => {
  /** Checks a filter against the expected items, sorted by id. */
  async function expectFilter(query: Record<string, string>, keep: (x: Truth) => boolean, options: { nonEmpty?: boolean } = {}) {
    const expected = truths.filter(keep).map((x) => x.itemId);
    if (options.nonEmpty !== false) expect(expected.length, `the test data has items for ${JSON.stringify(query)}`).toBeGreaterThan(0);
    const rows = await allRows({ ...query, sort: 'id', order: 'asc' });
    expect(ids(rows), JSON.stringify(query)).toEqual(expected);
  }

  it('without a filter lists every item of the project', async () => {
    const rows = await allRows({ sort: 'id' });
    expect(ids(rows)).toEqual(truths.map((x) => x.itemId));
    // An empty value, as a form sends a blank field, is no filter.
    expect((await page({ status: '', class: '', wrongModel: '', expert: '' })).total).toBe(truths.length);
  });

  it('status', async () => {
    for (const status of ['open', 'in_review', 'agreed', 'disputed', 'final'] as const) await expectFilter({ status }, (x) => x.status === status);
  });

  it("class: the original label or any model's top-1", async () => {
    let viaModelOnly = 0;
    for (const key of project.classKeys) {
      const keep = (x: Truth) => x.originalKey === key || [...x.top1.values()].includes(key);
      viaModelOnly += truths.filter((x) => keep(x) && x.originalKey !== key).length;
      await expectFilter({ class: key }, keep, { nonEmpty: false });
    }
    expect(viaModelOnly).toBeGreaterThan(0);
  });

  it('disputed reason: the kinds of the current disputes', async () => {
    for (const kind of ['class', 'problematic', 'severity', 'category'] as const) await expectFilter({ disputeKind: kind }, (x) => x.disputeKinds.has(kind));
  });

  it('disputed reason with a status: only disputed and final items have dispute kinds, and every one is found', async () => {
    for (const kind of ['class', 'problematic', 'severity', 'category'] as const) {
      for (const status of ['open', 'in_review', 'agreed', 'disputed', 'final'] as const) {
        await expectFilter({ disputeKind: kind, status }, (x) => x.disputeKinds.has(kind) && x.status === status, { nonEmpty: false });
      }
      // Sorted by status, each status a segment of its own: the same items.
      const expected = truths.filter((x) => x.disputeKinds.has(kind)).map((x) => x.itemId).sort((a, b) => a - b);
      expect(ids(await allRows({ disputeKind: kind, sort: 'status', order: 'asc' })).sort((a, b) => a - b)).toEqual(expected);
    }
    expect(truths.some((x) => x.status === 'final' && x.disputeKinds.size > 0), 'a final item with dispute kinds in the test data').toBe(true);
  });

  it('wrong model: under the final labels when the item has them, else outside the accepted labels', async () => {
    for (const model of project.modelNames) await expectFilter({ wrongModel: model }, (x) => x.wrongModels.includes(model));
  });

  it('severity and category: the final grade of any mistake, or of the wrong model given', async () => {
    for (const severity of SEVERITIES) await expectFilter({ severity }, (x) => [...x.grades.values()].some((g) => g.severity === severity));
    await expectFilter({ severity: 'ungraded' }, (x) => [...x.grades.values()].some((g) => g.severity === 'ungraded'), { nonEmpty: false });
    for (const category of CATEGORIES) await expectFilter({ category }, (x) => [...x.grades.values()].some((g) => g.category === category), { nonEmpty: false });
    for (const model of project.modelNames) {
      for (const severity of SEVERITIES) {
        await expectFilter({ wrongModel: model, severity }, (x) => x.grades.get(model)?.severity === severity, { nonEmpty: false });
      }
    }
    // With both, one and the same mistake has them.
    for (const severity of SEVERITIES) {
      for (const category of CATEGORIES) {
        await expectFilter({ severity, category }, (x) => [...x.grades.values()].some((g) => g.severity === severity && g.category === category), { nonEmpty: false });
      }
    }
  });

  it('expert: items they have a current verdict on', async () => {
    for (const expert of EXPERTS) await expectFilter({ expert }, (x) => x.experts.has(expert));
    await expectFilter({ expert: 'lea' }, (x) => x.experts.has('lea'), { nonEmpty: false });
  });


  it('expert with a status: an item with a verdict is never open', async () => {
    const expert = EXPERTS[0]!;
    expect(truths.filter((x) => x.experts.has(expert)).length).toBeGreaterThan(0);
    for (const status of ['open', 'in_review', 'agreed', 'disputed', 'final'] as const) {
      await expectFilter({ expert, status }, (x) => x.experts.has(expert) && x.status === status, { nonEmpty: false });
    }
  });
  it('combines filters with AND', async () => {
    await expectFilter({ status: 'disputed', expert: 'bob' }, (x) => x.status === 'disputed' && x.experts.has('bob'));
    await expectFilter({ disputeKind: 'class', wrongModel: project.modelNames[0]! }, (x) => x.disputeKinds.has('class') && x.wrongModels.includes(project.modelNames[0]!));
    const key = truths[5]!.originalKey;
    await expectFilter({ class: key, status: 'open' }, (x) => (x.originalKey === key || [...x.top1.values()].includes(key)) && x.status === 'open', { nonEmpty: false });
    await expectFilter({ status: 'final', severity: 'Major', expert: 'cyd' }, (x) => x.status === 'final' && [...x.grades.values()].some((g) => g.severity === 'Major') && x.experts.has('cyd'), {
      nonEmpty: false,
    });
  });
});

describe('GET /api/projects/:projectId/items: rows, sorts and pages', () => {
  it('gives each row what the item is now', async () => {
    const rows = await allRows({ sort: 'id' });
    for (const row of rows) {
      const x = truths.find((truth) => truth.itemId === row.itemId)!;
      expect(row.file).toBe(x.file);
      expect(row.status).toBe(x.status);
      expect(row.originalLabel.key).toBe(x.originalKey);
      expect(row.previewUrl).toBe(`/api/projects/${project.projectId}/images/${row.imageId}/preview?width=128`);
      expect(row.wrongModels).toEqual(project.modelNames.filter((m) => x.wrongModels.includes(m)));
      expect(row.grades).toEqual(project.modelNames.flatMap((model) => (x.grades.has(model) ? [{ model, ...x.grades.get(model)! }] : [])));
      expect(new Set(row.disputeKinds)).toEqual(x.disputeKinds);
      expect(row.verdictCount).toBe(x.experts.size);
      expect(row.modelsWrong).toBe(x.modelsWrong);
      if (x.divisiveness === null) expect(row.divisiveness).toBeNull();
      else expect(row.divisiveness).toBeCloseTo(x.divisiveness, 10);
      expect(row.updatedAt).toBe(x.updatedAt);
    }
  });

  const STATUS_RANK: Record<ItemStatus, number> = { open: 0, in_review: 1, disputed: 2, agreed: 3, final: 4 };
  /** Compares two items on a sort key, ascending; null keys are handled apart (they always come last). */
  const keyOf: Record<ItemBrowserSort, (x: Truth) => (number | string)[] | null> = {
    priority: (x) => [x.modelsWrong, x.confidence],
    id: () => [],
    file: (x) => [x.file],
    status: (x) => [STATUS_RANK[x.status]],
    divisiveness: (x) => (x.divisiveness === null ? null : [x.divisiveness]),
    verdicts: (x) => [x.experts.size],
    updated: (x) => (x.updatedAt === null ? null : [x.updatedAt]),
  };
  function expectedOrder(sort: ItemBrowserSort, order: SortOrder): number[] {
    const sign = order === 'asc' ? 1 : -1;
    const compare = (a: Truth, b: Truth) => {
      const ka = keyOf[sort](a);
      const kb = keyOf[sort](b);
      if (ka === null || kb === null) return ka === kb ? sign * (a.itemId - b.itemId) : ka === null ? 1 : -1;
      for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return sign * (ka[i]! < kb[i]! ? -1 : 1);
      return sign * (a.itemId - b.itemId);
    };
    return [...truths].sort(compare).map((x) => x.itemId);
  }

  it('sorts by every key, both ways, ties by item id; without `order`, the key’s default', async () => {
    for (const sort of ItemBrowserSort.options) {
      for (const order of ['asc', 'desc'] as const) expect(ids(await allRows({ sort, order })), `${sort} ${order}`).toEqual(expectedOrder(sort, order));
      expect(ids(await allRows({ sort })), `${sort} default`).toEqual(expectedOrder(sort, DEFAULT_SORT_ORDER[sort]));
    }
    // Scrolled page after page (pages of 7: across every segment's boundary), the same order.
    for (const sort of ItemBrowserSort.options) {
      for (const order of ['asc', 'desc'] as const) expect(ids(await allRowsByCursor({ sort, order }, 7)), `${sort} ${order} by cursor`).toEqual(expectedOrder(sort, order));
    }
    // The default sort is the queue's priority, highest first.
    expect(ids(await allRows({}))).toEqual(expectedOrder('priority', 'desc'));
    // Nulls (no verdict yet) last in both directions.
    const divisive = ids(await allRows({ sort: 'divisiveness', order: 'asc' }));
    expect(truths.find((x) => x.itemId === divisive.at(-1))!.divisiveness).toBeNull();
  });

  it('pages: consecutive pages make the whole list; a page past the end is empty with the same total', async () => {
    // The consensus sorts read the items with a consensus, then those without: pages across and past the boundary.
    const queries: Record<string, string>[] = [
      { sort: 'file', order: 'desc', wrongModel: project.modelNames[1]! },
      { sort: 'divisiveness', order: 'asc', wrongModel: project.modelNames[1]! },
      { sort: 'updated', order: 'desc' },
    ];
    for (const query of queries) {
      const whole = await allRows(query);
      expect(whole.length).toBeGreaterThan(14);
      const unjudged = whole.filter((row) => row.updatedAt === null).length;
      // Pages of 3: one across the boundary, and one wholly past it at least.
      if (query.sort !== 'file') expect(Math.min(whole.length - unjudged, unjudged), 'matches on both sides of the boundary').toBeGreaterThan(4);
      const pages: ItemBrowserRow[] = [];
      for (let offset = 0; offset < whole.length; offset += 3) {
        const p = await page({ ...query, offset, limit: 3, count: 'exact' });
        expect(p).toMatchObject({ total: whole.length, offset, limit: 3 });
        pages.push(...p.rows);
        // A page read by offset ends with the cursor of the page after it, read from the index.
        if (offset + 3 < whole.length) expect(ids((await page({ ...query, after: p.next!, limit: 3 })).rows), `after offset ${offset}`).toEqual(ids(whole.slice(offset + 3, offset + 6)));
        else expect(p.next).toBeNull();
      }
      expect(ids(pages), query.sort).toEqual(ids(whole));
      expect(ids(await allRowsByCursor(query, 3)), `${query.sort} by cursor`).toEqual(ids(whole));
      expect(await page({ ...query, offset: whole.length + 10, limit: 7, count: 'exact' })).toEqual({ total: whole.length, offset: whole.length + 10, limit: 7, next: null, rows: [] });
    }
  });
});

describe('GET /api/projects/:projectId/items: access and validation', () => {
  it('is for leads and admins: 403 for an expert, 401 signed out, 404 for an unknown project', async () => {
    expect((await request('adm', 'GET', itemsUrl())).statusCode).toBe(200);
    const asExpert = await request('ann', 'GET', itemsUrl());
    expect(asExpert.statusCode).toBe(403);
    expect((await request('ann', 'GET', `${itemsUrl()}`.replace('/items?', '/items/experts?'))).statusCode).toBe(403);
    expect((await request(null, 'GET', itemsUrl())).statusCode).toBe(401);
    expect((await request('lea', 'GET', itemsUrl({}, 9999))).statusCode).toBe(404);
  });

  it('answers 400 naming an unknown class, model, category or expert', async () => {
    const cases: [Record<string, string>, string, string][] = [
      [{ class: 'n99999999' }, 'class', "Unknown class 'n99999999'"],
      [{ wrongModel: 'gpt-vision' }, 'wrongModel', "Unknown model 'gpt-vision'"],
      [{ category: 'Bad lighting' }, 'category', "Unknown category 'Bad lighting'"],
      [{ expert: 'zoe' }, 'expert', "Unknown expert 'zoe'"],
    ];
    for (const [query, field, message] of cases) {
      const res = await request('lea', 'GET', itemsUrl(query));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'UNKNOWN_FILTER_VALUE', field });
      expect(res.json().message).toContain(message);
    }
  });

  it('answers 400 on a value outside the contract', async () => {
    const invalid: Record<string, string>[] = [
      { status: 'closed' },
      { disputeKind: 'label' },
      { severity: 'Fatal' },
      { sort: 'name' },
      { order: 'up' },
      { limit: '0' },
      { limit: '501' },
      { offset: '-1' },
      { offset: 'ten' },
    ];
    for (const query of invalid) {
      const res = await request('lea', 'GET', itemsUrl(query));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
      expect(res.json().message).toContain(`querystring.${Object.keys(query)[0]}`);
    }
  });

  it('answers 400 INVALID_CURSOR on a cursor of another sort or order, or one it did not make', async () => {
    const first = await page({ sort: 'priority', order: 'desc', limit: 2 });
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const cases: [Record<string, string>, string][] = [
      [{ sort: 'priority', order: 'asc', after: first.next! }, "continues the sort 'priority' desc, not 'priority' asc"],
      [{ sort: 'verdicts', order: 'desc', after: first.next! }, "continues the sort 'priority' desc, not 'verdicts' desc"],
      [{ sort: 'priority', order: 'desc', after: 'bm90LWpzb24' }, 'not a cursor this server made'],
      // Keys of the wrong kind or number, a segment the sort does not have, an id that is no whole number.
      [{ sort: 'priority', order: 'desc', after: forge(['priority', 'desc', 0, 'two', 0.5, 3]) }, 'not a cursor this server made'],
      [{ sort: 'priority', order: 'desc', after: forge(['priority', 'desc', 0, 1.5, 0.5, 3]) }, 'not a cursor this server made'],
      [{ sort: 'priority', order: 'desc', after: forge(['priority', 'desc', 0, 2, 3]) }, 'not a cursor this server made'],
      [{ sort: 'status', order: 'asc', after: forge(['status', 'asc', 5, 3]) }, 'not a cursor this server made'],
      [{ sort: 'file', order: 'asc', after: forge(['file', 'asc', 0, 'a\u0000b', 3]) }, 'not a cursor this server made'],
      [{ sort: 'id', order: 'asc', after: forge(['id', 'asc', 0, '3']) }, 'not a cursor this server made'],
    ];
    for (const [query, message] of cases) {
      const res = await request('lea', 'GET', itemsUrl(query));
      expect(res.statusCode, JSON.stringify(query)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_CURSOR', field: 'after' });
      expect(res.json().message).toContain(message);
    }
    // Outside the contract's characters or length: the contract's 400.
    for (const after of ['not base64!', 'A'.repeat(2001)]) {
      const res = await request('lea', 'GET', itemsUrl({ after }));
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
    }
  });

  it('lists the leads and experts with their current verdicts in the project', async () => {
    const { experts } = await getJson<ItemBrowserExperts>('lea', `/api/projects/${project.projectId}/items/experts`);
    expect(experts).toEqual(
      [...EXPERTS.map((name) => ({ username: name, role: 'expert' })), { username: 'lea', role: 'lead' }]
        .sort((a, b) => a.username.localeCompare(b.username))
        .map((e) => ({ ...e, verdicts: truths.filter((x) => x.experts.has(e.username)).length })),
    );
  });
});

describe('after a change of an item', () => {
  it('follows a reopen: the final grades go, the wrong models are those outside the accepted labels again', async () => {
    const agreed = truths.find((x) => x.status === 'agreed' && x.grades.size > 0)!;
    const model = [...agreed.grades.keys()][0]!;
    const severity = agreed.grades.get(model)!.severity;
    expect(ids((await page({ severity, wrongModel: model, limit: 500 })).rows)).toContain(agreed.itemId);
    // A status under a consensus sort is read from item_consensus's copy of the item's status (migration 027).
    const underConsensusSorts = async (status: string) => {
      const lists = await Promise.all((['divisiveness', 'updated'] as const).map(async (sort) => ids((await page({ status, sort, limit: 500 })).rows)));
      return lists.map((list) => list.includes(agreed.itemId));
    };
    expect(await underConsensusSorts('agreed')).toEqual([true, true]);
    const res = await request('lea', 'POST', `/api/items/${agreed.itemId}/reopen`, { note: 'look again', baseDecision: 0 });
    expect(res.statusCode, res.body).toBe(201);
    const now = await truthOf(agreed.itemId);
    expect(now.status).toBe('disputed');
    expect(await underConsensusSorts('agreed')).toEqual([false, false]);
    expect(await underConsensusSorts('disputed')).toEqual([true, true]);
    expect((await page({ severity, wrongModel: model, limit: 500 })).rows.map((r) => r.itemId)).not.toContain(agreed.itemId);
    const row = (await page({ status: 'disputed', limit: 500 })).rows.find((r) => r.itemId === agreed.itemId)!;
    expect(row.grades).toEqual([]);
    expect(row.wrongModels).toEqual(project.modelNames.filter((m) => now.wrongModels.includes(m)));
    for (const m of project.modelNames) {
      expect(ids((await page({ wrongModel: m, limit: 500 })).rows).includes(agreed.itemId), m).toBe(now.wrongModels.includes(m));
    }
  });

  it('filters by a model past the positions kept as bits (64 models)', async () => {
    const wide = await seedSyntheticProject(t.database, { name: 'browser-wide', images: 12, models: 64, classes: 12, topK: 2, seed: 3 });
    for (const model of [wide.modelNames[0]!, wide.modelNames[61]!, wide.modelNames[62]!, wide.modelNames[63]!]) {
      const res = await request('lea', 'GET', itemsUrl({ wrongModel: model, sort: 'id', limit: 500 }, wide.projectId));
      expect(res.statusCode, res.body).toBe(200);
      const expected: number[] = [];
      for (const { id } of t.db.prepare('SELECT id FROM items WHERE project_id = ? ORDER BY id').all(wide.projectId) as { id: number }[]) {
        const item = await getJson<ReviewItem>('lea', `/api/items/${id}`);
        const top1 = item.models.find((m) => m.model === model)?.predictions[0]?.key;
        if (top1 !== undefined && !item.acceptedLabels.includes(top1)) expected.push(id);
      }
      expect(expected.length).toBeGreaterThan(0);
      expect(ids(ItemBrowserPageSchema.parse(res.json()).rows), model).toEqual(expected);
    }
  });
});


describe('items aggregated before migration 007 (no facet rows)', () => {
  const snapshot = () => ({
    kinds: t.db.prepare('SELECT * FROM item_dispute_kinds ORDER BY item_id, kind').all(),
    mistakes: t.db.prepare('SELECT * FROM item_final_mistakes ORDER BY item_id, model_id').all(),
    consensus: t.db.prepare('SELECT * FROM item_consensus ORDER BY item_id').all(),
    statuses: t.db.prepare('SELECT id, status FROM items ORDER BY id').all(),
  });

  it('get their facets back when the server starts, and nothing else is rewritten', async () => {
    const before = snapshot();
    expect(before.kinds.length).toBeGreaterThan(0);
    expect(before.mistakes.length).toBeGreaterThan(0);
    // A database aggregated before 007 (consensus rows, no facets), taken back to before migration 008, which runs again.
    t.db.exec('DELETE FROM item_dispute_kinds; DELETE FROM item_final_mistakes; DROP TABLE item_facets_backfill');
    expect((await page({ disputeKind: 'class' })).total).toBe(0);
    t.db.exec(readFileSync(fileURLToPath(new URL('../../db/migrations/008_item_facets_backfill.sql', import.meta.url)), 'utf8'));
    const marked = t.db.prepare('SELECT project_id FROM item_facets_backfill ORDER BY project_id').all();
    expect(marked).toEqual(t.db.prepare('SELECT DISTINCT project_id FROM item_consensus ORDER BY project_id').all());
    expect(marked.length).toBeGreaterThan(0);

    const restarted = await buildApp({ db: t.db, cacheDir: `${t.dir}/cache`, now: () => t.clock.now + 60_000 });
    try {
      expect(snapshot()).toEqual(before);
      expect(t.db.prepare('SELECT count(*) AS n FROM item_facets_backfill').get()).toEqual({ n: 0 });
      const res = await restarted.inject({ method: 'GET', url: itemsUrl({ disputeKind: 'class', sort: 'id', limit: 500 }), headers: { cookie: cookies.lea! } });
      expect(res.statusCode, res.body).toBe(200);
      expect(ids(ItemBrowserPageSchema.parse(res.json()).rows)).toEqual(truths.filter((x) => x.disputeKinds.has('class')).map((x) => x.itemId));
    } finally {
      await restarted.close();
    }
  });
});
