import type { CandidateSource } from '@bagel/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { modelEvidenceEffect, tallyEvidence, type EvidenceTallies } from './evidence-effect';
import { pickDecoys } from './decoys';
import { candidatesWithModelsHidden, modelEvidenceCondition } from './model-evidence';

describe('modelEvidenceCondition', () => {
  it('follows a fixed setting', () => {
    expect(modelEvidenceCondition('shown', 5, 7)).toBe('shown');
    expect(modelEvidenceCondition('hidden-until-judged', 5, 7)).toBe('hidden');
  });

  it('in the experiment, hides about half of each expert’s items and of each item’s experts', () => {
    for (const user of [1, 2, 3, 57]) {
      const hidden = Array.from({ length: 4000 }, (_, i) => modelEvidenceCondition('experiment', i + 1, user)).filter((c) => c === 'hidden').length;
      // Binomial(4000, 0.5): ±5 standard deviations is ±158.
      expect(Math.abs(hidden - 2000)).toBeLessThan(158);
    }
    for (const item of [1, 2, 1000, 999_999]) {
      const hidden = Array.from({ length: 4000 }, (_, u) => modelEvidenceCondition('experiment', item, u + 1)).filter((c) => c === 'hidden').length;
      expect(Math.abs(hidden - 2000)).toBeLessThan(158);
    }
  });

  it('draws neighbouring items independently: the conditions of items i and i+1 agree about half the time', () => {
    let same = 0;
    for (let i = 1; i <= 4000; i++) if (modelEvidenceCondition('experiment', i, 3) === modelEvidenceCondition('experiment', i + 1, 3)) same += 1;
    expect(Math.abs(same - 2000)).toBeLessThan(158);
  });
});

describe('candidatesWithModelsHidden', () => {
  const source = fc.constantFrom<CandidateSource>(
    { kind: 'original' },
    { kind: 'accepted' },
    { kind: 'model', model: 'resnet', rank: 1 },
    { kind: 'model', model: 'vit', rank: 3 },
    { kind: 'prior', judgement: 'correct' },
    { kind: 'crowd', posterior: 0.4 },
  );
  const candidates = fc
    .uniqueArray(fc.string({ minLength: 1, maxLength: 6 }), { maxLength: 30 })
    .chain((keys) =>
      fc.tuple(
        ...keys.map((key) =>
          fc.record({ key: fc.constant(key), sources: fc.oneof(fc.array(source, { minLength: 1, maxLength: 3 }), fc.constant<CandidateSource[]>([{ kind: 'added' }])) }),
        ),
      ),
    );

  it('keeps every class once, says nothing of where it comes from, puts the added ones last in their order, and is fixed per item and expert', () => {
    fc.assert(
      fc.property(candidates, fc.nat(), fc.nat(), (list, item, user) => {
        const hidden = candidatesWithModelsHidden(list, item, user);
        expect(hidden.map((c) => c.key).sort()).toEqual(list.map((c) => c.key).sort());
        const added = list.filter((c) => c.sources.every((s) => s.kind === 'added')).map((c) => c.key);
        expect(hidden.slice(hidden.length - added.length).map((c) => c.key)).toEqual(added);
        for (const c of hidden.slice(0, hidden.length - added.length)) expect(c.sources).toEqual([]);
        expect(candidatesWithModelsHidden(list, item, user)).toEqual(hidden);
      }),
    );
  });

  it('does not keep the original label first: over many items it lands anywhere', () => {
    const list = ['orig', 'a', 'b', 'c', 'd'].map((key, i) => ({ key, sources: i === 0 ? [{ kind: 'original' } as const] : [{ kind: 'model', model: 'm', rank: i } as const] }));
    const places = new Set(Array.from({ length: 200 }, (_, item) => candidatesWithModelsHidden(list, item, 1).findIndex((c) => c.key === 'orig')));
    expect([...places].sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('modelEvidenceEffect', () => {
  it('counts each model’s verdicts under each condition and reads their difference', () => {
    const tallies: EvidenceTallies = new Map();
    // Shown: 30 of 40 accept model a's top-1; hidden: 10 of 40. Final on half of each, agreeing 15/20 and 18/20.
    for (let i = 0; i < 40; i++) {
      tallyEvidence(tallies, { model: 'a', condition: 'shown', acceptedTop1: i < 30, agreesWithFinal: i % 2 === 0 ? i < 30 : null });
      tallyEvidence(tallies, { model: 'a', condition: 'hidden', acceptedTop1: i < 10, agreesWithFinal: i % 2 === 0 ? i < 36 : null });
    }
    const [a, b] = modelEvidenceEffect(tallies, [
      { name: 'a', displayName: 'Model A' },
      { name: 'b', displayName: 'Model B' },
    ]);
    expect(a!.acceptTop1.shown).toMatchObject({ k: 30, n: 40 });
    expect(a!.acceptTop1.hidden).toMatchObject({ k: 10, n: 40 });
    expect(a!.acceptTop1.difference!.estimate).toBeCloseTo(0.5, 10);
    expect(a!.acceptTop1.difference!.significant).toBe(true);
    expect(a!.acceptTop1.reading).toMatch(/^With the models shown, experts judged Model A's top-1 correct 50\.0 points more often than with them hidden \(95% CI .* points; 40 shown, 40 hidden\): a significant difference at the 5% level\.$/);
    expect(a!.agreeWithFinal.shown).toMatchObject({ k: 15, n: 20 });
    expect(a!.agreeWithFinal.hidden).toMatchObject({ k: 18, n: 20 });
    expect(a!.agreeWithFinal.difference!.significant).toBe(false);
    expect(a!.agreeWithFinal.reading).toContain('15.0 points less often');
    expect(a!.agreeWithFinal.reading).toContain('not a significant difference');
    expect(b!.acceptTop1.difference).toBeNull();
    expect(b!.acceptTop1.reading).toBe('Not measured yet: 0 verdicts with the models shown and 0 with them hidden.');
  });
});

describe('pickDecoys', () => {
  const confused = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  it('picks `count` classes among the most confused twice as many, never one the item lists, the same for the same item and expert', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 }), fc.subarray(confused), fc.nat(), fc.nat(), (count, listed, item, user) => {
        const exclude = new Set(listed);
        const picked = pickDecoys(confused, exclude, count, item, user);
        const pool = confused.filter((key) => !exclude.has(key)).slice(0, count * 2);
        expect(picked).toHaveLength(Math.min(count, pool.length));
        expect(new Set(picked).size).toBe(picked.length);
        for (const key of picked) expect(pool).toContain(key);
        expect(pickDecoys(confused, exclude, count, item, user)).toEqual(picked);
      }),
    );
  });

  it('varies between experts on one item', () => {
    const draws = new Set(Array.from({ length: 50 }, (_, user) => pickDecoys(confused, new Set(), 2, 7, user).join()));
    expect(draws.size).toBeGreaterThan(5);
  });
});
