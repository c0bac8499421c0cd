import { describe, expect, it } from 'vitest';
import { FormatError } from '../formats';
import { goldenRealByFile, goldenRealWholeSet } from './golden-inputs';
import { readRealJson, realJsonLayout, realJsonPieces, writeRealJson } from './real-json';
import { goldenText } from './test-helpers';

function formatError(text: string, classCount?: number): FormatError {
  try {
    readRealJson(text, 'real.json', classCount === undefined ? {} : { classCount });
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('writeRealJson', () => {
  it('writes a whole validation set as a list in file order, whatever the order of the rows', () => {
    expect(realJsonLayout(goldenRealWholeSet)).toBe('list');
    expect(writeRealJson(goldenRealWholeSet)).toBe(goldenText('real-whole-set.json'));
  });

  it('writes anything else by file', () => {
    expect(realJsonLayout(goldenRealByFile)).toBe('byFile');
    expect(writeRealJson(goldenRealByFile)).toBe(goldenText('real-by-file.json'));
  });

  it('uses the list only when images 1..N are all there, once each', () => {
    const row = (i: number) => ({ file: `ILSVRC2012_val_${String(i).padStart(8, '0')}.JPEG`, classIndices: [i] });
    expect(realJsonLayout([row(1), row(2)])).toBe('list');
    expect(realJsonLayout([row(2), row(3)])).toBe('byFile'); // image 1 missing
    expect(realJsonLayout([row(1), row(1)])).toBe('byFile'); // image 1 twice
    expect(realJsonLayout([row(1), { file: 'ILSVRC2012_val_00000002.jpeg', classIndices: [] }])).toBe('byFile');
    expect(realJsonLayout([])).toBe('byFile');
    expect(writeRealJson([])).toBe('{}');
    expect(() => writeRealJson([row(2), row(2)])).toThrow('has more than one row');
  });
});

describe('realJsonPieces', () => {
  it('gives the golden files piece by piece, in the layout asked for', () => {
    const inValidationOrder = [...goldenRealWholeSet].sort((a, b) => a.file.localeCompare(b.file));
    expect([...realJsonPieces('list', inValidationOrder)].join('')).toBe(goldenText('real-whole-set.json'));
    expect([...realJsonPieces('byFile', goldenRealByFile)].join('')).toBe(goldenText('real-by-file.json'));
  });

  it('refuses a list whose rows are not in validation order', () => {
    expect(() => [...realJsonPieces('list', goldenRealWholeSet)]).toThrow('not ILSVRC2012_val_00000001.JPEG');
  });
});

describe('readRealJson', () => {
  it('reads both layouts back into rows in file order', () => {
    expect(readRealJson(goldenText('real-whole-set.json'), 'real.json')).toEqual({
      layout: 'list',
      rows: [
        { file: 'ILSVRC2012_val_00000001.JPEG', classIndices: [65] },
        { file: 'ILSVRC2012_val_00000002.JPEG', classIndices: [795, 970] },
        { file: 'ILSVRC2012_val_00000003.JPEG', classIndices: [] },
        { file: 'ILSVRC2012_val_00000004.JPEG', classIndices: [13, 14, 15] },
      ],
    });
    const byFile = readRealJson(goldenText('real-by-file.json'), 'real.json');
    expect(byFile.layout).toBe('byFile');
    expect(writeRealJson(byFile.rows)).toBe(goldenText('real-by-file.json'));
  });

  it('names the file and the JSON path of what is wrong', () => {
    expect(formatError('"x"').message).toBe('real.json, field "$": expected a list of class lists or an object of them by file, got a string');
    expect(formatError('[[1], 2]').message).toBe('real.json, field "$[1]": expected an array, got a number');
    expect(formatError('[[1], [2, -1]]').message).toBe('real.json, field "$[1][1]": expected a class index (an integer >= 0), got -1');
    expect(formatError('{"a.JPEG": [1000]}', 1000).message).toBe(
      `real.json, field "$['a.JPEG'][0]": class index 1000 is outside the vocabulary (indices 0 to 999)`,
    );
  });
});
