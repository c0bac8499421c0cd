import type { ReviewItem } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeVerdict, createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// Concurrent requests' writes share one commit (group commit): these check that the review loop's answers stay those
// of one transaction per request when the requests arrive together.
let t: TestApp;
const cookies: Record<string, string> = {};
const EXPERTS = ['expert1', 'expert2', 'expert3', 'expert4'];

beforeAll(async () => {
  t = await createTestApp();
  for (const name of EXPERTS) {
    await createUser(t.database, name, 'expert', 'review-password');
    cookies[name] = await login(t.app, name, 'review-password');
  }
});
afterAll(() => t.close());

const as = (user: string) => ({ cookie: cookies[user]! });
const next = (user: string, projectId: number) => t.app.inject({ url: `/api/projects/${projectId}/next`, headers: as(user) });
const postVerdict = (user: string, itemId: number, payload: object) =>
  t.app.inject({ method: 'POST', url: `/api/items/${itemId}/verdicts`, headers: as(user), payload });
const revisions = (itemId: number) =>
  readRows<{ username: string; revision: number; comment: string }>(
    t.database,
    'SELECT u.username, v.revision, v.comment FROM verdicts v JOIN users u ON u.id = v.user_id WHERE v.item_id = ? ORDER BY u.username, v.revision',
    itemId,
  );

describe('verdicts submitted at once', () => {
  it('stores exactly one of two submissions from the same base revision and answers the other 409, beside other experts’ verdicts', async () => {
    // One item, for a panel of 3: the three experts asking at once all get it (none is told the queue is empty while
    // another's claim of it is being written).
    const p = await seedSyntheticProject(t.database, { name: 'concurrent', images: 1, models: 3, panelSize: 3, seed: 7, allWrong: true });
    const items = await Promise.all(EXPERTS.slice(0, 3).map(async (user) => (await next(user, p.projectId)).json() as ReviewItem));
    expect(new Set(items.map((i) => i.id)).size).toBe(1);
    const item = items[0]!;

    const [a, b, other, another] = await Promise.all([
      postVerdict('expert1', item.id, completeVerdict(item, 0, { comment: 'first tab' })),
      postVerdict('expert1', item.id, completeVerdict(item, 0, { comment: 'second tab' })),
      // The three experts split on the original label (correct, unclear, wrong), so the panel ends disputed: were a
      // majority to agree, the item would be final and a tab that locks the item after all three would be answered
      // ITEM_FINAL, not STALE_REVISION.
      postVerdict('expert2', item.id, completeVerdict(item, 0, { comment: 'expert2', labels: { [item.originalLabel!.key]: 'unclear' } })),
      postVerdict('expert3', item.id, completeVerdict(item, 0, { comment: 'expert3', labels: { [item.originalLabel!.key]: 'wrong' } })),
    ]);
    // Either may be first (on SQLite the one that arrived first is; on PostgreSQL whichever locks the item first).
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const [stored, refused] = a.statusCode === 201 ? ['first tab', b] : ['second tab', a];
    expect(refused.json()).toMatchObject({ code: 'STALE_REVISION', currentRevision: 1 });
    expect(other.statusCode).toBe(201);
    expect(another.statusCode).toBe(201);
    expect(await revisions(item.id)).toEqual([
      { username: 'expert1', revision: 1, comment: stored },
      { username: 'expert2', revision: 1, comment: 'expert2' },
      { username: 'expert3', revision: 1, comment: 'expert3' },
    ]);
    // The aggregate was recomputed with each verdict: the item's panel is complete and its consensus row is there.
    expect(await readRows(t.database, 'SELECT verdict_count, panel_complete FROM items WHERE id = ?', item.id)).toEqual([{ verdict_count: 3, panel_complete: 1 }]);
    expect(await readRows(t.database, 'SELECT count(*) AS n FROM item_consensus WHERE item_id = ?', item.id)).toEqual([{ n: 1 }]);

    // The fourth expert never gets the full item: the queue is empty for them.
    const fourth = await next('expert4', p.projectId);
    expect(fourth.statusCode).toBe(204);
  });
});
