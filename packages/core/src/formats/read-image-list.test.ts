import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../vocabulary';
import { labelImageList, readImageList } from './read-image-list';
import { importedImagePathProblem, readOriginalLabels } from './read-original-labels';
import { expectFormatError } from './test-helpers';

const vocabulary = createVocabulary([
  { index: 0, key: 'n01440764', names: ['tench'], gloss: '' },
  { index: 1, key: 'n01443537', names: ['goldfish'], gloss: '' },
]);

describe('readImageList', () => {
  it('reads an ImageNetV2 image list: files in order, each with its label as written', () => {
    const text = JSON.stringify({ sampling_function: 'sample_val_annotated', image_filenames: [['ILSVRC2012_val_00000003.JPEG', 'n01443537'], ['ILSVRC2012_val_00000001.JPEG', 0]] });
    expect(readImageList(text, 'list.json', 'json').entries()).toEqual([
      { file: 'ILSVRC2012_val_00000003.JPEG', label: 'n01443537', location: { file: 'list.json', row: 1 }, fileField: 'image_filenames.file', labelField: 'image_filenames.label' },
      { file: 'ILSVRC2012_val_00000001.JPEG', label: 0, location: { file: 'list.json', row: 2 }, fileField: 'image_filenames.file', labelField: 'image_filenames.label' },
    ]);
  });

  it('reads a JSON array of file names, and a list of lines', () => {
    expect(readImageList('["b.jpg", "sub/a.jpg"]', 'list.json', 'json').entries()).toEqual([
      { file: 'b.jpg', location: { file: 'list.json', row: 1 } },
      { file: 'sub/a.jpg', location: { file: 'list.json', row: 2 } },
    ]);
    expect(readImageList('\uFEFFb.jpg\r\nsub/a.jpg\n\n', 'list.txt', 'lines').entries()).toEqual([
      { file: 'b.jpg', location: { file: 'list.txt', line: 1 } },
      { file: 'sub/a.jpg', location: { file: 'list.txt', line: 2 } },
    ]);
  });

  it('refuses an empty line inside a list of lines, a duplicate, a path outside the image folder, an empty list', () => {
    expectFormatError(() => readImageList('a.jpg\n\nb.jpg\n', 'list.txt', 'lines'), 'list.txt, line 2: empty line: line 2 must name the image of row 2');
    expectFormatError(() => readImageList('a.jpg\nb.jpg\na.jpg\n', 'list.txt', 'lines'), 'list.txt, line 3: duplicate file "a.jpg" (also line 1)');
    expectFormatError(
      () => readImageList(JSON.stringify({ image_filenames: [['../a.jpg', 'n01440764']] }), 'list.json', 'json'),
      'list.json, row 1, field "image_filenames.file": "../a.jpg" is not a plain relative path inside the image folder (no "..", ".", or empty folder names)',
    );
    expectFormatError(() => readImageList('[]', 'list.json', 'json'), 'list.json: no images: the list is empty');
    expectFormatError(
      () => readImageList(`a.jpg\n${'x'.repeat(501)}.jpg\n`, 'list.txt', 'lines'),
      `list.txt, line 2: the file name "${'x'.repeat(40)}…" is 505 characters long; an image path has at most 500`,
    );
    expectFormatError(() => readImageList('[["a.jpg"]]', 'list.json', 'json'), 'list.json, row 1: expected a file name or a pair [FILE, label], got an array of 1');
    expectFormatError(() => readImageList('{"files": []}', 'list.json', 'json'), 'list.json: expected {"image_filenames": [[FILE, label], ...]}, [[FILE, label], ...] or [FILE, ...], got an object');
  });
});

describe('readImageList: lines walked in place', () => {
  it('ends the list at its last name: blank lines after it (spaces, CR) are dropped, a name without a newline is read', () => {
    expect(readImageList('a.jpg\r\n  \r\n\t\n\n', 'list.txt', 'lines').names.files()).toEqual(['a.jpg']);
    expect(readImageList('a.jpg\nb.jpg', 'list.txt', 'lines').names.files()).toEqual(['a.jpg', 'b.jpg']);
    expect(readImageList('a b.jpg\n', 'list.txt', 'lines').names.files()).toEqual(['a b.jpg']);
    expectFormatError(() => readImageList('\n \r\n\n', 'list.txt', 'lines'), 'list.txt: no images: the list is empty');
    expectFormatError(() => readImageList('', 'list.txt', 'lines'), 'list.txt: no images: the list is empty');
    expectFormatError(() => readImageList(' \r\na.jpg\n', 'list.txt', 'lines'), 'list.txt, line 1: empty line: line 1 must name the image of row 1');
  });

  it('reads the same names as splitting the text into lines (property)', () => {
    const name = fc
      .string({ unit: 'grapheme', minLength: 1, maxLength: 10 })
      .filter((n) => !/[\r\n]/.test(n) && n.trim() !== '' && importedImagePathProblem(n) === null);
    fc.assert(
      fc.property(fc.uniqueArray(name, { minLength: 1, maxLength: 200 }), fc.constantFrom('\n', '\r\n'), fc.constantFrom('', '\n', '\n\n', '\n \n'), (names, newline, tail) => {
        expect(readImageList(names.join(newline) + tail, 'list.txt', 'lines').names.files()).toEqual(names);
      }),
      { numRuns: 100 },
    );
  });

  it('names the earlier row of a duplicate in a JSON list, and keeps a null label as written for labelImageList to refuse', () => {
    expectFormatError(() => readImageList('["a.jpg", "b.jpg", ["a.jpg", 0]]', 'list.json', 'json'), 'list.json, row 3, field "file": duplicate file "a.jpg" (also row 1)');
    expect(readImageList('[["a.jpg", null]]', 'list.json', 'json').entry(0)).toEqual({
      file: 'a.jpg',
      label: null,
      location: { file: 'list.json', row: 1 },
      fileField: 'file',
      labelField: 'label',
    });
    expectFormatError(() => labelImageList(readImageList('[["a.jpg", null]]', 'list.json', 'json'), { vocabulary, classBy: 'auto' }), 'list.json, row 1, field "label": expected a class key or index, got null');
  });
});

describe('labelImageList', () => {
  const labelsText = 'n01440764\nn01443537\nn01440764\n';
  const originalLabels = {
    labels: readOriginalLabels(labelsText, 'val.txt', 'imagenet-wnid-lines', { vocabulary, classBy: 'auto' }),
    file: 'val.txt',
    format: 'imagenet-wnid-lines' as const,
  };

  it('takes the labels the list gives', () => {
    const list = readImageList('[["b.jpg", "n01443537"], ["a.jpg", 0]]', 'list.json', 'json');
    expect(labelImageList(list, { vocabulary, classBy: 'auto' }).rows()).toEqual([
      { file: 'b.jpg', classIndex: 1, classKey: 'n01443537' },
      { file: 'a.jpg', classIndex: 0, classKey: 'n01440764' },
    ]);
  });

  it('looks the labels up in ImageNet WNID lines by the file name, also inside class folders; the list is the project', () => {
    const list = readImageList('ILSVRC2012_val_00000002.JPEG\nn01440764/ILSVRC2012_val_00000003.JPEG\n', 'list.txt', 'lines');
    expect(labelImageList(list, { vocabulary, classBy: 'auto', originalLabels }).rows()).toEqual([
      { file: 'ILSVRC2012_val_00000002.JPEG', classIndex: 1, classKey: 'n01443537' },
      { file: 'n01440764/ILSVRC2012_val_00000003.JPEG', classIndex: 0, classKey: 'n01440764' },
    ]);
  });

  it('stops at an image without a label, naming it', () => {
    const unlabelled = readImageList('ILSVRC2012_val_00000001.JPEG\nILSVRC2012_val_00000004.JPEG\n', 'list.txt', 'lines');
    expectFormatError(
      () => labelImageList(unlabelled, { vocabulary, classBy: 'auto', originalLabels }),
      'list.txt, line 2: image "ILSVRC2012_val_00000004.JPEG" has no original label in val.txt',
    );
    expectFormatError(
      () => labelImageList(readImageList('["a.jpg"]', 'list.json', 'json'), { vocabulary, classBy: 'auto' }),
      'list.json, row 1: image "a.jpg" has no label: the list names the file alone, and the manifest names no original labels file ("originalLabels")',
    );
  });

  it('refuses a label of the list that is unknown, or that the original labels contradict', () => {
    expectFormatError(
      () => labelImageList(readImageList('{"image_filenames": [["a.jpg", "n0"]]}', 'list.json', 'json'), { vocabulary, classBy: 'auto' }),
      'list.json, row 1, field "image_filenames.label": unknown class key "n0"',
    );
    const contradicted = readImageList('[["ILSVRC2012_val_00000001.JPEG", "n01443537"]]', 'list.json', 'json');
    expectFormatError(
      () => labelImageList(contradicted, { vocabulary, classBy: 'auto', originalLabels }),
      'list.json, row 1, field "label": the list labels "ILSVRC2012_val_00000001.JPEG" "n01443537", but val.txt gives it "n01440764"',
    );
  });
});
