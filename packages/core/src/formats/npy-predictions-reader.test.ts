import { zipSync } from 'fflate';
import { describe, expect, it, vi } from 'vitest';
import { INFLATE_STEP_OUTPUT, NpyStreamDecoder } from '../numpy';
import { buildNpy, concatBytes, npyPreamble, numpyHeaderText } from '../numpy/build-npy-for-tests';
import { buildZip, deflatedZerosAfter } from '../numpy/build-npz-for-tests';
import { seededRandom } from '../seeded-random';
import { createVocabulary } from '../vocabulary';
import { FormatError } from './format-error';
import {
  NpyPredictionsReader,
  rowsOfImageList,
  rowsOfImagenetValidation,
  rowsOfProjectImages,
  type NpyPredictionsOptions,
} from './npy-predictions-reader';
import { readImageList } from './read-image-list';
import { rankingAt, type TopKTable } from './top-k-table';

const CLASSES = 6;
const vocabulary = createVocabulary(Array.from({ length: CLASSES }, (_, index) => ({ index, key: `k${index}`, names: [`class ${index}`], gloss: '' })));

function read(bytes: Uint8Array, options: Partial<NpyPredictionsOptions> & Pick<NpyPredictionsOptions, 'format'>, chunkSize = 1 << 20): TopKTable {
  const imageCount = options.imageCount ?? 3;
  const reader = new NpyPredictionsReader({
    file: 'model.npy',
    vocabulary,
    topK: 3,
    imageCount,
    rows: rowsOfProjectImages(imageCount),
    ...options,
  });
  for (let at = 0; at < bytes.length; at += chunkSize) reader.push(bytes.subarray(at, at + chunkSize));
  return reader.finish();
}

function readError(bytes: Uint8Array, options: Partial<NpyPredictionsOptions> & Pick<NpyPredictionsOptions, 'format'>): FormatError {
  try {
    read(bytes, options);
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected the file to be refused');
}

const rankings = (table: TopKTable) => Array.from({ length: table.imageCount }, (_, i) => rankingAt(table, i));

/** Softmax in float64, the reference for the reader's scores. */
function softmax(row: readonly number[]): number[] {
  const max = Math.max(...row);
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe('NpyPredictionsReader: npy-topk', () => {
  const topk = buildNpy({ type: 'i8', shape: [3, 4], elements: [5, 0, 1, 2, 3, 4, 5, 0, 0, 1, 2, 3] });

  it('keeps the first top-k class indices of each row, best first, without scores', () => {
    expect(rankings(read(topk, { format: 'npy-topk' }))).toEqual([
      [{ classIndex: 5, score: null }, { classIndex: 0, score: null }, { classIndex: 1, score: null }],
      [{ classIndex: 3, score: null }, { classIndex: 4, score: null }, { classIndex: 5, score: null }],
      [{ classIndex: 0, score: null }, { classIndex: 1, score: null }, { classIndex: 2, score: null }],
    ]);
  });

  it('keeps fewer when the array has fewer columns than top-k, and reads any integer dtype, in chunks of any size', () => {
    const narrow = buildNpy({ type: 'u1', shape: [3, 2], elements: [1, 2, 3, 4, 5, 0] });
    const table = read(narrow, { format: 'npy-topk', topK: 5 }, 3);
    expect(table.k).toBe(5);
    expect(rankings(table).map((r) => r.map((p) => p.classIndex))).toEqual([[1, 2], [3, 4], [5, 0]]);
    const int32 = buildNpy({ type: 'i4', bigEndian: true, shape: [3, 1], elements: [2, 4, 0] });
    expect(rankings(read(int32, { format: 'npy-topk' }, 7)).map((r) => r[0]!.classIndex)).toEqual([2, 4, 0]);
  });

  it('refuses a float array', () => {
    const floats = buildNpy({ type: 'f4', shape: [3, 2], elements: [1, 2, 3, 4, 5, 0] });
    expect(readError(floats, { format: 'npy-topk' }).message).toBe(
      "model.npy: unsupported dtype '<f4' (float32): npy-topk needs class indices in an integer array (e.g. int32 or int64)",
    );
  });

  it('refuses a class index out of range, naming the element', () => {
    const bad = buildNpy({ type: 'i8', shape: [3, 2], elements: [1, 2, 3, 6, 5, 0] });
    expect(readError(bad, { format: 'npy-topk' }).message).toBe(
      "model.npy: element [1, 1]: class index 6 is out of range: the vocabulary's class indices run from 0 to 5",
    );
    const negative = buildNpy({ type: 'i4', shape: [3, 2], elements: [1, 2, 3, 4, -1, 0] });
    expect(readError(negative, { format: 'npy-topk' }).message).toBe(
      "model.npy: element [2, 0]: class index -1 is out of range: the vocabulary's class indices run from 0 to 5",
    );
  });

  it('refuses a class twice in a ranking, also beyond the kept top-k', () => {
    const twice = buildNpy({ type: 'i8', shape: [3, 4], elements: [0, 1, 2, 3, 4, 5, 0, 5, 1, 2, 3, 4] });
    expect(readError(twice, { format: 'npy-topk' }).message).toBe(
      'model.npy: row 1: class index 5 appears twice (columns 1 and 3); a class appears once in a ranking',
    );
  });

  it('refuses a shape that does not match the images', () => {
    const short = buildNpy({ type: 'i8', shape: [2, 4], elements: [0, 1, 2, 3, 4, 5, 0, 1] });
    expect(readError(short, { format: 'npy-topk' }).message).toBe(
      'model.npy: shape (2, 4) does not fit: expected (3, k), one row per image of the project (3), in its order, and the k best class indices of each',
    );
    const flat = buildNpy({ type: 'i8', shape: [3], elements: [0, 1, 2] });
    expect(readError(flat, { format: 'npy-topk' }).message).toMatch(/^model\.npy: shape \(3,\) does not fit: expected \(3, k\)/);
  });

  it('refuses bad magic and truncated data', () => {
    const notNpy = new TextEncoder().encode('file,rank,class\na.jpg,1,k0\n');
    expect(readError(notNpy, { format: 'npy-topk' }).message).toBe('model.npy: bad magic: not a .npy file (it must start with \\x93NUMPY)');
    expect(readError(topk.subarray(0, topk.length - 3), { format: 'npy-topk' }).message).toBe(
      'model.npy: truncated: expected 96 bytes of data, got 93',
    );
    expect(readError(topk.subarray(0, 20), { format: 'npy-topk' }).message).toMatch(/^model\.npy: truncated: the header is incomplete/);
    expect(readError(new Uint8Array(0), { format: 'npy-topk' }).message).toBe('model.npy: truncated: the file is empty');
  });
});

describe('NpyPredictionsReader: scores', () => {
  const random = seededRandom(7);
  const logits = Array.from({ length: 3 * CLASSES }, () => Math.fround((random() - 0.5) * 20));
  const logitsNpy = buildNpy({ type: 'f4', shape: [3, CLASSES], elements: logits });

  it('takes the softmax of logits and keeps the top-k with their scores', () => {
    const table = read(logitsNpy, { format: 'npy-scores', kind: 'logits' });
    for (let i = 0; i < 3; i++) {
      const row = logits.slice(i * CLASSES, (i + 1) * CLASSES);
      const probabilities = softmax(row);
      const order = [...probabilities.keys()].sort((a, b) => probabilities[b]! - probabilities[a]!).slice(0, 3);
      const ranking = rankingAt(table, i);
      expect(ranking.map((p) => p.classIndex)).toEqual(order);
      ranking.forEach((p, r) => expect(p.score).toBeCloseTo(probabilities[order[r]!]!, 12));
    }
  });

  it('is numerically stable: huge logits give the same scores as small ones', () => {
    const shifted = buildNpy({ type: 'f8', shape: [1, CLASSES], elements: [1000, 1001, 1002, 999, 998, -1000] });
    const small = buildNpy({ type: 'f8', shape: [1, CLASSES], elements: [0, 1, 2, -1, -2, -2000] });
    const a = rankingAt(read(shifted, { format: 'npy-scores', kind: 'logits', imageCount: 1 }), 0);
    const b = rankingAt(read(small, { format: 'npy-scores', kind: 'logits', imageCount: 1 }), 0);
    expect(a.map((p) => p.classIndex)).toEqual([2, 1, 0]);
    a.forEach((p, r) => {
      expect(Number.isFinite(p.score)).toBe(true);
      expect(p.score).toBeCloseTo(b[r]!.score!, 12);
    });
    expect(a[0]!.score).toBeCloseTo(softmax([0, 1, 2, -1, -2, -2000])[2]!, 12);
  });

  it('keeps probabilities as they are, ranks a tie by the lower class index, reads float16 and big-endian', () => {
    // float16 bits: 0x3800 = 0.5, 0x3400 = 0.25, 0x3000 = 0.125, 0 = 0.
    const halves = buildNpy({ type: 'f2', bigEndian: true, shape: [1, CLASSES], elements: [0, 0x3400, 0x3000, 0x3400, 0x3800, 0] });
    expect(rankingAt(read(halves, { format: 'npy-scores', kind: 'probabilities', imageCount: 1 }), 0)).toEqual([
      { classIndex: 4, score: 0.5 },
      { classIndex: 1, score: 0.25 },
      { classIndex: 3, score: 0.25 },
    ]);
  });

  it('gives the same top-k whatever the chunk boundaries', () => {
    const whole = rankings(read(logitsNpy, { format: 'npy-scores', kind: 'logits' }));
    for (const size of [1, 5, 64, 129]) expect(rankings(read(logitsNpy, { format: 'npy-scores', kind: 'logits' }, size))).toEqual(whole);
  });

  it('refuses an integer array', () => {
    const ints = buildNpy({ type: 'i8', shape: [3, CLASSES], elements: Array(3 * CLASSES).fill(0) });
    expect(readError(ints, { format: 'npy-scores', kind: 'logits' }).message).toBe(
      "model.npy: unsupported dtype '<i8' (int64): npy-scores needs scores in a float16, float32 or float64 array",
    );
  });

  it('refuses a shape that does not match the vocabulary', () => {
    const wide = buildNpy({ type: 'f4', shape: [3, CLASSES + 1], elements: Array(3 * (CLASSES + 1)).fill(0) });
    expect(readError(wide, { format: 'npy-scores', kind: 'logits' }).message).toBe(
      'model.npy: shape (3, 7) does not fit: expected (3, 6), one row per image of the project (3), in its order, and one column per class of the vocabulary (6)',
    );
  });

  it.each([
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', -Infinity],
  ])('refuses a non-finite score (%s)', (shown, value) => {
    const elements = [...logits];
    elements[CLASSES + 2] = value;
    const npy = buildNpy({ type: 'f4', shape: [3, CLASSES], elements });
    expect(readError(npy, { format: 'npy-scores', kind: 'logits' }).message).toBe(`model.npy: element [1, 2] is ${shown}: scores must be finite numbers`);
  });

  it('refuses a probability outside 0..1', () => {
    const npy = buildNpy({ type: 'f8', shape: [1, CLASSES], elements: [0.1, 0.2, 1.5, 0, 0, 0] });
    expect(readError(npy, { format: 'npy-scores', kind: 'probabilities', imageCount: 1 }).message).toBe(
      'model.npy: element [0, 2] is 1.5: a probability is a number from 0 to 1 (are these logits?)',
    );
  });

  it('refuses scores when the vocabulary indices are not 0..C-1', () => {
    const gappy = createVocabulary([
      { index: 0, key: 'a', names: ['a'], gloss: '' },
      { index: 2, key: 'b', names: ['b'], gloss: '' },
    ]);
    expect(() => read(buildNpy({ type: 'f4', shape: [3, 2], elements: Array(6).fill(0) }), { format: 'npy-scores', kind: 'logits', vocabulary: gappy })).toThrow(
      "model.npy: column c of a score array is the class of index c, but the vocabulary's class indices are not 0 to 1",
    );
  });
});

describe('NpyPredictionsReader: npz-scores', () => {
  const logits = Array.from({ length: 3 * CLASSES }, (_, i) => (i * 7) % 11);
  const tensor = buildNpy({ type: 'f4', shape: [3, CLASSES], elements: logits });
  const other = buildNpy({ type: 'i8', shape: [2], elements: [1, 2] });

  it.each([
    ['stored', 0],
    ['deflated', 6],
  ] as const)('reads the named member of a %s archive, skipping the others', (_, level) => {
    const archive = zipSync({ 'ids.npy': [other, { level }], 'logits.npy': [tensor, { level }] });
    const fromNpz = rankings(read(archive, { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }, 100));
    expect(fromNpz).toEqual(rankings(read(tensor, { format: 'npy-scores', kind: 'logits' })));
  });

  it('refuses an archive without the member, naming the ones it has', () => {
    const archive = zipSync({ 'ids.npy': other, 'scores.npy': tensor });
    expect(readError(archive, { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }).message).toBe(
      "model.npz: no array 'logits' in the archive (it holds 'ids', 'scores')",
    );
  });

  it('names the member when its array is wrong, and refuses a truncated archive and a file that is not a zip', () => {
    const bad = buildNpy({ type: 'i4', shape: [3, CLASSES], elements: logits });
    expect(readError(zipSync({ 'logits.npy': bad }), { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }).message).toBe(
      "model.npz: member 'logits.npy': unsupported dtype '<i4' (int32): npz-scores needs scores in a float16, float32 or float64 array",
    );
    const archive = zipSync({ 'logits.npy': [tensor, { level: 0 }] });
    expect(readError(archive.subarray(0, 200), { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }).message).toMatch(
      /^model\.npz: truncated/,
    );
    expect(readError(tensor, { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }).message).toBe(
      'model.npz: not a zip archive (a .npz starts with PK\\x03\\x04)',
    );
  });

  it('inflates a large deflated member in steps: the row decoder is never handed more than about 1 MiB at once', () => {
    // 1,000 rows of probabilities over 1,000 classes (4 MB of float32), two non-zero per row: it deflates more than 100:1.
    const N = 1000;
    const C = 1000;
    const wide = createVocabulary(Array.from({ length: C }, (_, index) => ({ index, key: `c${index}`, names: [`class ${index}`], gloss: '' })));
    const probabilities = new Float32Array(N * C);
    for (let i = 0; i < N; i++) {
      probabilities[i * C + ((i * 37) % C)] = 0.75;
      probabilities[i * C + ((i * 37 + 500) % C)] = 0.25;
    }
    const npy = concatBytes(npyPreamble(numpyHeaderText({ type: 'f4', shape: [N, C] })), new Uint8Array(probabilities.buffer));
    const archive = zipSync({ 'ids.npy': [other, { level: 6 }], 'probs.npy': [npy, { level: 6 }] });
    expect(npy.length / archive.length).toBeGreaterThan(100);
    const options = { vocabulary: wide, imageCount: N, kind: 'probabilities' } as const;
    const push = vi.spyOn(NpyStreamDecoder.prototype, 'push');
    try {
      const table = read(archive, { ...options, file: 'model.npz', format: 'npz-scores', member: 'probs' });
      const handed = push.mock.calls.map(([chunk]) => chunk.length);
      expect(handed.reduce((a, b) => a + b, 0)).toBe(npy.length);
      expect(Math.max(...handed)).toBeLessThanOrEqual(2 * INFLATE_STEP_OUTPUT);
      expect(rankingAt(table, 1)).toEqual([
        { classIndex: 37, score: 0.75 },
        { classIndex: 537, score: 0.25 },
        { classIndex: 0, score: 0 },
      ]);
      expect(rankings(table)).toEqual(rankings(read(npy, { ...options, format: 'npy-scores' })));
    } finally {
      push.mockRestore();
    }
  });

  it('refuses a member that inflates to more than its header implies (a zip bomb), naming the file and the member', () => {
    const header = npyPreamble(numpyHeaderText({ type: 'f4', shape: [3, CLASSES] }));
    const expected = header.length + 3 * CLASSES * 4;
    const bomb = buildZip([{ name: 'logits.npy', data: deflatedZerosAfter(header, 1_000_000), method: 8, size: expected }]);
    expect(readError(bomb, { file: 'model.npz', format: 'npz-scores', member: 'logits', kind: 'logits' }).message).toBe(
      `model.npz: member 'logits.npy' inflates to more than the ${expected} bytes its .npy header (dtype '<f4', shape (3, 6)) implies: the archive is damaged or forged`,
    );
  });
});

describe('rows of a NumPy predictions file', () => {
  it('rows "imagenet-validation": picks the project images out of 50,000 rows by their validation number', () => {
    const files = ['ILSVRC2012_val_00000003.JPEG', 'n01440764/ILSVRC2012_val_00050000.JPEG'];
    const rows = rowsOfImagenetValidation(files, { file: 'manifest.json', field: 'models[0].predictions.rows' });
    expect(rows.targets.length).toBe(50_000);
    expect(rows.targets[2]).toBe(0);
    expect(rows.targets[49_999]).toBe(1);
    expect(rows.targets.filter((t) => t >= 0).length).toBe(2);
  });

  it('rows "imagenet-validation": refuses an image that is not a validation image', () => {
    expect(() => rowsOfImagenetValidation(['ILSVRC2012_val_00000001.JPEG', 'cat.jpg'], { file: 'manifest.json', field: 'models[0].predictions.rows' })).toThrow(
      'manifest.json, field "models[0].predictions.rows": image "cat.jpg" is not an ImageNet validation image (ILSVRC2012_val_00000001.JPEG to ILSVRC2012_val_00050000.JPEG), so rows "imagenet-validation" give it no row',
    );
  });

  it('an image list: rows of images outside the project are read, checked and skipped', () => {
    const list = readImageList('x.jpg\nb.jpg\na.jpg\n', 'rows.txt', 'lines');
    const rows = rowsOfImageList(list, new Map([['a.jpg', 0], ['b.jpg', 1], ['c.jpg', 2]]), 'rows.txt');
    expect([...rows.targets]).toEqual([-1, 1, 0]);
    const npy = buildNpy({ type: 'i8', shape: [3, 1], elements: [5, 4, 3] });
    expect(rankings(read(npy, { format: 'npy-topk', rows })).map((r) => r.map((p) => p.classIndex))).toEqual([[3], [4], []]);
    const badSkippedRow = buildNpy({ type: 'f4', shape: [3, CLASSES], elements: [NaN, ...Array(3 * CLASSES - 1).fill(0)] });
    expect(readError(badSkippedRow, { format: 'npy-scores', kind: 'logits', rows }).message).toBe('model.npy: element [0, 0] is NaN: scores must be finite numbers');
    expect(() => rowsOfImageList(list, new Map([['z.jpg', 0]]), 'rows.txt')).toThrow('rows.txt: none of its 3 images is an image of the project');
  });
});
