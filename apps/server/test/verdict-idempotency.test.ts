import type { ReviewItem } from '@bagel/contracts';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEMPOTENCY_KEY_RETENTION_MS } from '../src/features/review/idempotency.repository';
import { completeVerdict, createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// A client retries a verdict it got no answer for with the same Idempotency-Key: whatever happened to the first
// request, one revision is stored and every attempt gets the first one's answer.
let t: TestApp;
const cookies: Record<string, string> = {};
const USERS = ['expert1', 'expert2', 'expert3'];

beforeAll(async () => {
  t = await createTestApp();
  for (const name of USERS) {
    await createUser(t.database, name, 'expert', 'review-password');
    cookies[name] = await login(t.app, name, 'review-password');
  }
});
afterAll(() => t.close());

const as = (user: string, key?: string) => ({ cookie: cookies[user]!, ...(key === undefined ? {} : { 'idempotency-key': key }) });
const next = async (user: string, projectId: number): Promise<ReviewItem> => {
  const res = await t.app.inject({ url: `/api/projects/${projectId}/next`, headers: as(user) });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const postVerdict = (user: string, itemId: number, payload: object, key?: string) =>
  t.app.inject({ method: 'POST', url: `/api/items/${itemId}/verdicts`, headers: as(user, key), payload });
const revisions = async (itemId: number, user: string) =>
  (
    await readRows<{ revision: number }>(
      t.database,
      'SELECT v.revision FROM verdicts v JOIN users u ON u.id = v.user_id WHERE v.item_id = ? AND u.username = ? ORDER BY v.revision',
      itemId,
      user,
    )
  ).map((r) => r.revision);
const verdictCount = async (itemId: number) => (await readRows<{ n: number }>(t.database, 'SELECT verdict_count AS n FROM items WHERE id = ?', itemId))[0]!.n;

let seq = 0;
const project = () => seedSyntheticProject(t.database, { name: `idempotency-${++seq}`, images: 12, models: 3, panelSize: 3, seed: 40 + seq });

describe('Idempotency-Key on a verdict', () => {
  it('stores one revision for a repeated POST and answers the repeat exactly as the first (status and body)', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    const key = randomUUID();
    const body = completeVerdict(item, 0, { comment: 'sent once, answered twice' });
    const first = await postVerdict('expert1', item.id, body, key);
    expect(first.statusCode, first.body).toBe(201);
    t.clock.advance(5_000);
    const repeat = await postVerdict('expert1', item.id, body, key);
    expect(repeat.statusCode).toBe(201);
    expect(repeat.body).toBe(first.body);
    expect(repeat.json()).toMatchObject({ revision: 1, comment: 'sent once, answered twice' });
    expect(await revisions(item.id, 'expert1')).toEqual([1]);
    expect(await verdictCount(item.id)).toBe(1);

    // A new submission (a new key) from the same base is the usual stale revision; from the new base, revision 2.
    const stale = await postVerdict('expert1', item.id, body, randomUUID());
    expect(stale.statusCode).toBe(409);
    expect(stale.json()).toMatchObject({ code: 'STALE_REVISION', currentRevision: 1 });
    const revised = await postVerdict('expert1', item.id, completeVerdict(item, 1), randomUUID());
    expect(revised.statusCode).toBe(201);
    expect(await revisions(item.id, 'expert1')).toEqual([1, 2]);
    // The first key still answers as it did then, not with the current state.
    const late = await postVerdict('expert1', item.id, body, key);
    expect(late.statusCode).toBe(201);
    expect(late.body).toBe(first.body);
    expect(await revisions(item.id, 'expert1')).toEqual([1, 2]);
  });

  it('stores one revision when the duplicates arrive at the same time, and answers every one alike', async () => {
    const p = await project();
    const item = await next('expert2', p.projectId);
    const key = randomUUID();
    const body = completeVerdict(item, 0, { comment: 'five copies in flight' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => postVerdict('expert2', item.id, body, key)));
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(201);
      expect(answer.body).toBe(answers[0]!.body);
    }
    expect(await revisions(item.id, 'expert2')).toEqual([1]);
    expect(await verdictCount(item.id)).toBe(1);
  });

  it('answers a repeat of a refused request with the same refusal (409), and stores nothing for it', async () => {
    const p = await project();
    const item = await next('expert3', p.projectId);
    expect((await postVerdict('expert3', item.id, completeVerdict(item, 0))).statusCode).toBe(201);
    const key = randomUUID();
    const body = completeVerdict(item, 0, { comment: 'made from revision 0' });
    const first = await postVerdict('expert3', item.id, body, key);
    expect(first.statusCode).toBe(409);
    expect(first.json()).toMatchObject({ code: 'STALE_REVISION' });
    const repeat = await postVerdict('expert3', item.id, body, key);
    expect(repeat.statusCode).toBe(409);
    expect(repeat.body).toBe(first.body);
    expect(await revisions(item.id, 'expert3')).toEqual([1]);
  });

  it('refuses the same key with another body or another item with 422 IDEMPOTENCY_KEY_REUSED, storing nothing', async () => {
    const p = await project();
    const item = await next('expert1', p.projectId);
    const other = await next('expert1', p.projectId).then(() => t.app.inject({ url: `/api/projects/${p.projectId}/next?after=${item.id}`, headers: as('expert1') }));
    const otherItem = other.json() as ReviewItem;
    expect(otherItem.id).not.toBe(item.id);
    const key = randomUUID();
    expect((await postVerdict('expert1', item.id, completeVerdict(item, 0, { comment: 'the first' }), key)).statusCode).toBe(201);

    const changed = await postVerdict('expert1', item.id, completeVerdict(item, 0, { comment: 'another body' }), key);
    expect(changed.statusCode).toBe(422);
    expect(changed.json()).toMatchObject({ statusCode: 422, code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(changed.json().message).toMatch(/Idempotency-Key/);
    const elsewhere = await postVerdict('expert1', otherItem.id, completeVerdict(otherItem, 0), key);
    expect(elsewhere.statusCode).toBe(422);
    expect(elsewhere.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect(await revisions(item.id, 'expert1')).toEqual([1]);
    expect(await revisions(otherItem.id, 'expert1')).toEqual([]);
  });

  it('keeps keys per user: another user with the same key stores their own verdict', async () => {
    const p = await project();
    const key = randomUUID();
    const [a, b] = [await next('expert1', p.projectId), await next('expert2', p.projectId)];
    expect(a.id).toBe(b.id);
    const first = await postVerdict('expert1', a.id, completeVerdict(a, 0), key);
    const second = await postVerdict('expert2', b.id, completeVerdict(b, 0), key);
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toMatchObject({ expert: 'expert2', revision: 1 });
    expect(await verdictCount(a.id)).toBe(2);
  });

  it('validates the header: an empty or spaced key is a 400 naming it, and a POST without a key still works', async () => {
    const p = await project();
    const item = await next('expert2', p.projectId);
    for (const bad of ['', 'has a space', 'x'.repeat(256)]) {
      const res = await postVerdict('expert2', item.id, completeVerdict(item, 0), bad);
      expect(res.statusCode, bad).toBe(400);
      expect(res.json()).toMatchObject({ code: 'VALIDATION' });
      expect(res.json().message).toContain('idempotency-key');
    }
    expect(await revisions(item.id, 'expert2')).toEqual([]);
    expect((await postVerdict('expert2', item.id, completeVerdict(item, 0))).statusCode).toBe(201);
  });

  it('keeps a key at least 24 hours, and sweeps keys older than that', async () => {
    const p = await project();
    const item = await next('expert3', p.projectId);
    const key = randomUUID();
    const body = completeVerdict(item, 0);
    const first = await postVerdict('expert3', item.id, body, key);
    expect(first.statusCode).toBe(201);
    t.clock.advance(IDEMPOTENCY_KEY_RETENTION_MS - 60_000);
    cookies.expert3 = await login(t.app, 'expert3', 'review-password'); // sessions last 12 hours
    expect((await postVerdict('expert3', item.id, body, key)).body).toBe(first.body);
    const stored = async (k: string) => (await readRows<{ n: number }>(t.database, 'SELECT count(*) AS n FROM idempotency_keys WHERE idempotency_key = ?', k))[0]!;
    expect((await stored(key)).n).toBe(1);

    // A day and more later, the next key recorded sweeps it.
    t.clock.advance(2 * 60 * 60_000);
    for (const name of USERS) cookies[name] = await login(t.app, name, 'review-password');
    const later = await next('expert3', p.projectId);
    expect((await postVerdict('expert3', later.id, completeVerdict(later, 0), randomUUID())).statusCode).toBe(201);
    expect((await stored(key)).n).toBe(0);
  });
});
