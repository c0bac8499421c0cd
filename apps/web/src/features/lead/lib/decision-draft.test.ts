import { DEFAULT_MISTAKE_CATEGORIES, type DeskItem } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { changesFinal, decisionBlockers, decisionRequest, deskClasses, draftFromDesk, modelsToGrade } from './decision-draft';

const TABBY = { key: 'n02123045', index: 281, names: ['tabby', 'tabby cat'], gloss: '' };
const TIGER_CAT = { key: 'n02123159', index: 282, names: ['tiger cat'], gloss: '' };
const EGYPTIAN = { key: 'n02124075', index: 285, names: ['Egyptian cat'], gloss: '' };
const CRANE_MACHINE = { key: 'n03126707', index: 517, names: ['crane'], gloss: '' };
const CRANE_BIRD = { key: 'n02012849', index: 134, names: ['crane'], gloss: '' };
const prediction = (c: typeof TABBY, rank: number) => ({ rank, key: c.key, index: c.index, name: c.names[0]!, score: 0.5 });
const votes = (correct: number, wrong: number, unclear: number, abstain = 0) => ({ correct, wrong, unclear, abstain });

/**
 * A disputed cat: tabby agreed correct, tiger cat split one correct, one wrong, one unclear (no quorum), Egyptian cat
 * agreed wrong, one expert alone flagged the image; model A's top-1 is tiger cat (undecided), model B's is tabby.
 */
function disputedDesk(overrides: Partial<DeskItem> = {}): DeskItem {
  return {
    item: {
      id: 7,
      projectId: 1,
      status: 'disputed',
      image: { id: 3, file: 'chelsea.png', missing: false, previewUrl: '/p', originalUrl: '/o' },
      originalLabel: TABBY,
      acceptedLabels: [TABBY.key],
      candidates: [
        { ...TABBY, sources: [{ kind: 'original' }, { kind: 'model', model: 'B', rank: 1 }] },
        { ...TIGER_CAT, sources: [{ kind: 'model', model: 'A', rank: 1 }] },
        { ...EGYPTIAN, sources: [{ kind: 'model', model: 'A', rank: 2 }] },
      ],
      models: [
        { model: 'A', displayName: 'Model A', illustrative: true, top1IsMistake: true, predictions: [prediction(TIGER_CAT, 1), prediction(EGYPTIAN, 2)] },
        { model: 'B', displayName: 'Model B', illustrative: true, top1IsMistake: false, predictions: [prediction(TABBY, 1)] },
      ],
      mistakeCategories: [...DEFAULT_MISTAKE_CATEGORIES],
      myVerdict: null,
      myDraft: null,
      claimExpiresAt: null,
      panelSeenAt: '2025-01-01T00:00:00.000Z',
    modelEvidence: { hidden: false, revealedAt: null },
    },
    verdicts: [],
    consensus: {
      status: 'disputed',
      quorum: 2,
      panelSize: 3,
      verdictCount: 3,
      classes: [
        { key: TABBY.key, decision: 'correct', reached: true, votes: votes(3, 0, 0) },
        { key: TIGER_CAT.key, decision: 'unclear', reached: false, votes: votes(1, 1, 1) },
        { key: EGYPTIAN.key, decision: 'wrong', reached: true, votes: votes(0, 2, 0, 1) },
      ],
      problematic: { decision: false, reached: false, votes: { flagged: 1, notFlagged: 2 }, reasons: [{ reason: 'Excessively edited', votes: 1 }] },
      models: [
        {
          model: 'A',
          top1Key: TIGER_CAT.key,
          mistake: 'undecided',
          graders: 1,
          severity: { decision: 'Minor', reached: false, votes: { Major: 0, Minor: 1, Borderline: 0 } },
          category: { decision: 'Fine-grained error', reached: false, votes: [{ category: 'Fine-grained error', votes: 1 }] },
        },
      ],
      disputes: [
        { kind: 'class', classKey: TIGER_CAT.key, detail: 'no judgement has the 2 matching votes needed' },
        { kind: 'problematic', detail: 'flagged by 1 of 3' },
      ],
    },
    final: null,
    decisions: [],
    panelVersion: 4,
    gold: null,
    ...overrides,
  };
}

describe('the decision draft of the desk', () => {
  it('starts a disputed item from the aggregate: reached classes decided, disputed ones left to the lead', () => {
    const desk = disputedDesk();
    const draft = draftFromDesk(desk);
    expect(draft.labels).toEqual({ [TABBY.key]: 'correct', [EGYPTIAN.key]: 'wrong' });
    expect(draft.problematic).toBe(false);
    // The minority's reason is kept, ready if the lead turns the flag on.
    expect(draft.problematicReason).toBe('Excessively edited');
    expect(draft.mistakes).toEqual({ A: { severity: 'Minor', category: 'Fine-grained error' } });
    expect(draft.baseDecision).toBe(0);
    // Model A's top-1 is undecided, so counts as a mistake: the panel's leading grade is already there.
    expect(decisionBlockers(desk, draft)).toEqual(['Decide the class tiger cat.']);
  });

  it('asks for the grade of every model the decided labels make a mistake, and only for those', () => {
    const desk = disputedDesk();
    const draft = draftFromDesk(desk);
    draft.labels[TIGER_CAT.key] = 'wrong';
    draft.mistakes = {};
    expect(modelsToGrade(desk, draft).map((m) => m.model)).toEqual(['A']);
    expect(decisionBlockers(desk, draft)).toEqual(['Grade the mistake of Model A.']);
    draft.mistakes.A = { severity: 'Major' };
    expect(decisionBlockers(desk, draft)).toEqual(['Grade the mistake of Model A.']);
    draft.mistakes.A = { severity: 'Major', category: 'Non-prototypical' };
    expect(decisionBlockers(desk, draft)).toEqual([]);

    // Tiger cat correct after all: model A made no mistake, so its grade stays in the draft but not in the request.
    draft.labels[TIGER_CAT.key] = 'correct';
    expect(modelsToGrade(desk, draft)).toEqual([]);
    const request = decisionRequest(desk, { ...draft, note: '  both cats  ' });
    expect(request).toEqual({
      labels: { [TABBY.key]: 'correct', [TIGER_CAT.key]: 'correct', [EGYPTIAN.key]: 'wrong' },
      problematic: null,
      mistakes: {},
      note: 'both cats',
      baseDecision: 0,
      // The panel as the desk shows it: a verdict written since makes the server refuse the decision (409 STALE_DESK).
      basePanelVersion: 4,
    });
  });

  it('needs a reason for a problematic image, and sends it trimmed', () => {
    const desk = disputedDesk();
    const draft = { ...draftFromDesk(desk), problematic: true, problematicReason: '   ' };
    draft.labels[TIGER_CAT.key] = 'unclear';
    expect(decisionBlockers(desk, draft)).toEqual(['Give a reason for flagging the image problematic.']);
    expect(decisionRequest(desk, { ...draft, problematicReason: ' Drawing ' }).problematic).toEqual({ reason: 'Drawing' });
  });

  it('starts a final item from its final labels, with the decisions seen as the base', () => {
    const final = { labels: { [TABBY.key]: 'correct' as const, [TIGER_CAT.key]: 'wrong' as const, [EGYPTIAN.key]: 'wrong' as const }, problematic: null, mistakes: { A: { severity: 'Major' as const, category: 'Non-prototypical' } } };
    const desk = disputedDesk({
      item: { ...disputedDesk().item, status: 'final' },
      final,
      decisions: [{ sequence: 1, kind: 'finalize', lead: 'lead', final, note: '', createdAt: '2026-01-01T00:00:00.000Z' }],
    });
    const draft = draftFromDesk(desk);
    expect(draft.labels).toEqual(final.labels);
    expect(draft.mistakes.A).toEqual({ severity: 'Major', category: 'Non-prototypical' });
    expect(draft.baseDecision).toBe(1);
    expect(decisionBlockers(desk, draft)).toEqual([]);
    expect(changesFinal(desk, draft)).toBe(false);
    expect(changesFinal(desk, { ...draft, labels: { ...draft.labels, [TIGER_CAT.key]: 'correct' } })).toBe(true);
    expect(changesFinal(desk, { ...draft, mistakes: { A: { severity: 'Minor', category: 'Non-prototypical' } } })).toBe(true);
  });

  it('lists the panel’s classes in its order, marks the disputed ones, and tells apart classes of the same name', () => {
    const base = disputedDesk();
    const desk = disputedDesk({
      item: {
        ...base.item,
        candidates: [...base.item.candidates, { ...CRANE_BIRD, sources: [{ kind: 'added' }] }, { ...CRANE_MACHINE, sources: [{ kind: 'added' }] }],
      },
    });
    const classes = deskClasses(desk);
    expect(classes.map((c) => c.key)).toEqual([TABBY.key, TIGER_CAT.key, EGYPTIAN.key, CRANE_BIRD.key, CRANE_MACHINE.key]);
    expect(classes.filter((c) => c.disputed).map((c) => c.key)).toEqual([TIGER_CAT.key]);
    expect(classes[0]!.isOriginal).toBe(true);
    expect(classes[0]!.top1Of).toEqual(['B']);
    expect(classes[1]!.top1Of).toEqual(['A']);
    expect(classes[3]!.label).toBe(`crane (${CRANE_BIRD.key})`);
    expect(classes[3]!.consensus).toBeNull();
    // Every row needs a decision before finalizing, the classes nobody in the panel judged included.
    expect(decisionBlockers(desk, draftFromDesk(desk))[0]).toBe(`Decide 3 classes: tiger cat, crane (${CRANE_BIRD.key}) and crane (${CRANE_MACHINE.key}).`);
  });
});
