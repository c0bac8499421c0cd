import type { ReviewItem, Verdict, VerdictDraft } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import type { DraftVerdict } from './draft-verdict';
import { type LocalDraft, chooseDraft, createLocalDrafts, draftOfRequest, sameDraft } from './local-drafts';
import { MemoryStorage } from './memory-storage.test-support';

const TABBY = 'n02123045';
const TIGER = 'n02123159';

function item(overrides: Partial<ReviewItem> = {}): ReviewItem {
  return {
    id: 7,
    projectId: 1,
    status: 'in_review',
    image: { id: 3, file: 'chelsea.png', missing: false, previewUrl: '/p', originalUrl: '/o' },
    originalLabel: { key: TABBY, index: 281, names: ['tabby'], gloss: '' },
    acceptedLabels: [TABBY],
    candidates: [{ key: TABBY, index: 281, names: ['tabby'], gloss: '', sources: [{ kind: 'original' }] }],
    models: [],
    mistakeCategories: ['Fine-grained error'],
    myVerdict: null,
    myDraft: null,
    claimExpiresAt: null,
    panelSeenAt: null,
    modelEvidence: { hidden: false, revealedAt: null },
    ...overrides,
  };
}

const draft = (comment: string, baseRevision = 0): DraftVerdict => ({
  itemId: 7,
  baseRevision,
  labels: { [TABBY]: 'wrong', [TIGER]: 'correct' },
  addedKeys: [],
  mistakes: { A: { severity: 'Major' } },
  problematic: false,
  problematicReason: '',
  comment,
});

const serverDraft = (comment: string, updatedAt: string, baseRevision = 0): VerdictDraft => {
  const { itemId, ...rest } = draft(comment, baseRevision);
  return { ...rest, itemId, updatedAt };
};

const localCopy = (d: DraftVerdict, overrides: Partial<LocalDraft> = {}): LocalDraft => ({
  draft: d,
  savedAt: 1000,
  synced: false,
  refused: false,
  serverUpdatedAt: null,
  ...overrides,
});

const verdict = (revision: number): Verdict => ({
  itemId: 7,
  expert: 'expert1',
  revision,
  labels: { [TABBY]: 'correct' },
  problematic: null,
  mistakes: {},
  comment: 'stored',
  createdAt: '2025-01-01T00:00:00.000Z',
  afterSeeingPanel: false, modelsHidden: false,
});

describe('local drafts', () => {
  it('keeps one copy per reviewer and item, read back as written; another reviewer’s are not theirs', () => {
    const storage = new MemoryStorage();
    const mine = createLocalDrafts(storage, 1);
    const theirs = createLocalDrafts(storage, 2);
    mine.write(localCopy(draft('half done')));
    expect(mine.read(7)).toEqual(localCopy(draft('half done')));
    expect(theirs.read(7)).toBeNull();
    expect(theirs.all()).toEqual([]);
    expect(mine.all()).toHaveLength(1);
    mine.remove(7);
    expect(mine.read(7)).toBeNull();
  });

  it('ignores a copy it cannot read (another version, edited by hand) rather than failing', () => {
    const storage = new MemoryStorage();
    storage.setItem('bagel.draft.v1.1.7', '{not json');
    storage.setItem('bagel.draft.v1.1.8', JSON.stringify({ draft: { labels: 'x' }, savedAt: 1, synced: false }));
    const local = createLocalDrafts(storage, 1);
    expect(local.read(7)).toBeNull();
    expect(local.read(8)).toBeNull();
    expect(local.all()).toEqual([]);
  });
});

describe('chooseDraft', () => {
  it('starts from the item when there is no draft', () => {
    expect(chooseDraft(item(), null)).toEqual({ draft: expect.objectContaining({ labels: {}, baseRevision: 0 }), restoredFrom: null, kept: null });
  });

  it('brings back this browser’s copy (a reload, a crash), and prefers it while the server has not got it', () => {
    const choice = chooseDraft(item({ myDraft: serverDraft('older, from the server', '2025-01-01T10:00:00.000Z') }), localCopy(draft('newer, unsent')));
    expect(choice).toEqual({ draft: draft('newer, unsent'), restoredFrom: 'this-device', kept: null });
  });

  it('brings back the server’s copy on another device, and when another device saved one after this browser did', () => {
    expect(chooseDraft(item({ myDraft: serverDraft('from elsewhere', '2025-01-01T10:00:00.000Z') }), null)).toMatchObject({
      draft: { comment: 'from elsewhere' },
      restoredFrom: 'server',
    });
    const synced = localCopy(draft('saved here at 9'), { synced: true, serverUpdatedAt: '2025-01-01T09:00:00.000Z' });
    expect(chooseDraft(item({ myDraft: serverDraft('saved elsewhere at 10', '2025-01-01T10:00:00.000Z') }), synced).draft.comment).toBe(
      'saved elsewhere at 10',
    );
    const same = localCopy(draft('saved here at 10'), { synced: true, serverUpdatedAt: '2025-01-01T10:00:00.000Z' });
    expect(chooseDraft(item({ myDraft: serverDraft('saved here at 10', '2025-01-01T10:00:00.000Z') }), same)).toMatchObject({
      draft: { comment: 'saved here at 10' },
      restoredFrom: 'this-device',
    });
  });

  it('does not bring back a synced copy whose server copy is gone (submitted or thrown away elsewhere)', () => {
    const synced = localCopy(draft('submitted from the other tab'), { synced: true, serverUpdatedAt: '2025-01-01T09:00:00.000Z' });
    expect(chooseDraft(item(), synced)).toMatchObject({ restoredFrom: null, kept: null, draft: { labels: {} } });
  });

  it('offers, without applying, a draft of an earlier revision (refused as stale, or a verdict stored elsewhere since)', () => {
    const revised = item({ myVerdict: verdict(1) });
    const choice = chooseDraft(revised, localCopy(draft('made on revision 0'), { refused: true }));
    expect(choice.draft).toMatchObject({ baseRevision: 1, comment: 'stored' });
    expect(choice.restoredFrom).toBeNull();
    expect(choice.kept).toEqual(draft('made on revision 0'));
  });

  it('shows an agreed or final item as judged: a draft is neither applied nor offered there', () => {
    for (const status of ['agreed', 'final'] as const) {
      expect(chooseDraft(item({ status, myDraft: serverDraft('x', '2025-01-01T10:00:00.000Z') }), localCopy(draft('y')))).toMatchObject({
        restoredFrom: null,
        kept: null,
        draft: { labels: {} },
      });
    }
  });

  it('compares drafts by content, whatever the order of their keys', () => {
    const a = draft('same');
    const b = { ...a, labels: { [TIGER]: 'correct' as const, [TABBY]: 'wrong' as const }, mistakes: { A: { severity: 'Major' as const, category: undefined } } };
    expect(sameDraft(a, b)).toBe(true);
    expect(sameDraft(a, { ...a, comment: 'other' })).toBe(false);
  });

  it('turns a refused verdict back into a draft, its classes listed', () => {
    const back = draftOfRequest(7, {
      labels: { [TABBY]: 'wrong', [TIGER]: 'correct' },
      problematic: { reason: 'Drawing' },
      mistakes: { A: { severity: 'Minor', category: 'Fine-grained error' } },
      comment: 'refused',
      baseRevision: 2,
    });
    expect(back).toEqual({
      itemId: 7,
      baseRevision: 2,
      labels: { [TABBY]: 'wrong', [TIGER]: 'correct' },
      addedKeys: [TABBY, TIGER],
      mistakes: { A: { severity: 'Minor', category: 'Fine-grained error' } },
      problematic: true,
      problematicReason: 'Drawing',
      comment: 'refused',
    });
  });
});
