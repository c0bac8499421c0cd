// The item browser's pages on either engine: a list scrolled page after page (each page after the cursor of the one
// before, read from an index however deep) is the list the documented order gives, computed here from the stored
// columns; a page by offset agrees with it; counts come from the project's item totals when only the status filters;
// a cursor a client forged is a 400 on both engines, never a query the engine refuses.
import { DEFAULT_MISTAKE_CATEGORIES, ItemBrowserPage, ItemBrowserSort, ItemStatus, type SortOrder } from '@bagel/contracts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CompiledQuery, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Queries } from '../src/db/database';
import { planForFewRows } from '../src/db/dialect';
import { seedReviewedProject, type ReviewedProject } from './reviewed-project';
import { countSql, createItemBrowserRepository, impliedStatus, type ItemFilters, type ListedFilter, type PageCursor } from '../src/features/items/item-browser.repository';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

const PASSWORD = 'long-password-1';
let t: TestApp;
let project: ReviewedProject;
let cookie: string;

beforeAll(async () => {
  t = await createTestApp();
  project = await seedReviewedProject(t.database, { name: 'Pages', items: 240, judged: 130, panelSize: 3, models: 3, seed: 5, decided: 0.1, password: PASSWORD });
  await createUser(t.database, 'adm', 'admin', PASSWORD);
  cookie = await login(t.app, 'adm', PASSWORD);
}, 120_000);
afterAll(() => t.close());

/** A node of PostgreSQL's JSON plan, and the nodes under it. */
interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

async function page(query: Record<string, string | number>): Promise<ItemBrowserPage> {
  const url = `/api/projects/${project.projectId}/items?${new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]))}`;
  const res = await t.app.inject({ url, headers: { cookie } });
  expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
  return ItemBrowserPage.parse(res.json());
}

async function scrolled(query: Record<string, string>, limit: number): Promise<{ ids: number[]; total: number }> {
  const first = await page({ ...query, limit, count: 'exact' });
  const ids = first.rows.map((r) => r.itemId);
  for (let next = first.next; next !== null; ) {
    const p = await page({ ...query, after: next, limit });
    expect(p.total).toBeNull();
    ids.push(...p.rows.map((r) => r.itemId));
    next = p.next;
  }
  return { ids, total: first.total! };
}

interface Stored {
  id: number;
  status: ItemStatus;
  modelsWrong: number;
  confidence: number;
  verdicts: number;
  file: string;
  divisiveness: number | null;
  updatedAt: string | null;
}

/** The project's items as stored (the status is the item's own: items.status). */
async function storedItems(): Promise<Stored[]> {
  const rows = await readRows<Stored & { id: number | string }>(
    t.database,
    `SELECT i.id AS "id", i.status AS "status", i.models_wrong AS "modelsWrong", i.confidence AS "confidence", i.verdict_count AS "verdicts", im.file AS "file",
      c.divisiveness AS "divisiveness", c.updated_at AS "updatedAt"
     FROM items i JOIN images im ON im.id = i.image_id LEFT JOIN item_consensus c ON c.item_id = i.id WHERE i.project_id = ?`,
    project.projectId,
  );
  return rows.map((x) => ({ ...x, id: Number(x.id) }));
}

/** The documented order (contracts' ItemBrowserQuery.sort), from the stored columns. */
function expectedOrder(items: Stored[], sort: ItemBrowserSort, order: SortOrder): number[] {
  const statusRank = (s: ItemStatus) => ['open', 'in_review', 'disputed', 'agreed', 'final'].indexOf(s);
  const compare = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);
  const key = (x: Stored): (number | string)[] => {
    switch (sort) {
      case 'priority':
        return [x.modelsWrong, x.confidence];
      case 'id':
        return [];
      case 'file':
        return [x.file];
      case 'status':
        return [statusRank(x.status)];
      case 'verdicts':
        return [x.verdicts];
      case 'divisiveness':
        return [x.divisiveness ?? 0];
      case 'updated':
        return [x.updatedAt ?? ''];
    }
  };
  const sign = order === 'asc' ? 1 : -1;
  const withoutConsensusLast = sort === 'divisiveness' || sort === 'updated';
  return [...items]
    .sort((a, b) => {
      if (withoutConsensusLast && (a.updatedAt === null) !== (b.updatedAt === null)) return a.updatedAt === null ? 1 : -1;
      const [ka, kb] = [[...key(a), a.id], [...key(b), b.id]];
      for (let n = 0; n < ka.length; n++) if (compare(ka[n]!, kb[n]!) !== 0) return sign * compare(ka[n]!, kb[n]!);
      return 0;
    })
    .map((x) => x.id);
}

describe('item browser pages, on this engine', () => {
  it('scrolled by cursor, every sort both ways is the documented order, across the boundaries of its segments', async () => {
    const items = await storedItems();
    const withConsensus = items.filter((x) => x.updatedAt !== null).length;
    expect(withConsensus).toBeGreaterThan(20);
    expect(items.length - withConsensus).toBeGreaterThan(20);
    expect(new Set(items.map((x) => x.status)).size, 'several statuses').toBeGreaterThanOrEqual(4);
    for (const sort of ItemBrowserSort.options) {
      for (const order of ['asc', 'desc'] as const) {
        const { ids, total } = await scrolled({ sort, order }, 11);
        expect(total).toBe(items.length);
        expect(ids, `${sort} ${order}`).toEqual(expectedOrder(items, sort, order));
      }
    }
  });

  it('filtered by a status, every sort both ways is the documented order of the items of that status, across the boundaries of its segments', async () => {
    // The consensus sorts read a status's items from an index of item_consensus with the status first (its copy of
    // items.status): the expected list is computed from items.status, so a copy out of step would show here.
    const items = await storedItems();
    // An open item has no consensus (its status's pages of a consensus sort are all of the second segment, after an
    // empty first); the items of the other statuses all have one (the first segment, then an empty second).
    const withConsensus = (status: ItemStatus) => items.filter((x) => x.status === status && x.updatedAt !== null).length;
    expect(withConsensus('open'), 'open items have no consensus').toBe(0);
    expect(items.filter((x) => x.status === 'open').length).toBeGreaterThan(20);
    expect(withConsensus('agreed')).toBeGreaterThan(20);
    for (const status of ItemStatus.options) {
      const ofStatus = items.filter((x) => x.status === status);
      for (const sort of ItemBrowserSort.options) {
        for (const order of ['asc', 'desc'] as const) {
          const { ids, total } = await scrolled({ status, sort, order }, 7);
          expect(total, `${status} ${sort} ${order}`).toBe(ofStatus.length);
          expect(ids, `${status} ${sort} ${order}`).toEqual(expectedOrder(ofStatus, sort, order));
        }
      }
    }
  });

  it('a dispute kind or a final grade with few matches, where a page starts, gives the items that have it in the documented order', async () => {
    // Every listed filter of this project has few matches (at most FEW_MATCHES): its pages start from its index's list.
    const items = await storedItems();
    const having = async (query: string, ...params: unknown[]) => new Set((await readRows<{ id: number | string }>(t.database, query, ...params)).map((r) => Number(r.id)));
    const cases: [Record<string, string>, Set<number>][] = [
      [{ disputeKind: 'class' }, await having(`SELECT item_id AS "id" FROM item_dispute_kinds WHERE project_id = ? AND kind = 'class'`, project.projectId)],
      [
        { severity: 'Major', category: DEFAULT_MISTAKE_CATEGORIES[0]! },
        await having(
          `SELECT f.item_id AS "id" FROM item_final_mistakes f JOIN items i ON i.id = f.item_id WHERE f.project_id = ? AND i.status IN ('agreed', 'final') AND f.severity = 'Major' AND f.category = ?`,
          project.projectId,
          DEFAULT_MISTAKE_CATEGORIES[0]!,
        ),
      ],
      [
        { severity: 'ungraded' },
        await having(`SELECT f.item_id AS "id" FROM item_final_mistakes f JOIN items i ON i.id = f.item_id WHERE f.project_id = ? AND i.status IN ('agreed', 'final') AND f.severity = 'ungraded'`, project.projectId),
      ],
    ];
    for (const [filter, ids] of cases) {
      expect(ids.size, JSON.stringify(filter)).toBeGreaterThan(4);
      for (const sort of ['divisiveness', 'priority', 'status'] as const) {
        const { ids: scrolledIds, total } = await scrolled({ ...filter, sort, order: 'desc' }, 4);
        expect(total, JSON.stringify(filter)).toBe(ids.size);
        expect(scrolledIds, `${JSON.stringify(filter)} ${sort}`).toEqual(expectedOrder(items.filter((x) => ids.has(x.id)), sort, 'desc'));
      }
    }
    // A grade is of final labels: no item of another status has one (answered without a read).
    for (const sort of ['divisiveness', 'status', 'id'] as const) {
      const none = await page({ status: 'disputed', severity: 'Major', sort, limit: 5, count: 'exact' });
      expect([none.total, none.rows.length, none.next]).toEqual([0, 0, null]);
    }
  });

  it('a dispute kind, a grade or an expert with many matches (a walk of the sort\'s index): every sort both ways, scrolled, is the documented order of its matches', async () => {
    // Read through the repository with no list of few matches to start from (ItemFilters.startFrom), as a project with
    // more than FEW_MATCHES of them is read: a walk of the sort's index, one run per status the filters leave when the
    // index has the status first (by file, always), the dispute kind's and the expert's items probed row by row; and
    // with the one status the filters imply stated, as the service states it.
    const items = await storedItems();
    const byId = new Map(items.map((x) => [x.id, x]));
    const having = async (query: string, ...params: unknown[]) => new Set((await readRows<{ id: number | string }>(t.database, query, ...params)).map((r) => Number(r.id)));
    const expertId = Number((await readRows<{ id: number | string }>(t.database, 'SELECT id AS "id" FROM users WHERE username = ?', project.experts[0]!))[0]!.id);
    const kind = (k: string) => having(`SELECT item_id AS "id" FROM item_dispute_kinds WHERE project_id = ? AND kind = ?`, project.projectId, k);
    const graded = (column: 'severity' | 'category', value: string) =>
      having(`SELECT f.item_id AS "id" FROM item_final_mistakes f JOIN items i ON i.id = f.item_id WHERE f.project_id = ? AND i.status IN ('agreed', 'final') AND f.${column} = ?`, project.projectId, value);
    const judgedBy = await having('SELECT DISTINCT item_id AS "id" FROM verdicts WHERE user_id = ?', expertId);
    const both = (a: Set<number>, b: Set<number>) => new Set([...a].filter((id) => b.has(id)));
    const cases: [ItemFilters, Set<number>][] = [
      [{ disputeKind: 'class' }, await kind('class')],
      [{ severity: 'Major' }, await graded('severity', 'Major')],
      [{ category: DEFAULT_MISTAKE_CATEGORIES[0]! }, await graded('category', DEFAULT_MISTAKE_CATEGORIES[0]!)],
      [{ expertId }, judgedBy],
      [{ disputeKind: 'severity', severity: 'Minor' }, both(await kind('severity'), await graded('severity', 'Minor'))],
      [{ disputeKind: 'class', expertId }, both(await kind('class'), judgedBy)],
      [{ severity: 'Major', expertId }, both(await graded('severity', 'Major'), judgedBy)],
    ];
    for (const [filters] of cases.slice(0, 4)) expect(cases.find(([f]) => f === filters)![1].size, JSON.stringify(filters)).toBeGreaterThan(4);
    const reads = createItemBrowserRepository(t.database.queries);
    for (const [filters, matches] of cases) {
      // And with runs of statuses where the filter's matches are few starting from them, the other runs walking.
      const listed: ListedFilter = filters.disputeKind !== undefined ? 'disputeKind' : filters.severity !== undefined || filters.category !== undefined ? 'grade' : 'expert';
      const startFromIn = { agreed: listed, disputed: listed };
      for (const asked of [filters, { ...filters, status: impliedStatus(filters) }, { ...filters, startFromIn }]) {
        for (const sort of ItemBrowserSort.options) {
          for (const order of ['asc', 'desc'] as const) {
            const ids: number[] = [];
            let after: PageCursor | null = null;
            do {
              const read = await reads.page(project.projectId, asked, sort, order, 4, { after });
              ids.push(...read.ids);
              after = read.next;
            } while (after !== null);
            const expected = expectedOrder([...matches].map((id) => byId.get(id)!), sort, order);
            expect(ids, `${JSON.stringify(asked)} ${sort} ${order}`).toEqual(expected);
          }
        }
      }
    }
    // Statuses are counted apart only for filters that leave a few of them, and none has more than a few matches here:
    // a grade's from its index on either engine (its rows keep their status), a dispute kind's or an expert's through
    // the items on SQLite only, which runs a page as written (PostgreSQL's planner picks its own).
    const sqlite = t.database.engine === 'sqlite';
    expect(await reads.fewMatchesByStatus(project.projectId, { severity: 'Major' })).toEqual({ agreed: 'grade', final: 'grade' });
    expect(await reads.fewMatchesByStatus(project.projectId, { category: DEFAULT_MISTAKE_CATEGORIES[0]!, expertId })).toEqual({ agreed: 'grade', final: 'grade' });
    expect(await reads.fewMatchesByStatus(project.projectId, { disputeKind: 'class', expertId })).toEqual(sqlite ? { disputed: 'disputeKind', final: 'disputeKind' } : {});
    expect(await reads.fewMatchesByStatus(project.projectId, { expertId })).toEqual({});
    expect(await reads.fewMatchesByStatus(project.projectId, { severity: 'Major', status: 'agreed' })).toEqual({});
    expect(await reads.fewMatchesByStatus(project.projectId, { severity: 'Major', startFrom: 'grade' })).toEqual({});
    // A dispute kind with a grade leaves one status: final.
    expect(impliedStatus({ disputeKind: 'severity', severity: 'Minor' })).toBe('final');
    expect(impliedStatus({ disputeKind: 'severity' })).toBeUndefined();
  });

  it('with filters, the scrolled list is the list read by offset, and each offset page ends with the cursor of the next', async () => {
    const queries: Record<string, string>[] = [
      { status: 'agreed', sort: 'divisiveness', order: 'desc' },
      { wrongModel: project.modelNames[0]!, sort: 'status', order: 'desc' },
      { expert: project.experts[0]!, sort: 'updated', order: 'asc' },
      { category: DEFAULT_MISTAKE_CATEGORIES[0]!, sort: 'priority', order: 'asc' },
      { wrongModel: project.modelNames[2]!, sort: 'file', order: 'desc' },
    ];
    // A class filter too: its few matches found first, then sorted; the class with the most items (a few: read a row a
    // page below, so that pages cross from one segment of a sort to the next).
    const byClass = new Map<string, number>();
    for (const row of (await page({ sort: 'id', limit: 500 })).rows) byClass.set(row.originalLabel.key, (byClass.get(row.originalLabel.key) ?? 0) + 1);
    const commonest = [...byClass].sort((a, b) => b[1] - a[1])[0]![0];
    for (const sort of ['updated', 'divisiveness', 'status', 'priority'] as const) {
      for (const order of ['asc', 'desc'] as const) queries.push({ class: commonest, sort, order });
    }
    for (const query of queries) {
      const whole = await page({ ...query, limit: 500 });
      expect(whole.next).toBeNull();
      const { ids, total } = await scrolled(query, query.class === undefined ? 4 : 1);
      expect(total).toBe(whole.total);
      expect(ids, JSON.stringify(query)).toEqual(whole.rows.map((r) => r.itemId));
      if (query.class !== undefined) {
        // A class's pages by cursor are read segment by segment (segmentPageSql, from the class's matches); read by
        // offset, the same list comes from one query over every segment (offsetPageSql), a row at a time.
        const byOffsets: number[] = [];
        for (let offset = 1; offset < ids.length; offset++) byOffsets.push(...(await page({ ...query, offset, limit: 1 })).rows.map((r) => r.itemId));
        expect(byOffsets, JSON.stringify(query)).toEqual(ids.slice(1));
      }
      if (whole.rows.length > 6) {
        const byOffset = await page({ ...query, offset: 3, limit: 2 });
        expect(byOffset.rows.map((r) => r.itemId)).toEqual(ids.slice(3, 5));
        expect((await page({ ...query, after: byOffset.next!, limit: 2 })).rows.map((r) => r.itemId)).toEqual(ids.slice(5, 7));
      }
    }
  });

  it('counts by status from the project totals as a scan of the items counts them', async () => {
    const byStatus = await readRows<{ status: ItemStatus; n: number | string }>(t.database, 'SELECT status AS "status", count(*) AS "n" FROM items WHERE project_id = ? GROUP BY status', project.projectId);
    for (const status of ItemStatus.options) {
      expect((await page({ status, limit: 1 })).total, status).toBe(Number(byStatus.find((r) => r.status === status)?.n ?? 0));
    }
    expect((await page({ limit: 1 })).total).toBe(project.items);
  });

  it('counts a broad filter only when asked, or when its first page holds every match; a class filter always', async () => {
    const model = project.modelNames[0]!;
    const exact = (await page({ wrongModel: model, limit: 1, count: 'exact' })).total!;
    const stored = await readRows<{ n: number | string }>(
      t.database,
      `SELECT count(*) AS "n" FROM items i WHERE i.project_id = ? AND CASE WHEN i.status IN ('agreed', 'final')
         THEN EXISTS (SELECT 1 FROM item_final_mistakes f JOIN models m ON m.id = f.model_id WHERE f.item_id = i.id AND m.name = ?)
         ELSE EXISTS (SELECT 1 FROM predictions p JOIN models m ON m.id = p.model_id WHERE p.image_id = i.image_id AND m.name = ? AND p.rank = 1
           AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx)) END`,
      project.projectId,
      model,
      model,
    );
    expect(exact).toBe(Number(stored[0]!.n));
    expect(exact).toBeGreaterThan(10);
    expect((await page({ wrongModel: model, limit: 10 })).total, 'not counted unless asked').toBeNull();
    expect((await page({ wrongModel: model, limit: 500 })).total, 'every match on the first page').toBe(exact);
    expect((await page({ wrongModel: model, offset: exact - 2, limit: 10 })).total, 'a page by offset that ends the list').toBe(exact);
    const classKey = (await page({ limit: 1 })).rows[0]!.originalLabel.key;
    const byClass = await page({ class: classKey, limit: 1, count: 'exact' });
    expect((await page({ class: classKey, limit: 1 })).total, 'a class filter is counted from its few matches').toBe(byClass.total);
  });

  it("a grade's rows keep their item's status, which migration 035 gave the rows written before it", async () => {
    const statuses = async () => (await readRows<{ status: string }>(t.database, 'SELECT DISTINCT status AS "status" FROM item_final_mistakes ORDER BY 1')).map((r) => r.status);
    const outOfStep = async () =>
      Number((await readRows<{ n: number | string }>(t.database, 'SELECT count(*) AS "n" FROM item_final_mistakes f JOIN items i ON i.id = f.item_id WHERE f.status <> i.status'))[0]!.n);
    expect(await statuses()).toEqual(['agreed', 'final']);
    expect(await outOfStep()).toBe(0);
    // Rows as a database before the migration has them (the column's default for all), then the migration's own UPDATE.
    const migration = readFileSync(fileURLToPath(new URL(`../src/db/migrations/${t.database.engine === 'postgres' ? 'postgres/' : ''}035_final_mistakes_by_status.sql`, import.meta.url)), 'utf8');
    const backfill = migration.split(';').find((statement) => /^\s*UPDATE item_final_mistakes/m.test(statement.replace(/^--.*$/gm, '')))!;
    await readRows(t.database, "UPDATE item_final_mistakes SET status = 'agreed'");
    expect(await outOfStep()).toBeGreaterThan(0);
    await readRows(t.database, backfill);
    expect(await outOfStep()).toBe(0);
    expect(await statuses()).toEqual(['agreed', 'final']);
  });

  it('reads in a transaction planned for few rows on PostgreSQL (its settings for that transaction only), and only there', async () => {
    const settings = async (trx: Queries) =>
      (await sql<{ cost: string; workers: string }>`SELECT current_setting('random_page_cost') AS cost, current_setting('max_parallel_workers_per_gather') AS workers`.execute(trx)).rows[0]!;
    const postgres = t.database.engine === 'postgres';
    const seen = await t.database.slowSnapshot(async (trx) => {
      const before = postgres ? await settings(trx) : null;
      await planForFewRows(trx);
      return { before, inside: postgres ? await settings(trx) : null };
    });
    expect(seen).toEqual(postgres ? { before: { cost: '4', workers: '2' }, inside: { cost: '1.1', workers: '0' } } : { before: null, inside: null });
    // Local to the transaction: the next one on the pooled connections plans as before.
    if (postgres) expect(await t.database.snapshot(settings)).toEqual(seen.before);
  });

  it("a class filter's count reads the class's images from an index alone, not from their rows (migration 036)", async () => {
    const count = countSql(t.database.queries, project.projectId, { classIndex: 7, status: 'open' }).compile(t.database.queries);
    const imageReads = await t.database.snapshot(async (trx) => {
      if (t.database.engine === 'postgres') {
        // A project this small fits in a page or two, where a plain scan is as cheap: the planner is told to use indexes.
        await sql`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`.execute(trx);
        const { rows } = await trx.executeQuery<{ 'QUERY PLAN': [{ Plan: PlanNode }] }>(CompiledQuery.raw(`EXPLAIN (FORMAT JSON) ${count.sql}`, [...count.parameters]));
        return planNodes(rows[0]!['QUERY PLAN'][0].Plan)
          .filter((node) => node['Relation Name'] === 'images')
          .map((node) => `${node['Node Type']} using ${node['Index Name']}`);
      }
      const { rows } = await trx.executeQuery<{ detail: string }>(CompiledQuery.raw(`EXPLAIN QUERY PLAN ${count.sql}`, [...count.parameters]));
      return rows.map((r) => r.detail).filter((detail) => /\bimages\b/.test(detail));
    });
    expect(imageReads).toEqual(
      t.database.engine === 'postgres'
        ? ['Index Only Scan using images_by_original_class']
        : ['SEARCH images USING COVERING INDEX images_by_original_class (project_id=? AND original_class_idx=?)'],
    );
  });

  it('answers 400 to a forged cursor whose keys the engine could not compare', async () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const [sort, cursor] of [
      ['verdicts', ['verdicts', 'desc', 0, 'three', 4]],
      ['verdicts', ['verdicts', 'desc', 0, 2.5, 4]],
      ['updated', ['updated', 'desc', 0, 7, 4]],
      ['file', ['file', 'desc', 0, 'x\u0000', 4]],
      ['id', ['id', 'desc', 0, 2 ** 60]],
    ] as const) {
      const res = await t.app.inject({ url: `/api/projects/${project.projectId}/items?sort=${sort}&order=desc&after=${forge(cursor)}`, headers: { cookie } });
      expect(res.statusCode, JSON.stringify(cursor)).toBe(400);
      expect(res.json()).toMatchObject({ code: 'INVALID_CURSOR' });
    }
  });
});
