import { describe, expect, it } from 'vitest';
import { aggregatePanel, type ClassConsensus, type ModelConsensus, type PanelConsensus, type PanelInput, type PanelVerdict } from './aggregate-panel';
import { quorumSize } from './quorum';

describe('quorumSize', () => {
  it('is a strict majority of the panel by default', () => {
    expect([1, 2, 3, 4, 5, 6].map((p) => quorumSize({ kind: 'majority' }, p))).toEqual([1, 2, 2, 3, 3, 4]);
  });

  it('is the whole panel under unanimity', () => {
    expect(quorumSize({ kind: 'unanimity' }, 5)).toBe(5);
  });

  it('rounds a fraction of the panel up, without floating-point surprises', () => {
    expect(quorumSize({ kind: 'fraction', value: 0.6 }, 5)).toBe(3); // 0.6 × 5 = 3
    expect(quorumSize({ kind: 'fraction', value: 0.7 }, 10)).toBe(7); // 0.7 × 10 = 7.000000000000001 in floating point
    expect(quorumSize({ kind: 'fraction', value: 0.5 }, 3)).toBe(2); // ceil(1.5)
    expect(quorumSize({ kind: 'fraction', value: 0.01 }, 3)).toBe(1); // ceil(0.03)
    expect(quorumSize({ kind: 'fraction', value: 1 }, 4)).toBe(4);
  });

  it('refuses a fraction outside (0, 1] and a panel size that is not a positive integer', () => {
    expect(() => quorumSize({ kind: 'fraction', value: 0 }, 3)).toThrow(RangeError);
    expect(() => quorumSize({ kind: 'fraction', value: 1.5 }, 3)).toThrow(RangeError);
    expect(() => quorumSize({ kind: 'fraction', value: Number.NaN }, 3)).toThrow(RangeError);
    expect(() => quorumSize({ kind: 'majority' }, 0)).toThrow(RangeError);
    expect(() => quorumSize({ kind: 'majority' }, 2.5)).toThrow(RangeError);
  });
});

function verdict(expert: string, fields: Partial<Omit<PanelVerdict, 'expert'>> = {}): PanelVerdict {
  return { expert, labels: {}, problematic: null, mistakes: {}, ...fields };
}

// An image labelled "tabby" whose model A says "tiger_cat" and model B says "tabby".
const item = {
  candidates: ['tabby', 'tiger_cat', 'egyptian_cat'],
  models: [
    { name: 'A', top1Key: 'tiger_cat' },
    { name: 'B', top1Key: 'tabby' },
  ],
  panelSize: 3,
  quorum: { kind: 'majority' },
} satisfies Omit<PanelInput, 'verdicts'>;

function classOf(result: PanelConsensus, key: string): ClassConsensus | undefined {
  return result.classes.find((c) => c.key === key);
}

function modelOf(result: PanelConsensus, name: string): ModelConsensus | undefined {
  return result.models.find((m) => m.model === name);
}

const fineGrainedMinor = { severity: 'Minor', category: 'Fine-grained error' } as const;

describe('aggregatePanel', () => {
  it('agrees when every class, the problematic flag and every standing mistake reach the quorum', () => {
    const result = aggregatePanel({
      ...item,
      verdicts: [
        verdict('ann', { labels: { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' }, mistakes: { A: fineGrainedMinor } }),
        verdict('bob', { labels: { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' }, mistakes: { A: fineGrainedMinor } }),
        // cyd thinks the cat could be a tiger cat: a minority view, outvoted 2 to 1.
        verdict('cyd', { labels: { tabby: 'correct', tiger_cat: 'unclear', egyptian_cat: 'wrong' } }),
      ],
    });
    expect(result.status).toBe('agreed');
    expect(result.quorum).toBe(2);
    expect(result.disputes).toEqual([]);
    expect(result.classes).toEqual([
      { key: 'tabby', decision: 'correct', reached: true, votes: { correct: 3, wrong: 0, unclear: 0, abstain: 0 } },
      { key: 'tiger_cat', decision: 'wrong', reached: true, votes: { correct: 0, wrong: 2, unclear: 1, abstain: 0 } },
      { key: 'egyptian_cat', decision: 'wrong', reached: true, votes: { correct: 0, wrong: 3, unclear: 0, abstain: 0 } },
    ]);
    expect(result.problematic).toEqual({ decision: false, reached: true, votes: { flagged: 0, notFlagged: 3 }, reasons: [] });
    // B's top-1 (tabby) is correct and nobody graded it: only A is listed.
    expect(result.models).toEqual([
      {
        model: 'A',
        top1Key: 'tiger_cat',
        mistake: 'yes',
        graders: 2,
        severity: { decision: 'Minor', reached: true, votes: { Major: 0, Minor: 2, Borderline: 0 } },
        category: { decision: 'Fine-grained error', reached: true, votes: [{ category: 'Fine-grained error', votes: 2 }] },
      },
    ]);
  });

  it('lists every class without quorum, a tie, a lone problematic flag and split grades as disputes', () => {
    const result = aggregatePanel({
      ...item,
      verdicts: [
        verdict('ann', {
          labels: { tabby: 'correct', tiger_cat: 'correct', egyptian_cat: 'wrong' },
          problematic: { reason: 'Excessively edited' },
        }),
        verdict('bob', {
          labels: { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' },
          mistakes: { A: { severity: 'Major', category: 'Spurious Correlation' } },
        }),
        verdict('cyd', { labels: { tabby: 'correct', tiger_cat: 'unclear' }, mistakes: {} }),
      ],
    });
    expect(result.status).toBe('disputed');
    expect(classOf(result, 'tiger_cat')).toEqual({ key: 'tiger_cat', decision: 'unclear', reached: false, votes: { correct: 1, wrong: 1, unclear: 1, abstain: 0 } });
    // egyptian_cat: 2 wrong of 3 (cyd abstained) still reaches q = 2.
    expect(classOf(result, 'egyptian_cat')).toMatchObject({ decision: 'wrong', reached: true, votes: { abstain: 1 } });
    expect(result.problematic).toMatchObject({ decision: false, reached: false, votes: { flagged: 1, notFlagged: 2 } });
    // A's top-1 is undecided, so its single grade is checked: 1 vote < q = 2.
    expect(modelOf(result, 'A')).toMatchObject({ mistake: 'undecided', graders: 1, severity: { decision: 'Major', reached: false } });
    expect(result.disputes).toEqual([
      { kind: 'class', classKey: 'tiger_cat', detail: 'no judgement has the 2 matching votes needed (correct 1, wrong 1, unclear 1, abstain 0)' },
      { kind: 'problematic', detail: 'flagged problematic by 1 of 3 experts; 2 are needed to leave the image out' },
      { kind: 'severity', model: 'A', detail: 'severity Major has 1 of the 2 matching votes needed (Major 1)' },
      { kind: 'category', model: 'A', detail: 'category Spurious Correlation has 1 of the 2 matching votes needed (Spurious Correlation 1)' },
    ]);
  });

  it('counts an unclear class decided by q experts as reached', () => {
    const labels = { tabby: 'correct', tiger_cat: 'unclear', egyptian_cat: 'wrong' } as const;
    const result = aggregatePanel({
      ...item,
      verdicts: [verdict('ann', { labels }), verdict('bob', { labels }), verdict('cyd', { labels: { ...labels, tiger_cat: 'wrong' }, mistakes: { A: fineGrainedMinor } })],
    });
    expect(classOf(result, 'tiger_cat')).toEqual({ key: 'tiger_cat', decision: 'unclear', reached: true, votes: { correct: 0, wrong: 1, unclear: 2, abstain: 0 } });
    // The panel cleared A's top-1 (unclear counts as acceptable), so cyd's lone grade needs no quorum.
    expect(modelOf(result, 'A')).toMatchObject({ mistake: 'no', graders: 1 });
    expect(result.status).toBe('agreed');
  });

  it('decides problematic when q experts flag it, and keeps the reasons most given first', () => {
    const labels = { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' } as const;
    const result = aggregatePanel({
      ...item,
      panelSize: 5,
      verdicts: [
        verdict('ann', { labels, mistakes: { A: fineGrainedMinor }, problematic: { reason: 'Excessively edited' } }),
        verdict('bob', { labels, mistakes: { A: fineGrainedMinor }, problematic: { reason: 'Drawing, painting, cartoon or rendering' } }),
        verdict('cyd', { labels, mistakes: { A: fineGrainedMinor }, problematic: { reason: 'Drawing, painting, cartoon or rendering' } }),
        verdict('dan', { labels, mistakes: { A: fineGrainedMinor } }),
        verdict('eve', { labels, mistakes: { A: fineGrainedMinor } }),
      ],
    });
    expect(result.quorum).toBe(3);
    expect(result.problematic).toEqual({
      decision: true,
      reached: true,
      votes: { flagged: 3, notFlagged: 2 },
      reasons: [
        { reason: 'Drawing, painting, cartoon or rendering', votes: 2 },
        { reason: 'Excessively edited', votes: 1 },
      ],
    });
    expect(result.status).toBe('agreed');
  });

  it('gives no grade decision on a tie among the graders', () => {
    const labels = { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' } as const;
    const result = aggregatePanel({
      ...item,
      panelSize: 4,
      quorum: { kind: 'fraction', value: 0.5 },
      verdicts: [
        verdict('ann', { labels, mistakes: { A: { severity: 'Major', category: 'Fine-grained error' } } }),
        verdict('bob', { labels, mistakes: { A: { severity: 'Major', category: 'Fine-grained error' } } }),
        verdict('cyd', { labels, mistakes: { A: { severity: 'Minor', category: 'Fine-grained error' } } }),
        verdict('dan', { labels, mistakes: { A: { severity: 'Minor', category: 'Non-prototypical' } } }),
      ],
    });
    expect(result.quorum).toBe(2);
    expect(modelOf(result, 'A')?.severity).toEqual({ decision: null, reached: false, votes: { Major: 2, Minor: 2, Borderline: 0 } });
    expect(modelOf(result, 'A')?.category).toEqual({
      decision: 'Fine-grained error',
      reached: true,
      votes: [
        { category: 'Fine-grained error', votes: 3 },
        { category: 'Non-prototypical', votes: 1 },
      ],
    });
    expect(result.disputes).toEqual([
      { kind: 'severity', model: 'A', detail: 'severity tied between Major and Minor among 4 graders (Major 2, Minor 2)' },
    ]);
  });

  it('leaves a class undecided when two judgements both reach a low quorum and tie', () => {
    // q = ceil(0.4 × 5) = 2: correct and wrong both reach it with 2 votes each.
    const result = aggregatePanel({
      candidates: ['x'],
      models: [],
      panelSize: 5,
      quorum: { kind: 'fraction', value: 0.4 },
      verdicts: [
        verdict('ann', { labels: { x: 'correct' } }),
        verdict('bob', { labels: { x: 'correct' } }),
        verdict('cyd', { labels: { x: 'wrong' } }),
        verdict('dan', { labels: { x: 'wrong' } }),
        verdict('eve', { labels: { x: 'unclear' } }),
      ],
    });
    expect(classOf(result, 'x')).toEqual({ key: 'x', decision: 'unclear', reached: false, votes: { correct: 2, wrong: 2, unclear: 1, abstain: 0 } });
    expect(result.disputes).toEqual([
      { kind: 'class', classKey: 'x', detail: 'correct and wrong are tied at 2 votes each (correct 2, wrong 2, unclear 1, abstain 0)' },
    ]);
  });

  it('is incomplete while the panel lacks verdicts, even when what is in already agrees', () => {
    const labels = { tabby: 'correct', tiger_cat: 'wrong', egyptian_cat: 'wrong' } as const;
    const result = aggregatePanel({
      ...item,
      verdicts: [verdict('ann', { labels, mistakes: { A: fineGrainedMinor } }), verdict('bob', { labels, mistakes: { A: fineGrainedMinor } })],
    });
    expect(result.status).toBe('incomplete');
    expect(result.disputes).toEqual([]);
    expect(aggregatePanel({ ...item, verdicts: [] })).toMatchObject({ status: 'incomplete', verdictCount: 0 });
  });

  it('adds classes that only experts added after the candidates, alphabetically, and disputes a class nobody judged', () => {
    const result = aggregatePanel({
      candidates: ['x', 'y'],
      models: [],
      panelSize: 2,
      quorum: { kind: 'majority' },
      verdicts: [verdict('ann', { labels: { x: 'correct', zeta: 'correct' } }), verdict('bob', { labels: { x: 'correct', alpha: 'wrong' } })],
    });
    expect(result.classes.map((c) => c.key)).toEqual(['x', 'y', 'alpha', 'zeta']);
    expect(result.disputes.map((d) => (d.kind === 'class' ? d.classKey : d.kind))).toEqual(['y', 'alpha', 'zeta']);
    expect(result.disputes[0]?.detail).toBe('nobody judged this class (2 matching votes needed; abstain 2)');
  });

  it('treats an unjudged top-1 outside the candidates as a mistake whose grades must agree', () => {
    const result = aggregatePanel({
      candidates: ['x'],
      models: [{ name: 'M', top1Key: 'elsewhere' }],
      panelSize: 2,
      quorum: { kind: 'majority' },
      verdicts: [verdict('ann', { labels: { x: 'correct' } }), verdict('bob', { labels: { x: 'correct' } })],
    });
    expect(modelOf(result, 'M')).toMatchObject({ mistake: 'yes', graders: 0, severity: { decision: null, reached: false } });
    expect(result.disputes).toEqual([
      { kind: 'severity', model: 'M', detail: 'the top-1 "elsewhere" is a mistake but nobody graded its severity' },
      { kind: 'category', model: 'M', detail: 'the top-1 "elsewhere" is a mistake but nobody graded its category' },
    ]);
  });

  it('refuses two verdicts from the same expert', () => {
    expect(() => aggregatePanel({ ...item, verdicts: [verdict('ann'), verdict('ann')] })).toThrow('expert "ann" has more than one verdict');
  });
});
