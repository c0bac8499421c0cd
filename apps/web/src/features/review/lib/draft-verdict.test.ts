import { DEFAULT_MISTAKE_CATEGORIES, type ReviewItem } from '@bagel/contracts';
import { createVocabulary } from '@bagel/core';
import { describe, expect, it } from 'vitest';
import { candidateLabels, draftFromItem, focusedModelName, reviewCandidates, submitBlockers, verdictRequest } from './draft-verdict';
import { keepCandidateOrder } from './reveal-order';

const cls = (key: string, index: number, names: string[], gloss = '') => ({ key, index, names, gloss });
const TABBY = cls('n02123045', 281, ['tabby', 'tabby cat'], 'a cat with a grey or tawny coat');
const TIGER_CAT = cls('n02123159', 282, ['tiger cat']);
const EGYPTIAN = cls('n02124075', 285, ['Egyptian cat']);
const CRANE_BIRD = cls('n02012849', 134, ['crane']);
const CRANE_MACHINE = cls('n03126707', 517, ['crane']);
const BAGEL = cls('n07693725', 931, ['bagel', 'beigel']);

function demoItem(overrides: Partial<ReviewItem> = {}): ReviewItem {
  const prediction = (c: typeof TABBY, rank: number, score: number | null) => ({ rank, key: c.key, index: c.index, name: c.names[0]!, score });
  return {
    id: 7,
    projectId: 1,
    status: 'open',
    image: { id: 3, file: 'chelsea.png', missing: false, previewUrl: '/p', originalUrl: '/o' },
    originalLabel: TABBY,
    acceptedLabels: [TABBY.key],
    candidates: [
      { ...TABBY, sources: [{ kind: 'original' }, { kind: 'model', model: 'B', rank: 1 }] },
      { ...TIGER_CAT, sources: [{ kind: 'model', model: 'A', rank: 1 }, { kind: 'model', model: 'C', rank: 1 }] },
      { ...EGYPTIAN, sources: [{ kind: 'model', model: 'A', rank: 2 }] },
    ],
    models: [
      { model: 'A', displayName: 'Model A', illustrative: true, top1IsMistake: true, predictions: [prediction(TIGER_CAT, 1, 0.5), prediction(EGYPTIAN, 2, 0.2)] },
      { model: 'B', displayName: 'Model B', illustrative: true, top1IsMistake: false, predictions: [prediction(TABBY, 1, null)] },
      { model: 'C', displayName: 'Model C', illustrative: true, top1IsMistake: true, predictions: [prediction(TIGER_CAT, 1, 0.7)] },
    ],
    mistakeCategories: [...DEFAULT_MISTAKE_CATEGORIES],
    myVerdict: null,
    myDraft: null,
    claimExpiresAt: null,
    panelSeenAt: null,
    modelEvidence: { hidden: false, revealedAt: null },
    ...overrides,
  };
}

describe('draftFromItem', () => {
  it('starts a first verdict with nothing judged and base revision 0', () => {
    const draft = draftFromItem(demoItem());
    expect(draft).toMatchObject({ itemId: 7, baseRevision: 0, labels: {}, mistakes: {}, problematic: false, comment: '' });
  });

  it('starts a revision from the stored verdict, with its revision as the base', () => {
    const item = demoItem({
      myVerdict: {
        itemId: 7,
        expert: 'expert1',
        revision: 2,
        labels: { [TABBY.key]: 'correct', [TIGER_CAT.key]: 'wrong', [BAGEL.key]: 'correct' },
        problematic: { reason: 'Excessively edited' },
        mistakes: { A: { severity: 'Minor', category: 'Fine-grained error' } },
        comment: 'looked it up',
        createdAt: '2025-01-01T00:00:00Z',
        afterSeeingPanel: false,
        modelsHidden: false,
      },
    });
    const draft = draftFromItem(item);
    expect(draft.baseRevision).toBe(2);
    expect(draft.labels[TIGER_CAT.key]).toBe('wrong');
    expect(draft.addedKeys).toEqual([BAGEL.key]);
    expect(draft).toMatchObject({ problematic: true, problematicReason: 'Excessively edited', comment: 'looked it up' });
  });
});

/** The item as an expert gets it with the models hidden (modelEvidence): the candidates alone, in the server's order. */
function hiddenItem(): ReviewItem {
  return demoItem({
    originalLabel: null,
    acceptedLabels: [],
    models: [],
    image: { id: 3, file: '', missing: false, previewUrl: '/p', originalUrl: '/o' },
    candidates: [
      { ...EGYPTIAN, sources: [] },
      { ...TABBY, sources: [] },
      { ...TIGER_CAT, sources: [] },
    ],
    modelEvidence: { hidden: true, revealedAt: null },
  });
}

describe('reviewCandidates', () => {
  it('with the models hidden, keeps the server’s order and adds the draft’s classes after it', () => {
    const vocabulary = createVocabulary([TABBY, TIGER_CAT, EGYPTIAN, BAGEL]);
    const candidates = reviewCandidates(hiddenItem(), [BAGEL.key, TABBY.key], vocabulary);
    expect(candidates.map((c) => c.key)).toEqual([EGYPTIAN.key, TABBY.key, TIGER_CAT.key, BAGEL.key]);
    expect(candidates.slice(0, 3).map((c) => c.sources)).toEqual([[], [], []]);
    expect(candidates[3]).toMatchObject({ sources: [{ kind: 'added' }], addedInDraft: true });
  });

  it('once the expert revealed the models, keeps the order the item comes in (the one they judged in), with the sources', () => {
    const vocabulary = createVocabulary([TABBY, TIGER_CAT, EGYPTIAN, BAGEL]);
    const shown = demoItem();
    const revealed = keepCandidateOrder({ ...shown, modelEvidence: { hidden: false, revealedAt: '2025-01-01T00:00:00Z' } }, hiddenItem().candidates.map((c) => c.key));
    const candidates = reviewCandidates(revealed, [BAGEL.key], vocabulary);
    expect(candidates.map((c) => c.key)).toEqual([EGYPTIAN.key, TABBY.key, TIGER_CAT.key, BAGEL.key]);
    expect(candidates[1]?.sources).toEqual([{ kind: 'original' }, { kind: 'model', model: 'B', rank: 1 }]);
    // Not revealed by this expert (the models were shown to them): the usual order.
    expect(reviewCandidates(shown, [], vocabulary).map((c) => c.key)).toEqual([TABBY.key, TIGER_CAT.key, EGYPTIAN.key]);
  });

  it('lists the original label, the models’ classes by rank, then added classes looked up in the vocabulary', () => {
    const vocabulary = createVocabulary([TABBY, TIGER_CAT, EGYPTIAN, BAGEL]);
    const candidates = reviewCandidates(demoItem(), [BAGEL.key], vocabulary);
    expect(candidates.map((c) => c.key)).toEqual([TABBY.key, TIGER_CAT.key, EGYPTIAN.key, BAGEL.key]);
    expect(candidates[3]).toMatchObject({ names: ['bagel', 'beigel'], sources: [{ kind: 'added' }], addedInDraft: true });
    expect(candidates[0]?.sources).toEqual([{ kind: 'original' }, { kind: 'model', model: 'B', rank: 1 }]);
  });

  it('names candidates that share a display name by their key too', () => {
    const labels = candidateLabels([
      { ...CRANE_BIRD, sources: [], addedInDraft: false },
      { ...CRANE_MACHINE, sources: [], addedInDraft: false },
      { ...TABBY, sources: [], addedInDraft: false },
    ]);
    expect([...labels.values()]).toEqual(['crane (n02012849)', 'crane (n03126707)', 'tabby']);
  });
});

describe('grading and submitting', () => {
  it('with the models hidden, asks for every candidate to be judged first, even once all are', () => {
    const item = hiddenItem();
    const draft = { ...draftFromItem(item), labels: { [EGYPTIAN.key]: 'wrong', [TABBY.key]: 'correct', [TIGER_CAT.key]: 'wrong' } as const };
    expect(submitBlockers(item, draft)).toEqual(['Judge every candidate: the models then appear, to grade their mistakes.']);
  });

  it('asks first for the judgement of a top-1 nobody judged yet, never for a grade before anything is judged', () => {
    const item = demoItem();
    expect(submitBlockers(item, draftFromItem(item))).toEqual(['Judge tiger cat and tabby, the top-1 of Model A, Model B and Model C.']);
    const draft = { ...draftFromItem(item), labels: { [TABBY.key]: 'correct' as const } };
    expect(submitBlockers(item, draft)).toEqual(['Judge tiger cat, the top-1 of Model A and Model C.']);
    // A grade started on a model (its keys, before its top-1 is judged) asks for the rest of the grade.
    expect(submitBlockers(item, { ...draft, mistakes: { A: { severity: 'Major' as const } } })).toEqual([
      'Judge tiger cat, the top-1 of Model C.',
      'Grade the mistake of Model A: category.',
    ]);
  });

  it('asks for a grade of every model whose top-1 is judged wrong, naming the model', () => {
    const item = demoItem();
    const draft = { ...draftFromItem(item), labels: { [TABBY.key]: 'correct' as const, [TIGER_CAT.key]: 'wrong' as const } };
    expect(submitBlockers(item, draft)).toEqual(['Grade the mistakes of Model A and Model C.']);
    const halfGraded = { ...draft, mistakes: { A: { severity: 'Major' as const }, C: { severity: 'Minor' as const, category: 'Non-prototypical' } } };
    expect(submitBlockers(item, halfGraded)).toEqual(['Grade the mistake of Model A: category.']);
  });

  it('requires a reason when the image is flagged problematic', () => {
    const item = demoItem();
    const draft = { ...draftFromItem(item), labels: { [TABBY.key]: 'correct' as const, [TIGER_CAT.key]: 'unclear' as const }, problematic: true };
    expect(submitBlockers(item, draft)).toEqual(['Give a reason for flagging the image problematic.']);
    expect(submitBlockers(item, { ...draft, problematicReason: 'Drawing' })).toEqual([]);
  });

  it('sends only judged classes, and grades only of the models that made a mistake', () => {
    const item = demoItem();
    const draft = {
      ...draftFromItem(item),
      labels: { [TABBY.key]: 'correct' as const, [TIGER_CAT.key]: 'unclear' as const },
      // Graded while tiger cat was judged wrong, then the expert changed their mind: the grades stay out.
      mistakes: { A: { severity: 'Minor' as const, category: 'Fine-grained error' } },
      comment: '  checked the ears  ',
    };
    expect(verdictRequest(item, draft)).toEqual({
      labels: { [TABBY.key]: 'correct', [TIGER_CAT.key]: 'unclear' },
      problematic: null,
      mistakes: {},
      comment: 'checked the ears',
      baseRevision: 0,
    });
    const wrong = { ...draft, labels: { ...draft.labels, [TIGER_CAT.key]: 'wrong' as const }, mistakes: { ...draft.mistakes, C: { severity: 'Major' as const, category: 'Spurious Correlation' } } };
    expect(verdictRequest(item, wrong).mistakes).toEqual({
      A: { severity: 'Minor', category: 'Fine-grained error' },
      C: { severity: 'Major', category: 'Spurious Correlation' },
    });
  });

  it('points the grading keys at the focused top-1’s model first, else at the first model left to grade', () => {
    const item = demoItem();
    const draft = { ...draftFromItem(item), labels: { [TABBY.key]: 'correct' as const, [TIGER_CAT.key]: 'wrong' as const } };
    expect(focusedModelName(item, draft, TABBY.key)).toBe('A');
    expect(focusedModelName(item, draft, TIGER_CAT.key)).toBe('A');
    const aGraded = { ...draft, mistakes: { A: { severity: 'Minor' as const, category: 'Fine-grained error' } } };
    expect(focusedModelName(item, aGraded, TIGER_CAT.key)).toBe('C');
    expect(focusedModelName(item, aGraded, EGYPTIAN.key)).toBe('C');
    const allGraded = { ...aGraded, mistakes: { ...aGraded.mistakes, C: { severity: 'Major' as const, category: 'Fine-grained error' } } };
    expect(focusedModelName(item, allGraded, EGYPTIAN.key)).toBeNull();
    expect(focusedModelName(item, allGraded, TIGER_CAT.key)).toBe('A');
  });
});
