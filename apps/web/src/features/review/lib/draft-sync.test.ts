import type { VerdictDraft, VerdictDraftRequest } from '@bagel/contracts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import type { DraftVerdict } from './draft-verdict';
import { createDraftSync } from './draft-sync';
import { createLocalDrafts } from './local-drafts';
import { MemoryStorage } from './memory-storage.test-support';

const draft = (comment: string, itemId = 7, baseRevision = 0): DraftVerdict => ({
  itemId,
  baseRevision,
  labels: { n02123045: 'wrong' },
  addedKeys: [],
  mistakes: {},
  problematic: false,
  problematicReason: '',
  comment,
});

function fakeServer() {
  const puts: { itemId: number; body: VerdictDraftRequest; resolve(): void; reject(e: unknown): void }[] = [];
  const removes: number[] = [];
  let clock = 0;
  return {
    puts,
    removes,
    put: (itemId: number, body: VerdictDraftRequest) =>
      new Promise<VerdictDraft>((resolve, reject) => {
        puts.push({ itemId, body, resolve: () => resolve({ ...body, itemId, updatedAt: `2025-01-01T00:00:0${++clock}.000Z` }), reject });
      }),
    remove: async (itemId: number) => {
      removes.push(itemId);
    },
  };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function setUp() {
  const storage = new MemoryStorage();
  const local = createLocalDrafts(storage, 1);
  const server = fakeServer();
  const saved: VerdictDraft[] = [];
  const unauthorized = vi.fn();
  const sync = createDraftSync({ local, put: server.put, remove: server.remove, onSaved: (d) => saved.push(d), onUnauthorized: unauthorized, debounceMs: 800, random: () => 0 });
  return { storage, local, server, saved, unauthorized, sync };
}

describe('draft sync', () => {
  it('keeps each change in this browser at once and saves the last one on the server 0.8 s after the changes stop', async () => {
    const { local, server, saved, sync } = setUp();
    sync.edited(draft('a'), false);
    expect(local.read(7)).toMatchObject({ draft: { comment: 'a' }, synced: false });
    expect(sync.stateOf(7)).toBe('local');
    await vi.advanceTimersByTimeAsync(500);
    sync.edited(draft('ab'), false);
    await vi.advanceTimersByTimeAsync(799);
    expect(server.puts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(server.puts.map((p) => p.body.comment)).toEqual(['ab']);
    expect(sync.stateOf(7)).toBe('saving');
    server.puts[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(sync.stateOf(7)).toBe('saved');
    expect(local.read(7)).toMatchObject({ synced: true, serverUpdatedAt: '2025-01-01T00:00:01.000Z' });
    expect(saved.map((d) => d.comment)).toEqual(['ab']);
  });

  it('saves again when the draft changed while a save was under way', async () => {
    const { local, server, sync } = setUp();
    sync.edited(draft('first'), false);
    await vi.advanceTimersByTimeAsync(800);
    sync.edited(draft('second'), false);
    server.puts[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(local.read(7)).toMatchObject({ draft: { comment: 'second' }, synced: false });
    await vi.advanceTimersByTimeAsync(800);
    expect(server.puts.map((p) => p.body.comment)).toEqual(['first', 'second']);
  });

  it('keeps the draft in this browser while the server cannot be reached, retrying with backoff, and on a 401 waits for the sign-in', async () => {
    const { local, server, sync, unauthorized } = setUp();
    sync.edited(draft('offline'), false);
    await vi.advanceTimersByTimeAsync(800);
    server.puts[0]!.reject(new ApiError(0, 'offline'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sync.stateOf(7)).toBe('offline');
    expect(local.read(7)).toMatchObject({ synced: false });
    await vi.advanceTimersByTimeAsync(250);
    expect(server.puts).toHaveLength(2);
    server.puts[1]!.reject(new ApiError(401, 'Sign in first'));
    await vi.advanceTimersByTimeAsync(0);
    expect(sync.stateOf(7)).toBe('session');
    expect(unauthorized).toHaveBeenCalledOnce();
    sync.edited(draft('offline, still typing'), false);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.puts).toHaveLength(2);
    sync.resume();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.puts.map((p) => p.body.comment)).toEqual(['offline', 'offline', 'offline, still typing']);
  });

  it('sends what an earlier page left unsent, and never a draft whose verdict was submitted', async () => {
    const { local, server, sync } = setUp();
    local.write({ draft: draft('left by the last page', 7), savedAt: 1, synced: false, refused: false, serverUpdatedAt: null });
    local.write({ draft: draft('already saved', 8), savedAt: 1, synced: true, refused: false, serverUpdatedAt: 'x' });
    local.write({ draft: draft('refused as stale', 9), savedAt: 1, synced: false, refused: true, serverUpdatedAt: null });
    sync.flushAll();
    await vi.advanceTimersByTimeAsync(0);
    expect(server.puts.map((p) => p.itemId)).toEqual([7]);

    sync.edited(draft('submitted', 10), false);
    sync.supersede(10);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(server.puts.map((p) => p.itemId)).toEqual([7]);
    expect(local.read(10)).not.toBeNull(); // kept until the verdict is stored
    sync.forget(10);
    expect(local.read(10)).toBeNull();
  });

  it('keeps a draft the server refuses as stale (in this browser only), and forgets one for an item that is gone', async () => {
    const { local, server, sync } = setUp();
    sync.edited(draft('made on revision 0', 7), false);
    sync.edited(draft('gone', 8), false);
    await vi.advanceTimersByTimeAsync(800);
    server.puts[0]!.reject(new ApiError(409, 'revision 1 is stored', 'DRAFT_STALE'));
    server.puts[1]!.reject(new ApiError(404, 'Item 8 not found', 'NOT_FOUND'));
    await vi.advanceTimersByTimeAsync(60_000);
    expect(server.puts).toHaveLength(2);
    expect(local.read(7)).toMatchObject({ refused: true, draft: { comment: 'made on revision 0' } });
    expect(sync.stateOf(7)).toBe('refused');
    expect(local.read(8)).toBeNull();
  });

  it('drops the draft, here and on the server, once it is back to where the item started', async () => {
    const { local, server, sync } = setUp();
    sync.edited(draft('x'), false);
    await vi.advanceTimersByTimeAsync(800);
    server.puts[0]!.resolve();
    await vi.advanceTimersByTimeAsync(0);
    sync.edited(draft(''), true);
    await vi.advanceTimersByTimeAsync(5_000);
    expect(local.read(7)).toBeNull();
    expect(server.removes).toEqual([7]);
    expect(server.puts).toHaveLength(1);
    expect(sync.stateOf(7)).toBe('none');
  });
});
