import type { GoldFeedback, SubmittedVerdict, Verdict, VerdictRequest } from '@bagel/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, StaleRevisionError } from '../../../lib/api-client';
import { MemoryStorage } from './memory-storage.test-support';
import { type OutboxEntry, type OutboxEvent, createOutbox } from './outbox';

const STORAGE_KEY = 'bagel.outbox.v1.7';

const request = (comment: string, baseRevision = 0): VerdictRequest => ({
  labels: { n02123045: 'correct' },
  problematic: null,
  mistakes: {},
  comment,
  baseRevision,
});

const verdictOf = (entry: OutboxEntry, revision: number): Verdict => ({
  itemId: entry.itemId,
  expert: 'expert1',
  revision,
  labels: entry.request.labels,
  problematic: null,
  mistakes: {},
  comment: entry.request.comment ?? '',
  createdAt: '2025-01-01T00:00:00.000Z',
  afterSeeingPanel: false, modelsHidden: false,
});

/** A server the test answers by hand: each attempt waits until the test settles it. */
function fakeServer() {
  const attempts: { entry: OutboxEntry; resolve(v: SubmittedVerdict): void; reject(e: unknown): void; signal: AbortSignal }[] = [];
  const send = (entry: OutboxEntry, signal: AbortSignal) =>
    new Promise<SubmittedVerdict>((resolve, reject) => {
      attempts.push({ entry, resolve, reject, signal });
      signal.addEventListener('abort', () => reject(signal.reason));
    });
  return { attempts, send };
}

let keys = 0;
const newKey = () => `key-${++keys}`;

beforeEach(() => {
  vi.useFakeTimers();
  keys = 0;
});
afterEach(() => vi.useRealTimers());

function outboxOn(storage: MemoryStorage, server: ReturnType<typeof fakeServer>, random = () => 0) {
  const outbox = createOutbox({ storage, storageKey: STORAGE_KEY, send: server.send, newKey, random, now: () => Date.now() });
  const events: OutboxEvent[] = [];
  outbox.watch((e) => events.push(e));
  return { outbox, events };
}

const settle = () => vi.advanceTimersByTimeAsync(0);

describe('the verdict outbox', () => {
  it('sends at once with an Idempotency-Key, retries with backoff on network failures with the same key, and forgets it once stored', async () => {
    const storage = new MemoryStorage();
    const server = fakeServer();
    const { outbox, events } = outboxOn(storage, server);
    const entry = outbox.enqueue(12, 1, request('first'));
    expect(entry.key).toBe('key-1');
    await settle();
    expect(server.attempts).toHaveLength(1);
    expect(JSON.parse(storage.getItem(STORAGE_KEY)!)).toHaveLength(1);

    server.attempts[0]!.reject(new ApiError(0, 'The server cannot be reached.'));
    await settle();
    expect(events.map((e) => e.kind)).toEqual(['retrying']);
    expect(outbox.getSnapshot().pending[0]).toMatchObject({ attempts: 1, error: 'The server cannot be reached.' });
    // 0.5 s (jitter 0: the half, 250 ms), then 1 s (500 ms), 2 s (1000 ms)…
    await vi.advanceTimersByTimeAsync(249);
    expect(server.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.attempts).toHaveLength(2);
    server.attempts[1]!.reject(new ApiError(503, 'Service Unavailable'));
    await vi.advanceTimersByTimeAsync(499);
    expect(server.attempts).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.attempts).toHaveLength(3);
    expect(new Set(server.attempts.map((a) => a.entry.key))).toEqual(new Set(['key-1']));

    server.attempts[2]!.resolve(verdictOf(server.attempts[2]!.entry, 1));
    await settle();
    expect(events.map((e) => e.kind)).toEqual(['retrying', 'retrying', 'stored']);
    expect(outbox.getSnapshot()).toMatchObject({ pending: [], refused: [], paused: false });
    expect(outbox.getSnapshot().lastStoredAt).not.toBeNull();
    expect(storage.getItem(STORAGE_KEY)).toBeNull();
  });

  it('caps the wait at 30 s, and an attempt that gets no answer is abandoned and sent again', async () => {
    const server = fakeServer();
    const outbox = createOutbox({ storage: null, storageKey: STORAGE_KEY, send: server.send, newKey, random: () => 0.999999, attemptTimeoutMs: 20_000 });
    outbox.enqueue(3, 1, request('slow'));
    await settle();
    const steps = [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000];
    for (const [i, step] of steps.entries()) {
      server.attempts.at(-1)!.reject(new ApiError(0, 'offline'));
      await vi.advanceTimersByTimeAsync(step - 1);
      expect(server.attempts, `retry ${i + 1}`).toHaveLength(i + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(server.attempts, `retry ${i + 1}`).toHaveLength(i + 2);
    }
    // A request that hangs: aborted after 20 s, then retried (30 s at most later).
    await vi.advanceTimersByTimeAsync(19_999);
    expect(server.attempts.at(-1)!.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.attempts.at(-1)!.signal.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(server.attempts).toHaveLength(steps.length + 2);
  });

  it('pauses on a 401 until the session is resumed, then sends the same entry again', async () => {
    const server = fakeServer();
    const { outbox, events } = outboxOn(new MemoryStorage(), server);
    outbox.enqueue(5, 1, request('needs a session'));
    await settle();
    server.attempts[0]!.reject(new ApiError(401, 'Sign in first'));
    await settle();
    expect(events.map((e) => e.kind)).toEqual(['paused']);
    expect(outbox.getSnapshot().paused).toBe(true);
    // Nothing is sent while paused, however long, and a new submission waits too.
    outbox.enqueue(6, 1, request('another'));
    await vi.advanceTimersByTimeAsync(120_000);
    expect(server.attempts).toHaveLength(1);

    outbox.resume();
    await settle();
    expect(server.attempts.map((a) => [a.entry.itemId, a.entry.key])).toEqual([
      [5, 'key-1'],
      [5, 'key-1'],
      [6, 'key-2'],
    ]);
    expect(outbox.getSnapshot().paused).toBe(false);
  });

  it('stops at a refusal retrying cannot fix, and keeps it (to show) until dismissed', async () => {
    const storage = new MemoryStorage();
    const server = fakeServer();
    const { outbox, events } = outboxOn(storage, server);
    outbox.enqueue(8, 1, request('too late'));
    await settle();
    server.attempts[0]!.reject(new ApiError(409, 'Item 8 is final', 'ITEM_FINAL'));
    await settle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.attempts).toHaveLength(1);
    expect(events.map((e) => e.kind)).toEqual(['refused']);
    const [refused] = outbox.getSnapshot().refused;
    expect(refused).toMatchObject({ itemId: 8, status: 'refused', code: 'ITEM_FINAL', error: 'Item 8 is final' });
    expect(outbox.getSnapshot().pending).toEqual([]);
    // Kept across a reload, until dismissed.
    expect(createOutbox({ storage, storageKey: STORAGE_KEY, send: server.send, newKey }).getSnapshot().refused).toHaveLength(1);
    outbox.dismiss(refused!.key);
    expect(outbox.getSnapshot().refused).toEqual([]);
    expect(storage.getItem(STORAGE_KEY)).toBeNull();

    outbox.enqueue(9, 1, request('stale'));
    await settle();
    server.attempts[1]!.reject(new StaleRevisionError('Your verdict is at revision 1', 1));
    await settle();
    expect(outbox.getSnapshot().refused[0]).toMatchObject({ itemId: 9, code: 'STALE_REVISION' });
  });

  it('keeps the feedback that came with a stored verdict (a gold item’s) until dismissed or followed by another, in memory only', async () => {
    const storage = new MemoryStorage();
    const server = fakeServer();
    const { outbox } = outboxOn(storage, server);
    const feedback = (name: string): GoldFeedback => ({
      matched: false,
      classes: [{ key: 'n04146614', name, yours: 'correct', answer: 'wrong' }],
      problematic: { yours: false, answer: false },
    });
    const gold = outbox.enqueue(40, 1, request('a gold item'));
    const plain = outbox.enqueue(41, 1, request('an ordinary item'));
    await settle();
    server.attempts[0]!.resolve({ ...verdictOf(gold, 1), goldFeedback: feedback('school bus') });
    await settle();
    expect(outbox.getSnapshot().goldFeedback).toEqual({ key: gold.key, itemId: 40, feedback: feedback('school bus') });
    expect(storage.getItem(STORAGE_KEY)).not.toContain('school bus');
    // An ordinary verdict stored meanwhile leaves it; another gold item's replaces it.
    server.attempts[1]!.resolve(verdictOf(plain, 1));
    await settle();
    expect(outbox.getSnapshot().goldFeedback?.itemId).toBe(40);
    const next = outbox.enqueue(42, 1, request('another gold item'));
    await settle();
    server.attempts[2]!.resolve({ ...verdictOf(next, 1), goldFeedback: feedback('coffee mug') });
    await settle();
    expect(outbox.getSnapshot().goldFeedback).toMatchObject({ key: next.key, itemId: 42 });
    // Dismissing an older one changes nothing; the one shown goes.
    outbox.dismissGoldFeedback(gold.key);
    expect(outbox.getSnapshot().goldFeedback?.itemId).toBe(42);
    outbox.dismissGoldFeedback(next.key);
    expect(outbox.getSnapshot().goldFeedback).toBeNull();
  });

  it('resumes after a reload: what the last page left is sent at once, with the same keys', async () => {
    const storage = new MemoryStorage();
    const first = fakeServer();
    const before = outboxOn(storage, first).outbox;
    before.enqueue(21, 1, request('a'));
    before.enqueue(22, 1, request('b'));
    await settle();
    first.attempts.forEach((a) => a.reject(new ApiError(0, 'offline')));
    await settle();
    before.stop(); // the page is gone

    const server = fakeServer();
    const { outbox } = outboxOn(storage, server);
    expect(outbox.getSnapshot().pending.map((e) => e.key)).toEqual(['key-1', 'key-2']);
    outbox.retryNow();
    await settle();
    expect(server.attempts.map((a) => a.entry.key)).toEqual(['key-1', 'key-2']);
  });

  it('queues the same verdict of an item once; a revision made meanwhile waits for it and then revises the stored revision', async () => {
    const server = fakeServer();
    const { outbox } = outboxOn(new MemoryStorage(), server);
    const first = outbox.enqueue(30, 1, request('judged'));
    expect(outbox.enqueue(30, 1, request('judged')).key).toBe(first.key);
    const revised = outbox.enqueue(30, 1, request('judged, then changed'));
    const other = outbox.enqueue(31, 1, request('another item'));
    await settle();
    // One submission of an item at a time; another item's goes beside it.
    expect(server.attempts.map((a) => a.entry.key)).toEqual([first.key, other.key]);
    server.attempts[0]!.resolve(verdictOf(server.attempts[0]!.entry, 1));
    await settle();
    expect(server.attempts[2]!.entry).toMatchObject({ key: revised.key, request: { comment: 'judged, then changed', baseRevision: 1 } });
  });

  it('keeps what another tab queued when it writes its own entries back', async () => {
    const storage = new MemoryStorage();
    const tabA = outboxOn(storage, fakeServer()).outbox;
    const serverB = fakeServer();
    const tabB = outboxOn(storage, serverB).outbox;
    tabA.enqueue(40, 1, request('from tab A'));
    const fromB = tabB.enqueue(41, 1, request('from tab B'));
    await settle();
    serverB.attempts[0]!.resolve(verdictOf(fromB, 1));
    await settle();
    const stored = JSON.parse(storage.getItem(STORAGE_KEY)!) as OutboxEntry[];
    expect(stored.map((e) => e.itemId)).toEqual([40]);
  });
});
