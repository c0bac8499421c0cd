import { describe, expect, it } from 'vitest';
import { candidateClasses } from './candidates';

describe('candidateClasses', () => {
  it('lists original, accepted, models by rank, then added, each class once with all its sources', () => {
    const result = candidateClasses({
      originalKey: 'tabby',
      acceptedKeys: ['tabby', 'cat-toy'],
      models: [
        { model: 'A', predictions: [{ key: 'tiger cat', score: 0.6 }, { key: 'tabby', score: 0.3 }] },
        { model: 'B', predictions: [{ key: 'egyptian', score: 0.5 }, { key: 'tiger cat', score: 0.2 }] },
      ],
      addedKeys: ['lynx', 'tabby'],
    });
    expect(result.map((c) => c.key)).toEqual(['tabby', 'cat-toy', 'tiger cat', 'egyptian', 'lynx']);
    expect(result[0]?.sources).toEqual([{ kind: 'original' }, { kind: 'model', model: 'A', rank: 2 }]);
    expect(result[2]?.sources).toEqual([
      { kind: 'model', model: 'A', rank: 1 },
      { kind: 'model', model: 'B', rank: 2 },
    ]);
    expect(result[4]?.sources).toEqual([{ kind: 'added' }]);
  });

  it('lists the extra candidates of the import after the models, before the added classes', () => {
    const result = candidateClasses({
      originalKey: 'tabby',
      acceptedKeys: ['tabby'],
      models: [{ model: 'A', predictions: [{ key: 'tiger cat', score: 0.6 }] }],
      extraCandidates: [
        { key: 'lynx', source: { kind: 'crowd', posterior: 0.5 } },
        { key: 'tiger cat', source: { kind: 'prior', judgement: 'wrong' } },
      ],
      addedKeys: ['cougar'],
    });
    expect(result.map((c) => c.key)).toEqual(['tabby', 'tiger cat', 'lynx', 'cougar']);
    expect(result[1]?.sources).toEqual([
      { kind: 'model', model: 'A', rank: 1 },
      { kind: 'prior', judgement: 'wrong' },
    ]);
  });
});
