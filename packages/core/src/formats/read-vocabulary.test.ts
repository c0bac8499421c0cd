import { describe, expect, it } from 'vitest';
import { readVocabulary } from './read-vocabulary';
import { expectFormatError } from './test-helpers';

const classInfo = JSON.stringify([
  { cid: 0, wnid: 'n01440764', synset: ['tench', 'Tinca tinca'], gloss: 'freshwater dace-like game fish' },
  { cid: 1, wnid: 'n01443537', synset: ['goldfish', 'Carassius auratus'], gloss: 'small golden or orange-red freshwater fishes' },
]);

describe('readVocabulary: imagenet-class-info', () => {
  it('maps cid, wnid, synset and gloss to index, key, names and gloss', () => {
    expect(readVocabulary(classInfo, 'class_info.json', 'imagenet-class-info')).toEqual([
      { index: 0, key: 'n01440764', names: ['tench', 'Tinca tinca'], gloss: 'freshwater dace-like game fish' },
      { index: 1, key: 'n01443537', names: ['goldfish', 'Carassius auratus'], gloss: 'small golden or orange-red freshwater fishes' },
    ]);
  });

  const withRow = (row: unknown) => JSON.stringify([{ cid: 0, wnid: 'n0', synset: ['a'], gloss: '' }, row]);

  it('refuses a non-array, a non-object row and an unknown field', () => {
    expectFormatError(
      () => readVocabulary('{"cid": 0}', 'class_info.json', 'imagenet-class-info'),
      'class_info.json: expected an array of classes [{cid, wnid, synset, gloss}], got an object',
    );
    expectFormatError(() => readVocabulary(withRow('n1'), 'class_info.json', 'imagenet-class-info'), 'class_info.json, row 2: expected a class object, got a string');
    expectFormatError(
      () => readVocabulary(withRow({ cid: 1, wnid: 'n1', synset: [], glos: '' }), 'class_info.json', 'imagenet-class-info'),
      'class_info.json, row 2, field "glos": unknown field; a row has the fields cid, wnid, synset, gloss',
    );
  });

  it('refuses a bad index, key, names or gloss', () => {
    const read = (row: unknown) => () => readVocabulary(withRow(row), 'class_info.json', 'imagenet-class-info');
    expectFormatError(read({ cid: '1', wnid: 'n1', synset: [] }), 'class_info.json, row 2, field "cid": expected a class index (an integer from 0), got "1"');
    expectFormatError(read({ cid: -1, wnid: 'n1', synset: [] }), 'class_info.json, row 2, field "cid": expected a class index (an integer from 0), got -1');
    expectFormatError(read({ cid: 1, wnid: ' ', synset: [] }), 'class_info.json, row 2, field "wnid": expected a non-empty class key, got " "');
    expectFormatError(read({ cid: 1, wnid: 'n1', synset: 'one' }), 'class_info.json, row 2, field "synset": expected an array of names (strings), got "one"');
    expectFormatError(read({ cid: 1, wnid: 'n1', synset: [1] }), 'class_info.json, row 2, field "synset": expected an array of names (strings), got an array');
    expectFormatError(read({ cid: 1, wnid: 'n1', synset: [], gloss: 3 }), 'class_info.json, row 2, field "gloss": expected a string, got a number');
  });

  it('refuses a key longer than a verdict or the item browser takes (100 characters), naming row and field', () => {
    const long = `n${'0'.repeat(2999)}`;
    const error = expectFormatError(
      () => readVocabulary(withRow({ cid: 1, wnid: long, synset: [] }), 'class_info.json', 'imagenet-class-info'),
      `class_info.json, row 2, field "wnid": the class key "${long.slice(0, 40)}…" is 3000 characters long; a class key has at most 100`,
    );
    expect(error).toMatchObject({ file: 'class_info.json', row: 2, field: 'wnid' });
    const longest = `n${'0'.repeat(99)}`;
    expect(readVocabulary(withRow({ cid: 1, wnid: longest, synset: [] }), 'class_info.json', 'imagenet-class-info')[1]!.key).toBe(longest);
  });

  it('refuses duplicate indices and keys, naming both rows', () => {
    expectFormatError(
      () => readVocabulary(withRow({ cid: 0, wnid: 'n1', synset: [] }), 'class_info.json', 'imagenet-class-info'),
      'class_info.json, row 2, field "cid": duplicate class index 0 (also row 1)',
    );
    expectFormatError(
      () => readVocabulary(withRow({ cid: 1, wnid: 'n0', synset: [] }), 'class_info.json', 'imagenet-class-info'),
      'class_info.json, row 2, field "wnid": duplicate class key "n0" (also row 1)',
    );
  });

  it('refuses an empty list', () => {
    expectFormatError(() => readVocabulary('[]', 'class_info.json', 'imagenet-class-info'), 'class_info.json: the vocabulary has no classes');
  });
});

describe('readVocabulary: json', () => {
  it('reads index, key, names and an optional gloss', () => {
    const text = JSON.stringify([{ index: 3, key: 'cat', names: ['cat', ' house cat '] }, { index: 5, key: 'dog', names: [], gloss: 'a dog' }]);
    expect(readVocabulary(text, 'classes.json', 'json')).toEqual([
      { index: 3, key: 'cat', names: ['cat', 'house cat'], gloss: '' },
      { index: 5, key: 'dog', names: [], gloss: 'a dog' },
    ]);
  });

  it('uses its own field names in messages', () => {
    expectFormatError(
      () => readVocabulary(JSON.stringify([{ index: 0, key: 'a', names: [] }, { index: 1, key: 'a', names: [] }]), 'classes.json', 'json'),
      'classes.json, row 2, field "key": duplicate class key "a" (also row 1)',
    );
    expectFormatError(() => readVocabulary(JSON.stringify([{ index: 0, key: 'a', names: [], cid: 1 }]), 'classes.json', 'json'), 'classes.json, row 1, field "cid": unknown field; a row has the fields index, key, names, gloss');
    expectFormatError(
      () => readVocabulary(JSON.stringify([{ index: 0, key: ` ${'é'.repeat(101)} `, names: [] }]), 'classes.json', 'json'),
      `classes.json, row 1, field "key": the class key "${'é'.repeat(40)}…" is 101 characters long; a class key has at most 100`,
    );
  });
});

describe('readVocabulary: csv', () => {
  it('reads index, key, names separated by ";" and an optional gloss', () => {
    const text = 'index,key,names,gloss\n0,n01440764,"tench; Tinca tinca",a fish\n1,n01443537,goldfish,"small, golden"\n';
    expect(readVocabulary(text, 'classes.csv', 'csv')).toEqual([
      { index: 0, key: 'n01440764', names: ['tench', 'Tinca tinca'], gloss: 'a fish' },
      { index: 1, key: 'n01443537', names: ['goldfish'], gloss: 'small, golden' },
    ]);
    expect(readVocabulary('key,index,names\nx,4,\n', 'classes.csv', 'csv')).toEqual([{ index: 4, key: 'x', names: [], gloss: '' }]);
  });

  it('refuses a bad index or an empty key, naming line and field', () => {
    const error = expectFormatError(
      () => readVocabulary('index,key,names\n0,a,x\none,b,y\n', 'classes.csv', 'csv'),
      'classes.csv, line 3, field "index": "one" is not a class index (an integer from 0)',
    );
    expect(error).toMatchObject({ file: 'classes.csv', line: 3, field: 'index' });
    expectFormatError(() => readVocabulary('index,key,names\n0,,x\n', 'classes.csv', 'csv'), 'classes.csv, line 2, field "key": the class key is empty');
    expectFormatError(() => readVocabulary('index,key,names\n99999999999999999999,a,x\n', 'classes.csv', 'csv'), 'classes.csv, line 2, field "index": 99999999999999999999 is too large for a class index');
    const tooLong = expectFormatError(
      () => readVocabulary(`index,key,names\n0,a,x\n1,${'k'.repeat(2800)},y\n`, 'classes.csv', 'csv'),
      `classes.csv, line 3, field "key": the class key "${'k'.repeat(40)}…" is 2800 characters long; a class key has at most 100`,
    );
    expect(tooLong).toMatchObject({ file: 'classes.csv', line: 3, field: 'key' });
  });

  it('refuses duplicate keys and indices, naming both lines', () => {
    expectFormatError(() => readVocabulary('index,key,names\n0,a,x\n1,b,y\n2,a,z\n', 'classes.csv', 'csv'), 'classes.csv, line 4, field "key": duplicate class key "a" (also line 2)');
    expectFormatError(() => readVocabulary('index,key,names\n0,a,x\n0,b,y\n', 'classes.csv', 'csv'), 'classes.csv, line 3, field "index": duplicate class index 0 (also line 2)');
  });

  it('refuses a header without the needed columns, and an empty list', () => {
    expectFormatError(() => readVocabulary('index,key\n0,a\n', 'classes.csv', 'csv'), 'classes.csv, line 1, field "names": missing column; the header must be "index,key,names,gloss"');
    expectFormatError(() => readVocabulary('index,key,names\n', 'classes.csv', 'csv'), 'classes.csv: the vocabulary has no classes');
  });
});
