// The facet tables hold exactly the rows the items' states give (computed here on their own, from the states): a range
// replaced as a whole, other projects' rows in the range kept, an item without consensus left with none.
import type { DisputeKind, FinalSeverity } from '@bagel/contracts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSyntheticProject } from '../../../test/synthetic-project';
import type { Database } from '../../db/database';
import { openDatabase, type Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { createItemFacetsRepository, type ItemFacetsSource } from './item-facets.repository';

const KINDS: DisputeKind[] = ['class', 'problematic', 'severity', 'category'];
const SEVERITIES: (FinalSeverity | null)[] = ['Major', 'Minor', 'Borderline', 'ungraded', null];

let dir: string;
let db: Db;
let database: Database;
let first: number[];
let second: number[];
let firstProject: number;
let secondProject: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bagel-facets-'));
  db = openDatabase(join(dir, 'test.sqlite'));
  database = sqliteDatabase(db);
  const itemsOf = (projectId: number) => (db.prepare('SELECT id FROM items WHERE project_id = ? ORDER BY id').all(projectId) as { id: number }[]).map((r) => r.id);
  firstProject = (await seedSyntheticProject(db, { name: 'facets', images: 300, models: 8, seed: 2, allWrong: true })).projectId;
  secondProject = (await seedSyntheticProject(db, { name: 'between', images: 20, models: 2, seed: 3, allWrong: true })).projectId;
  first = itemsOf(firstProject);
  second = itemsOf(secondProject);
  // Another project's items between the first project's ids, as interleaved imports leave them.
  db.prepare('UPDATE items SET project_id = ? WHERE id IN (SELECT id FROM items WHERE project_id = ? ORDER BY id LIMIT 5 OFFSET 10)').run(secondProject, firstProject);
  first = itemsOf(firstProject);
  second = itemsOf(secondProject);
});
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A made-up state per item: some kinds of dispute (none for an incomplete panel), a grade per model or none. */
function stateOf(itemId: number, variant: number): ItemFacetsSource {
  const status = (['agreed', 'disputed', 'incomplete'] as const)[(itemId + variant) % 3]!;
  const disputes = KINDS.filter((_, k) => (itemId * (k + 1) + variant) % 3 === 0).flatMap((kind) => [{ kind }, { kind }]);
  const outcomes = Array.from({ length: 8 }, (_, m) => {
    const severity = SEVERITIES[(itemId + m + variant) % SEVERITIES.length]!;
    return { modelId: 1000 + m, severity, category: severity === null || severity === 'ungraded' ? null : `cat-${(itemId + m) % 3}` };
  });
  // An item with grades has final labels: agreed by its panel or decided by the lead (final).
  return { status: (itemId + variant) % 2 === 0 ? 'agreed' : 'final', consensus: { status, disputes }, outcomes };
}

const stored = () => ({
  kinds: db.prepare('SELECT item_id, kind, project_id FROM item_dispute_kinds ORDER BY item_id, kind').all(),
  mistakes: db.prepare('SELECT item_id, model_id, project_id, severity, category, status FROM item_final_mistakes ORDER BY item_id, model_id').all(),
});
const clear = () => db.exec('DELETE FROM item_dispute_kinds; DELETE FROM item_final_mistakes');

type Writer = {
  replaceItem(itemId: number, projectId: number, state: ItemFacetsSource | null): unknown;
  replaceRange(from: number, to: number, projectId: number, items: { itemId: number; projectId: number; state: ItemFacetsSource }[]): unknown;
};

/** Writes the same history through `writer`: both projects' ranges, a range written again, items replaced and removed. */
async function history(writer: Writer): Promise<ReturnType<typeof stored>> {
  clear();
  const range = (ids: number[], projectId: number, variant: number) => ids.map((itemId) => ({ itemId, projectId, state: stateOf(itemId, variant) }));
  const end = Math.max(...first, ...second) + 1;
  await writer.replaceRange(second[0]!, end, secondProject, range(second, secondProject, 0));
  await writer.replaceRange(first[0]!, end, firstProject, range(first, firstProject, 0));
  const afterFirstWrite = stored();
  // Several hundred rows a table: more than one INSERT each.
  expect(afterFirstWrite.mistakes.length).toBeGreaterThan(1000);
  await writer.replaceRange(first[0]!, first[150]!, firstProject, range(first.slice(0, 150), firstProject, 1));
  await writer.replaceItem(first[200]!, firstProject, stateOf(first[200]!, 2));
  await writer.replaceItem(first[201]!, firstProject, null);
  return stored();
}

/** The rows the states give, as the facet tables should hold them: the dispute kinds of a complete panel, once each; the graded outcomes. */
function expectedRows(states: Map<number, { projectId: number; state: ItemFacetsSource }>) {
  const kinds: { item_id: number; kind: string; project_id: number }[] = [];
  const mistakes: { item_id: number; model_id: number; project_id: number; severity: string; category: string | null; status: string }[] = [];
  for (const [itemId, { projectId, state }] of [...states].sort((a, b) => a[0] - b[0])) {
    if (state.consensus.status !== 'incomplete') {
      for (const kind of [...new Set(state.consensus.disputes.map((d) => d.kind))].sort()) kinds.push({ item_id: itemId, kind, project_id: projectId });
    }
    for (const o of [...state.outcomes].sort((a, b) => a.modelId - b.modelId)) {
      if (o.severity !== null) mistakes.push({ item_id: itemId, model_id: o.modelId, project_id: projectId, severity: o.severity, category: o.category, status: state.status });
    }
  }
  return { kinds, mistakes };
}

describe('item facets', () => {
  it('are the rows the items\' states give, through every replacement of a history', async () => {
    const written = await history(createItemFacetsRepository(database.queries));
    const states = new Map<number, { projectId: number; state: ItemFacetsSource }>();
    for (const itemId of second) states.set(itemId, { projectId: secondProject, state: stateOf(itemId, 0) });
    first.forEach((itemId, i) => states.set(itemId, { projectId: firstProject, state: stateOf(itemId, i < 150 ? 1 : 0) }));
    states.set(first[200]!, { projectId: firstProject, state: stateOf(first[200]!, 2) });
    states.delete(first[201]!);
    expect(written).toEqual(expectedRows(states));
    // The other project's rows inside the first project's ranges were kept.
    expect(written.kinds.filter((r) => (r as { project_id: number }).project_id === secondProject).length).toBeGreaterThan(0);
    expect(written.mistakes.filter((r) => (r as { item_id: number }).item_id === first[201])).toEqual([]);
  });
});
