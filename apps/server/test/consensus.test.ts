import type { DeskItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsensusRepository } from '../src/features/consensus/consensus.repository';
import { projectCatalog } from '../src/features/projects/project-catalog';
import { seedReviewedProject } from './reviewed-project';
import { createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
let cookie: string;
beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.database, 'lea', 'lead', 'consensus-password');
  cookie = await login(t.app, 'lea', 'consensus-password');
});
afterAll(() => t.close());

describe('aggregation candidates', () => {
  it("are the review item's candidates, in the same order, on items with overlapping and distinct top-k", async () => {
    // Random top-5 of 4 models: candidates overlap between models on some items and not on others, and the model
    // ids are not in the order of the models' positions for the packed predictions to get wrong.
    const p = await seedSyntheticProject(t.database, { name: 'candidates', images: 60, models: 4, classes: 12, topK: 5, seed: 11 });
    await readRows(t.database, 'UPDATE models SET position = 3 - position WHERE project_id = ?', p.projectId);
    const items = await readRows<{ id: number }>(t.database, 'SELECT id FROM items WHERE project_id = ? ORDER BY id', p.projectId);
    expect(items.length).toBeGreaterThan(20);
    for (const { id } of items) {
      const res = await t.app.inject({ url: `/api/items/${id}/desk`, headers: { cookie } });
      expect(res.statusCode, res.body).toBe(200);
      const desk = res.json() as DeskItem;
      // No verdict yet: the aggregate lists exactly its candidates, none judged.
      expect(desk.consensus.classes.map((c) => c.key)).toEqual(desk.item.candidates.map((c) => c.key));
      expect(desk.consensus).toMatchObject({ status: 'incomplete', verdictCount: 0 });
      expect(desk.item.status).toBe('open');
    }
  });
});

describe('the contexts of a list of items', () => {
  it('are those of the range they span, however many ids (bound in several statements) and in whatever order', async () => {
    // More judged items than one statement binds ids for (1,000).
    const p = await seedReviewedProject(t.database, { name: 'many', items: 1300, judged: 1200, panelSize: 1, models: 2, seed: 3, password: 'consensus-password' });
    const ids = (await readRows<{ id: number }>(t.database, 'SELECT id FROM items WHERE project_id = ? ORDER BY id', p.projectId)).map((r) => r.id);
    const repository = createConsensusRepository(t.database.queries);
    const entry = (await projectCatalog(t.database).get(p.projectId))!;
    const listed = await repository.loadListContexts(entry, [...ids].reverse().concat(ids.slice(0, 10)));
    expect(listed.length).toBe(1200);
    expect(listed).toEqual(await repository.loadRangeContexts(entry, ids[0]!, ids[ids.length - 1]! + 1));
  });
});
