import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../vocabulary';
import { OriginalLabels } from './original-labels';

const vocabulary = createVocabulary([
  { index: 0, key: 'n01440764', names: ['tench'], gloss: '' },
  { index: 1, key: 'n01443537', names: ['goldfish'], gloss: '' },
]);

describe('OriginalLabels', () => {
  it('keeps each image in order with its class, and finds it by its exact name', () => {
    const labels = new OriginalLabels(vocabulary);
    expect(labels.add('b.jpg', 1)).toBe(-1);
    expect(labels.add('sub/a.jpg', 0)).toBe(-1);
    expect(labels.add('été/ü.jpg', 1)).toBe(-1);
    expect(labels.length).toBe(3);
    expect(labels.rows()).toEqual([
      { file: 'b.jpg', classIndex: 1, classKey: 'n01443537' },
      { file: 'sub/a.jpg', classIndex: 0, classKey: 'n01440764' },
      { file: 'été/ü.jpg', classIndex: 1, classKey: 'n01443537' },
    ]);
    expect([labels.get('b.jpg'), labels.get('sub/a.jpg'), labels.get('été/ü.jpg')]).toEqual([0, 1, 2]);
    expect(labels.get('a.jpg')).toBeUndefined();
    expect(labels.has('sub/a.jpg')).toBe(true);
    expect(labels.has('sub/a.jp')).toBe(false);
    expect(Array.from(labels.classIndexColumn())).toEqual([1, 0, 1]);
  });

  it('answers the position of the earlier image of a name given twice, and does not add it again', () => {
    const labels = new OriginalLabels(vocabulary);
    labels.add('a.jpg', 0);
    labels.add('b.jpg', 1);
    expect(labels.add('b.jpg', 0)).toBe(1);
    expect(labels.length).toBe(2);
    expect(labels.add('c.jpg', 0)).toBe(-1);
    expect(labels.files()).toEqual(['a.jpg', 'b.jpg', 'c.jpg']);
  });

  it('agrees with a Map of the same names, through growth and rehashing (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }), { maxLength: 3000 }), fc.array(fc.string({ maxLength: 12 })), (names, lookups) => {
        const labels = new OriginalLabels(vocabulary);
        const reference = new Map<string, number>();
        for (const name of names) {
          const earlier = labels.add(name, reference.size % 2);
          expect(earlier).toBe(reference.get(name) ?? -1);
          if (!reference.has(name)) reference.set(name, reference.size);
        }
        expect(labels.files()).toEqual([...reference.keys()]);
        for (const name of [...names, ...lookups]) expect(labels.get(name)).toBe(reference.get(name));
        for (const [name, position] of reference) expect(labels.classIndex(position)).toBe(position % 2);
      }),
      { numRuns: 60 },
    );
  });

  it('holds a hundred thousand names in columns, every one found at its position', () => {
    const labels = new OriginalLabels(vocabulary);
    const name = (i: number) => `n${i % 1000}/img-${String(i).padStart(7, '0')}.jpg`;
    const refused = Array.from({ length: 100_000 }, (_, i) => labels.add(name(i), i % 2)).filter((earlier) => earlier !== -1);
    expect(refused).toEqual([]);
    const misplaced = Array.from({ length: 100_000 }, (_, i) => i).filter((i) => labels.get(name(i)) !== i);
    expect(misplaced).toEqual([]);
    expect(labels.file(99_999)).toBe(name(99_999));
    expect(labels.add(name(54_321), 0)).toBe(54_321);
  });
});
