import type { VerdictRequest } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import type { DraftVerdict } from './draft-verdict';
import { createLocalDrafts } from './local-drafts';
import { MemoryStorage } from './memory-storage.test-support';
import { type OutboxEntry, outboxStorageKey } from './outbox';
import { countUnsentWork, unsentWorkSentence } from './unsent-work';

const request: VerdictRequest = { labels: { n02123045: 'correct' }, problematic: null, mistakes: {}, comment: 'tabby', baseRevision: 0 };

const entry = (key: string, itemId: number, status: OutboxEntry['status'] = 'pending'): OutboxEntry => ({
  key,
  itemId,
  projectId: 1,
  request,
  queuedAt: 0,
  attempts: 1,
  nextAttemptAt: 0,
  status,
  error: null,
  code: null,
});

const draft = (itemId: number): DraftVerdict => ({
  itemId,
  baseRevision: 0,
  labels: { n02123045: 'wrong' },
  addedKeys: [],
  mistakes: {},
  problematic: false,
  problematicReason: '',
  comment: '',
});

describe('the unsent work this browser keeps, as the sign-in form tells it', () => {
  it('counts the pending verdicts and the drafts the server has not got, of every reviewer, a draft under a waiting verdict once', () => {
    const storage = new MemoryStorage();
    expect(countUnsentWork(storage)).toEqual({ verdicts: 0, drafts: 0 });
    storage.setItem(outboxStorageKey(7), JSON.stringify([entry('a', 10), entry('b', 11), entry('c', 12, 'refused')]));
    const mine = createLocalDrafts(storage, 7);
    mine.write({ draft: draft(10), savedAt: 1, synced: false, refused: false, serverUpdatedAt: null }); // its verdict waits
    mine.write({ draft: draft(20), savedAt: 1, synced: false, refused: false, serverUpdatedAt: null }); // to send
    mine.write({ draft: draft(21), savedAt: 1, synced: true, refused: false, serverUpdatedAt: 'x' }); // on the server already
    mine.write({ draft: draft(22), savedAt: 1, synced: false, refused: true, serverUpdatedAt: null }); // not sent again
    createLocalDrafts(storage, 8).write({ draft: draft(30), savedAt: 1, synced: false, refused: false, serverUpdatedAt: null });
    storage.setItem('bagel.outbox.v1.junk', '[]');
    storage.setItem('unrelated', 'x');
    expect(countUnsentWork(storage)).toEqual({ verdicts: 2, drafts: 2 });
    expect(countUnsentWork(null)).toEqual({ verdicts: 0, drafts: 0 });
  });

  it('says what is kept in words, or nothing', () => {
    expect(unsentWorkSentence({ verdicts: 0, drafts: 0 })).toBeNull();
    expect(unsentWorkSentence({ verdicts: 1, drafts: 0 })).toBe(
      'This browser keeps 1 verdict not yet saved on the server; it is sent once you sign in again with the same account.',
    );
    expect(unsentWorkSentence({ verdicts: 1, drafts: 2 })).toBe(
      'This browser keeps 1 verdict and 2 drafts not yet saved on the server; they are sent once you sign in again with the same account.',
    );
    expect(unsentWorkSentence({ verdicts: 0, drafts: 1 })).toContain('keeps 1 draft not yet saved');
  });
});
