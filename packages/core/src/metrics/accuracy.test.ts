import { describe, expect, it } from 'vitest';
import { imagenetMScore, isMajorSliceImage, multiLabelAccuracy, realAccuracy, top1Accuracy, type MultiLabelImage } from './accuracy';
import { countMistakesByCategory, countMistakesBySeverity } from './mistake-counts';

describe('top1Accuracy', () => {
  it('counts images whose top-1 is the original label', () => {
    // 4 images, hits on the 1st and 3rd: 2 / 4 = 0.5. An image without a prediction is a miss.
    expect(
      top1Accuracy([
        { originalKey: 'cat', top1Key: 'cat' },
        { originalKey: 'cat', top1Key: 'dog' },
        { originalKey: 'dog', top1Key: 'dog' },
        { originalKey: 'dog', top1Key: null },
      ]),
    ).toEqual({ hits: 2, total: 4, value: 0.5 });
  });

  it('has no value without images', () => {
    expect(top1Accuracy([])).toEqual({ hits: 0, total: 0, value: null });
  });
});

function image(originalKey: string, top1Key: string | null, labels: Partial<MultiLabelImage> = {}): MultiLabelImage {
  return { originalKey, top1Key, correct: [originalKey], unclear: [], problematic: false, ...labels };
}

describe('multiLabelAccuracy', () => {
  it('averages per original class, which differs from averaging per image', () => {
    const images = [
      // class "cat": 3 images, 3 hits (the 2nd through a valid second label, the 3rd through an unclear one) -> 3/3 = 1
      image('cat', 'cat'),
      image('cat', 'cup', { correct: ['cat', 'cup'] }),
      image('cat', 'lynx', { unclear: ['lynx'] }),
      // class "dog": 1 image, a miss ("wolf" is judged wrong) -> 0/1 = 0
      image('dog', 'wolf', { correct: ['dog'] }),
      // problematic: dropped, although its miss would lower "dog" further
      image('dog', 'cat', { problematic: true }),
      // class "fox": only a problematic image, so the class drops out of the average entirely
      image('fox', 'fox', { problematic: true }),
    ];
    const result = multiLabelAccuracy(images);
    // per class: (1 + 0) / 2 = 0.5; per image it would be 3 hits / 4 images = 0.75
    expect(result.value).toBe(0.5);
    expect(result).toEqual({
      value: 0.5,
      images: 4,
      problematicDropped: 2,
      perClass: [
        { classKey: 'cat', hits: 3, total: 3 },
        { classKey: 'dog', hits: 0, total: 1 },
      ],
    });
  });

  it('averages classes of different sizes with equal weight', () => {
    // "a": 1 hit of 2 -> 0.5; "b": 1 hit of 1 -> 1; "c": 1 of 4 -> 0.25. Mean: (0.5 + 1 + 0.25) / 3 = 1.75 / 3 = 0.58333...
    // (per image: 3 hits / 7 images = 0.42857...)
    const images = [
      image('a', 'a'),
      image('a', 'x'),
      image('b', 'b'),
      image('c', 'c'),
      image('c', 'x'),
      image('c', 'x'),
      image('c', null),
    ];
    expect(multiLabelAccuracy(images).value).toBeCloseTo(1.75 / 3, 12);
  });

  it('has no value when every image is problematic', () => {
    expect(multiLabelAccuracy([image('a', 'a', { problematic: true })])).toMatchObject({ value: null, images: 0, problematicDropped: 1 });
  });
});

describe('realAccuracy', () => {
  it('drops images with an empty label set and averages over the others', () => {
    // labels [1], [2,3], [4], []; top-1 1, 3, 5, 5: hits on the 1st and 2nd of 3 counted images -> 2/3; 1 dropped
    const result = realAccuracy([
      { labels: [1], top1: 1 },
      { labels: [2, 3], top1: 3 },
      { labels: [4], top1: 5 },
      { labels: [], top1: 5 },
    ]);
    expect(result).toEqual({ hits: 2, total: 3, value: 2 / 3, dropped: 1 });
  });

  it('works with class keys and misses an image without a prediction', () => {
    expect(realAccuracy([{ labels: ['n01'], top1: null }, { labels: ['n01', 'n02'], top1: 'n02' }])).toEqual({
      hits: 1,
      total: 2,
      value: 0.5,
      dropped: 0,
    });
  });
});

describe('ImageNet-M', () => {
  it('scores the slice images whose top-1 is correct or unclear, as a count out of the slice', () => {
    // 3 slice images: a hit through "unclear", a miss, a hit through "correct" -> 2 of 3
    expect(
      imagenetMScore([
        { top1Key: 'x', correct: ['a'], unclear: ['x'] },
        { top1Key: 'y', correct: ['a'], unclear: [] },
        { top1Key: 'b', correct: ['a', 'b'], unclear: [] },
      ]),
    ).toEqual({ hits: 2, total: 3, value: 2 / 3 });
  });

  it('puts an image in the Major slice only when every chosen model makes a Major mistake', () => {
    expect(isMajorSliceImage(['Major', 'Major'])).toBe(true);
    expect(isMajorSliceImage(['Major', 'Minor'])).toBe(false);
    expect(isMajorSliceImage(['Major', 'Borderline'])).toBe(false);
    expect(isMajorSliceImage(['Major', null])).toBe(false);
    expect(isMajorSliceImage([])).toBe(false);
  });
});

describe('mistake counts', () => {
  const grades = [
    { severity: 'Major', category: 'Spurious Correlation' },
    { severity: 'Minor', category: 'Fine-grained error' },
    { severity: 'Borderline', category: 'Fine-grained error' },
    { severity: 'Minor', category: 'Fine-grained error' },
  ] as const;

  it('counts by severity, keeping Borderline apart', () => {
    expect(countMistakesBySeverity(grades)).toEqual({ Major: 1, Minor: 2, Borderline: 1, total: 4 });
  });

  it('counts by category and severity', () => {
    expect(countMistakesByCategory(grades)).toEqual([
      { category: 'Fine-grained error', Major: 0, Minor: 2, Borderline: 1, total: 3 },
      { category: 'Spurious Correlation', Major: 1, Minor: 0, Borderline: 0, total: 1 },
    ]);
  });
});
