import { describe, expect, it } from 'vitest';
import { validateVerdict, type VerdictContext } from './validate-verdict';

const ctx: VerdictContext = {
  hasClass: (key) => ['tabby', 'tiger_cat', 'lynx'].includes(key),
  models: [
    { name: 'A', top1Key: 'tiger_cat' },
    { name: 'B', top1Key: 'tabby' },
  ],
  mistakeCategories: ['Fine-grained error', 'Non-prototypical'],
};
const grade = { severity: 'Minor' as const, category: 'Fine-grained error' };

describe('validateVerdict', () => {
  it('accepts a complete verdict', () => {
    expect(validateVerdict({ labels: { tabby: 'correct', tiger_cat: 'wrong' }, mistakes: { A: grade } }, ctx)).toEqual([]);
  });

  it('accepts an unclear top-1 without a grade', () => {
    expect(validateVerdict({ labels: { tabby: 'correct', tiger_cat: 'unclear' }, mistakes: {} }, ctx)).toEqual([]);
  });

  it('rejects an unknown class key', () => {
    const issues = validateVerdict({ labels: { tabby: 'correct', tiger_cat: 'correct', zebra: 'wrong' }, mistakes: {} }, ctx);
    expect(issues).toEqual([{ field: 'labels.zebra', message: 'unknown class key "zebra"' }]);
  });

  it('rejects an unknown model and an unknown category', () => {
    const issues = validateVerdict(
      {
        labels: { tabby: 'correct', tiger_cat: 'wrong' },
        mistakes: { A: { severity: 'Major', category: 'Made up' }, Z: grade },
      },
      ctx,
    );
    expect(issues.map((i) => i.field)).toEqual(['mistakes.A.category', 'mistakes.Z']);
  });

  it('rejects a wrong or unjudged top-1 whose mistake is not graded', () => {
    expect(validateVerdict({ labels: { tabby: 'correct', tiger_cat: 'wrong' }, mistakes: {} }, ctx)).toEqual([
      expect.objectContaining({ field: 'mistakes.A' }),
    ]);
    // B's top-1 left unjudged is a mistake too.
    expect(validateVerdict({ labels: { tiger_cat: 'correct' }, mistakes: {} }, ctx)).toEqual([
      expect.objectContaining({ field: 'mistakes.B' }),
    ]);
  });

  it('rejects a grade for a model that made no mistake', () => {
    const issues = validateVerdict({ labels: { tabby: 'correct', tiger_cat: 'correct' }, mistakes: { B: grade } }, ctx);
    expect(issues).toEqual([expect.objectContaining({ field: 'mistakes.B', message: expect.stringContaining('no mistake') })]);
  });
});
