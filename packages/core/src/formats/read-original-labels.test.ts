import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../vocabulary';
import { imagePathProblem, imagenetValidationFile, readOriginalLabels } from './read-original-labels';
import { expectFormatError } from './test-helpers';

const vocabulary = createVocabulary([
  { index: 0, key: 'n01440764', names: ['tench'], gloss: '' },
  { index: 1, key: 'n01443537', names: ['goldfish'], gloss: '' },
]);
const auto = { vocabulary, classBy: 'auto' as const };
const rows = (...pairs: [string, number][]) =>
  pairs.map(([file, classIndex]) => ({ file, classIndex, classKey: classIndex === 0 ? 'n01440764' : 'n01443537' }));

describe('readOriginalLabels: csv', () => {
  it('reads file,label rows in file order, labels by key or index', () => {
    const text = 'file,label\nb.jpg,n01443537\nsub/a.jpg,0\n';
    expect(readOriginalLabels(text, 'labels.csv', 'csv', auto).rows()).toEqual(rows(['b.jpg', 1], ['sub/a.jpg', 0]));
  });

  it('refuses an unknown class, naming line and field', () => {
    const error = expectFormatError(
      () => readOriginalLabels('file,label\na.jpg,n01440764\nb.jpg,n0000\n', 'labels.csv', 'csv', auto),
      'labels.csv, line 3, field "label": unknown class key "n0000"',
    );
    expect(error).toMatchObject({ file: 'labels.csv', line: 3, field: 'label' });
  });

  it('follows classBy', () => {
    expectFormatError(
      () => readOriginalLabels('file,label\na.jpg,1\n', 'labels.csv', 'csv', { vocabulary, classBy: 'key' }),
      'labels.csv, line 2, field "label": unknown class key "1"',
    );
    expect(readOriginalLabels('file,label\na.jpg,1\n', 'labels.csv', 'csv', { vocabulary, classBy: 'index' }).rows()).toEqual(rows(['a.jpg', 1]));
  });

  it('refuses a duplicate file and a path outside the image folder', () => {
    expectFormatError(
      () => readOriginalLabels('file,label\na.jpg,0\nb.jpg,0\na.jpg,1\n', 'labels.csv', 'csv', auto),
      'labels.csv, line 4, field "file": duplicate file "a.jpg" (also line 2)',
    );
    expectFormatError(
      () => readOriginalLabels('file,label\n../secret.jpg,0\n', 'labels.csv', 'csv', auto),
      'labels.csv, line 2, field "file": "../secret.jpg" is not a plain relative path inside the image folder (no "..", ".", or empty folder names)',
    );
    expectFormatError(() => readOriginalLabels('file,label\n,0\n', 'labels.csv', 'csv', auto), 'labels.csv, line 2, field "file": the file name is empty');
  });

  it('refuses a path longer than 500 characters, which no index of file names could hold on every engine', () => {
    const long = `${'d/'.repeat(300)}a.jpg`;
    const error = expectFormatError(
      () => readOriginalLabels(`file,label\na.jpg,0\n${long},1\n`, 'labels.csv', 'csv', auto),
      `labels.csv, line 3, field "file": the file name "${long.slice(0, 40)}…" is 605 characters long; an image path has at most 500`,
    );
    expect(error).toMatchObject({ file: 'labels.csv', line: 3, field: 'file' });
    const longest = `${'d/'.repeat(247)}a.jpg`;
    expect(readOriginalLabels(`file,label\n${longest},1\n`, 'labels.csv', 'csv', auto).rows()).toEqual(rows([longest, 1]));
  });

  it('refuses a file without labels', () => {
    expectFormatError(() => readOriginalLabels('file,label\n', 'labels.csv', 'csv', auto), 'labels.csv: no labels: the file lists no image');
  });
});

describe('imagePathProblem', () => {
  it('accepts plain relative paths and refuses anything that could leave the image folder', () => {
    expect(imagePathProblem('a.jpg')).toBeNull();
    expect(imagePathProblem('n01440764/ILSVRC2012_val_00000293.JPEG')).toBeNull();
    expect(imagePathProblem('/etc/passwd')).toBe('"/etc/passwd" is an absolute path; name files relative to the image folder');
    expect(imagePathProblem('C:/x.jpg')).toBe('"C:/x.jpg" is an absolute path; name files relative to the image folder');
    expect(imagePathProblem('a\\b.jpg')).toBe('"a\\b.jpg" contains a backslash; separate folders with "/"');
    expect(imagePathProblem('a/../../b.jpg')).toMatch(/not a plain relative path/);
    expect(imagePathProblem('./a.jpg')).toMatch(/not a plain relative path/);
    expect(imagePathProblem('a//b.jpg')).toMatch(/not a plain relative path/);
    expect(imagePathProblem(' a.jpg')).toBe('" a.jpg" starts or ends with a space');
    expect(imagePathProblem('a\uD800.jpg')).toBe('the file name is not valid Unicode (it holds a lone surrogate)');
    expect(imagePathProblem('\uD83D\uDE00.jpg')).toBeNull();
  });
});

describe('readOriginalLabels: json', () => {
  it('reads {FILE: label}', () => {
    expect(readOriginalLabels('{"a.jpg": "n01443537", "b.jpg": 0}', 'labels.json', 'json', auto).rows()).toEqual(rows(['a.jpg', 1], ['b.jpg', 0]));
  });

  it('reads [[FILE, label], ...]', () => {
    expect(readOriginalLabels('[["a.jpg", 1], ["b.jpg", "n01440764"]]', 'labels.json', 'json', auto).rows()).toEqual(rows(['a.jpg', 1], ['b.jpg', 0]));
  });

  it("reads ImageNetV2's image list object", () => {
    const text = JSON.stringify({ sampling_function: 'sample_val_annotated', seed: 0, image_filenames: [['ILSVRC2012_val_00038135.JPEG', 'n01443537']] });
    expect(readOriginalLabels(text, 'list.json', 'json', auto).rows()).toEqual(rows(['ILSVRC2012_val_00038135.JPEG', 1]));
  });

  it('names row and field of a bad entry in each form', () => {
    expectFormatError(() => readOriginalLabels('{"a.jpg": 0, "b.jpg": "n9"}', 'labels.json', 'json', auto), 'labels.json, row 2, field "b.jpg": unknown class key "n9"');
    expectFormatError(() => readOriginalLabels('[["a.jpg", 0], ["b.jpg", 5]]', 'labels.json', 'json', auto), 'labels.json, row 2, field "label": unknown class index 5');
    expectFormatError(() => readOriginalLabels('[["a.jpg", 0], [3, 0]]', 'labels.json', 'json', auto), 'labels.json, row 2, field "file": expected a file name, got a number');
    expectFormatError(() => readOriginalLabels('[["a.jpg", 0], ["b.jpg"]]', 'labels.json', 'json', auto), 'labels.json, row 2: expected a pair [FILE, label], got an array of 1');
    expectFormatError(() => readOriginalLabels('[["a.jpg", 0], ["a.jpg", 1]]', 'labels.json', 'json', auto), 'labels.json, row 2, field "file": duplicate file "a.jpg" (also row 1)');
    // Two names that differ only in a lone surrogate would have the same UTF-8 bytes: refused before they could clash.
    expectFormatError(
      () => readOriginalLabels('[["a\\ud800.jpg", 0], ["a\\udc00.jpg", 1]]', 'labels.json', 'json', auto),
      'labels.json, row 1, field "file": the file name is not valid Unicode (it holds a lone surrogate)',
    );
    expectFormatError(
      () => readOriginalLabels('{"image_filenames": [["a.jpg", "n01440764"], ["b.jpg", null]]}', 'list.json', 'json', auto),
      'list.json, row 2, field "image_filenames.label": expected a class key or index, got null',
    );
    expectFormatError(
      () => readOriginalLabels('"a.jpg"', 'labels.json', 'json', auto),
      'labels.json: expected {FILE: label}, [[FILE, label], ...] or {"image_filenames": [[FILE, label], ...]}, got a string',
    );
  });
});

describe('readOriginalLabels: imagenet-wnid-lines', () => {
  it('gives line i to ILSVRC2012_val_{i:08d}.JPEG, with or without a final newline, LF or CRLF', () => {
    const expected = rows([imagenetValidationFile(1), 1], [imagenetValidationFile(2), 0]);
    expect(expected[0]!.file).toBe('ILSVRC2012_val_00000001.JPEG');
    expect(readOriginalLabels('n01443537\nn01440764\n', 'val.txt', 'imagenet-wnid-lines', auto).rows()).toEqual(expected);
    expect(readOriginalLabels('n01443537\r\nn01440764', 'val.txt', 'imagenet-wnid-lines', auto).rows()).toEqual(expected);
  });

  it('refuses an unknown WNID and an empty line in the middle, naming the line', () => {
    const error = expectFormatError(() => readOriginalLabels('n01443537\nn0000\n', 'val.txt', 'imagenet-wnid-lines', auto), 'val.txt, line 2: unknown class key "n0000"');
    expect(error).toMatchObject({ file: 'val.txt', line: 2 });
    expectFormatError(
      () => readOriginalLabels('n01443537\n\nn01440764\n', 'val.txt', 'imagenet-wnid-lines', auto),
      'val.txt, line 2: empty line: line 2 must hold the label of ILSVRC2012_val_00000002.JPEG',
    );
  });
});
