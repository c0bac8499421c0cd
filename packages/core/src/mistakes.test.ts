import { describe, expect, it } from 'vitest';
import { isMistakeUnderJudgements, modelsToGrade, queuePriority } from './mistakes';

const models = [
  { model: 'A', predictions: [{ key: 'x', score: 0.9 }] },
  { model: 'B', predictions: [{ key: 'y', score: 0.4 }] },
  { model: 'C', predictions: [{ key: 'orig', score: 0.99 }] },
  { model: 'D', predictions: [{ key: 'z', score: null }] },
];

describe('queuePriority', () => {
  it('counts models whose top-1 is outside the accepted labels, confidence = highest wrong top-1 score', () => {
    expect(queuePriority(models, new Set(['orig']))).toEqual({ modelsWrong: 3, confidence: 0.9 });
    expect(queuePriority(models, new Set(['orig', 'x']))).toEqual({ modelsWrong: 2, confidence: 0.4 });
    expect(queuePriority(models.slice(2, 3), new Set(['orig']))).toEqual({ modelsWrong: 0, confidence: 0 });
  });
});

describe('mistakes under judgements', () => {
  it('treats wrong and unjudged top-1 as mistakes, correct and unclear as not', () => {
    expect(isMistakeUnderJudgements('x', { x: 'wrong' })).toBe(true);
    expect(isMistakeUnderJudgements('x', {})).toBe(true);
    expect(isMistakeUnderJudgements('x', { x: 'correct' })).toBe(false);
    expect(isMistakeUnderJudgements('x', { x: 'unclear' })).toBe(false);
  });

  it('lists the models to grade', () => {
    expect(modelsToGrade(models, { x: 'correct', y: 'wrong', orig: 'unclear' })).toEqual(['B', 'D']);
  });
});
