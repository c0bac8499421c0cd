import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../vocabulary';
import { readPredictions } from './read-predictions';
import { expectFormatError } from './test-helpers';

const vocabulary = createVocabulary([
  { index: 0, key: 'tabby', names: ['tabby'], gloss: '' },
  { index: 1, key: 'tiger_cat', names: ['tiger cat'], gloss: '' },
  { index: 2, key: 'egyptian_cat', names: ['Egyptian cat'], gloss: '' },
]);
const options = { vocabulary, classBy: 'auto' as const, knownFiles: new Set(['a.png', 'b.png']) };
const csv = (...lines: string[]) => ['file,rank,class,score', ...lines].join('\n') + '\n';
const readCsv = (...lines: string[]) => () => readPredictions(csv(...lines), 'model.csv', 'csv', options);
const readJson = (rows: unknown) => () => readPredictions(JSON.stringify(rows), 'model.json', 'json', options);

describe('readPredictions: csv', () => {
  it('reads ranked rows, a score or an empty score, classes by key or index', () => {
    expect(readCsv('a.png,1,tiger_cat,0.6', 'a.png,2,0,0.3', 'b.png,2,1,', 'b.png,1,tabby,1')()).toEqual([
      { file: 'a.png', rank: 1, classIndex: 1, classKey: 'tiger_cat', score: 0.6 },
      { file: 'a.png', rank: 2, classIndex: 0, classKey: 'tabby', score: 0.3 },
      { file: 'b.png', rank: 2, classIndex: 1, classKey: 'tiger_cat', score: null },
      { file: 'b.png', rank: 1, classIndex: 0, classKey: 'tabby', score: 1 },
    ]);
  });

  it('accepts a file without the score column', () => {
    expect(readPredictions('file,rank,class\na.png,1,tabby\n', 'model.csv', 'csv', options)).toEqual([
      { file: 'a.png', rank: 1, classIndex: 0, classKey: 'tabby', score: null },
    ]);
  });

  it('refuses a bad rank', () => {
    expectFormatError(readCsv('a.png,0,tabby,0.5'), 'model.csv, line 2, field "rank": "0" is not a rank: ranks are integers from 1 (best)');
    expectFormatError(readCsv('a.png,1,tabby,0.5', 'a.png,1.5,tabby,0.5'), 'model.csv, line 3, field "rank": "1.5" is not a rank: ranks are integers from 1 (best)');
    expectFormatError(readCsv('a.png,,tabby,0.5'), 'model.csv, line 2, field "rank": "" is not a rank: ranks are integers from 1 (best)');
  });

  it('refuses a bad score', () => {
    const error = expectFormatError(readCsv('a.png,1,tabby,1.2'), 'model.csv, line 2, field "score": "1.2" is not a score: a score is a number from 0 to 1, or empty');
    expect(error).toMatchObject({ file: 'model.csv', line: 2, field: 'score' });
    expectFormatError(readCsv('a.png,1,tabby,-0.1'), 'model.csv, line 2, field "score": "-0.1" is not a score: a score is a number from 0 to 1, or empty');
    expectFormatError(readCsv('a.png,1,tabby,NaN'), 'model.csv, line 2, field "score": "NaN" is not a score: a score is a number from 0 to 1, or empty');
    expectFormatError(readCsv('a.png,1,tabby,0x1'), 'model.csv, line 2, field "score": "0x1" is not a score: a score is a number from 0 to 1, or empty');
  });

  it('refuses an unknown file and an unknown class', () => {
    expectFormatError(readCsv('a.png,1,tabby,0.5', 'c.png,1,tabby,0.5'), 'model.csv, line 3, field "file": unknown file "c.png": it has no original label');
    expectFormatError(readCsv('a.png,1,lion,0.5'), 'model.csv, line 2, field "class": unknown class key "lion"');
    expectFormatError(readCsv('a.png,1,7,0.5'), 'model.csv, line 2, field "class": unknown class "7": neither a class key nor a class index');
  });

  it('refuses a duplicate rank, naming both lines', () => {
    expectFormatError(
      readCsv('a.png,1,tabby,0.5', 'b.png,1,tabby,0.5', 'a.png,1,tiger_cat,0.4'),
      'model.csv, line 4, field "rank": duplicate rank 1 for "a.png" (also line 2)',
    );
  });

  it('refuses a class given twice in one ranking', () => {
    expectFormatError(
      readCsv('a.png,1,tabby,0.5', 'a.png,2,0,0.4'),
      'model.csv, line 3, field "class": class "tabby" is already at rank 1 for "a.png"; a class appears once in a ranking',
    );
  });

  it('refuses ranks with a gap, naming the first rank after it', () => {
    expectFormatError(
      readCsv('a.png,1,tabby,0.5', 'a.png,2,tiger_cat,0.3', 'b.png,1,tabby,0.5', 'a.png,4,egyptian_cat,0.1'),
      'model.csv, line 5, field "rank": rank 4 for "a.png" without rank 3: the ranks of a file run 1, 2, 3... without gaps',
    );
    expectFormatError(readCsv('b.png,2,tabby,0.5'), 'model.csv, line 2, field "rank": rank 2 for "b.png" without rank 1: the ranks of a file run 1, 2, 3... without gaps');
  });

  it('refuses a file without rows', () => {
    expectFormatError(readCsv(), 'model.csv: no predictions: the file has no rows');
  });
});

describe('readPredictions: json', () => {
  it('reads [{file, rank, class, score}] with null or absent scores', () => {
    expect(
      readJson([
        { file: 'a.png', rank: 1, class: 'tiger_cat', score: 0.7 },
        { file: 'a.png', rank: 2, class: 2, score: null },
        { file: 'b.png', rank: 1, class: '0' },
      ])(),
    ).toEqual([
      { file: 'a.png', rank: 1, classIndex: 1, classKey: 'tiger_cat', score: 0.7 },
      { file: 'a.png', rank: 2, classIndex: 2, classKey: 'egyptian_cat', score: null },
      { file: 'b.png', rank: 1, classIndex: 0, classKey: 'tabby', score: null },
    ]);
  });

  it('names the row and field of each problem', () => {
    const ok = { file: 'a.png', rank: 1, class: 'tabby', score: 0.5 };
    expectFormatError(readJson({ rows: [] }), 'model.json: expected an array of predictions [{file, rank, class, score}], got an object');
    expectFormatError(readJson([ok, 'x']), 'model.json, row 2: expected a prediction {file, rank, class, score}, got a string');
    expectFormatError(readJson([{ ...ok, model: 'A' }]), 'model.json, row 1, field "model": unknown field; a row has the fields file, rank, class, score');
    expectFormatError(readJson([{ ...ok, rank: '1' }]), 'model.json, row 1, field "rank": "1" is not a rank: ranks are integers from 1 (best)');
    expectFormatError(readJson([{ ...ok, rank: 0 }]), 'model.json, row 1, field "rank": 0 is not a rank: ranks are integers from 1 (best)');
    const badScore = expectFormatError(readJson([ok, { ...ok, rank: 2, class: 'tiger_cat', score: 2 }]), 'model.json, row 2, field "score": 2 is not a score: a score is a number from 0 to 1, or null');
    expect(badScore).toMatchObject({ file: 'model.json', row: 2, field: 'score' });
    expectFormatError(readJson([{ ...ok, score: '0.5' }]), 'model.json, row 1, field "score": "0.5" is not a score: a score is a number from 0 to 1, or null');
    expectFormatError(readJson([{ ...ok, file: 'z.png' }]), 'model.json, row 1, field "file": unknown file "z.png": it has no original label');
    expectFormatError(readJson([{ ...ok, file: null }]), 'model.json, row 1, field "file": expected a file name, got null');
    expectFormatError(readJson([{ ...ok, class: 9 }]), 'model.json, row 1, field "class": unknown class index 9');
    expectFormatError(readJson([ok, { ...ok, class: 'tiger_cat' }]), 'model.json, row 2, field "rank": duplicate rank 1 for "a.png" (also row 1)');
    expectFormatError(readJson([ok, { ...ok, rank: 3, class: 'tiger_cat' }]), 'model.json, row 2, field "rank": rank 3 for "a.png" without rank 2: the ranks of a file run 1, 2, 3... without gaps');
  });
});
