import { strToU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildNpy, concatBytes, npyPreamble } from './build-npy-for-tests';
import { NpyFormatError } from './npy-format-error';
import { assertNpyDtypeFamily, parseNpyDtype } from './npy-dtype';
import { assertNpyShape, formatNpyShape, parseNpyHeader, tryParseNpyHeader } from './parse-npy-header';

const withHeader = (text: string, version: 1 | 2 | 3 = 1) => npyPreamble(text, version);
const errorOf = (f: () => unknown): string => {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(NpyFormatError);
    return (error as Error).message;
  }
  throw new Error('expected an NpyFormatError');
};

describe('parseNpyHeader', () => {
  it('reads the header numpy writes, and where the data starts', () => {
    const bytes = buildNpy({ type: 'f4', shape: [20000, 5], elements: [] });
    const header = parseNpyHeader(bytes);
    expect(header).toEqual({
      version: [1, 0],
      headerLength: 128,
      dtype: { descr: '<f4', name: 'float32', itemSize: 4, littleEndian: true },
      fortranOrder: false,
      shape: [20000, 5],
    });
  });

  it.each([
    ["{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }", [5]],
    ["{'shape': (), 'fortran_order': False, 'descr': '<i8'}", []],
    ['{"descr":"<i8","fortran_order":False,"shape":(3,4)}', [3, 4]],
    ["{ 'fortran_order' : False ,\t'shape' : ( 20000 ,  5 , ) , 'descr' : '<i8' , }", [20000, 5]],
    ["{'descr': '<i8', 'fortran_order': False, 'shape': (20000L, 5L), }", [20000, 5]],
    ["{'descr': u'<i8', 'fortran_order': False, 'shape': (0, 7)}", [0, 7]],
  ])('parses the Python literal %s in any order and spacing', (text, shape) => {
    const header = parseNpyHeader(withHeader(text));
    expect(header.shape).toEqual(shape);
    expect(header.dtype.name).toBe('int64');
  });

  it('reads format versions 2.0 and 3.0 (4-byte header length; UTF-8 header in 3.0)', () => {
    const v2 = parseNpyHeader(buildNpy({ type: 'i4', shape: [2, 2], version: 2, elements: [] }));
    expect(v2.version).toEqual([2, 0]);
    expect(v2.headerLength).toBe(128);
    // A large header length needs the 4-byte field of version 2 and later.
    const long = `{'descr': '<u1', 'fortran_order': True, 'shape': (3,), ${' '.repeat(70000)}}`;
    const big = parseNpyHeader(withHeader(long, 2));
    expect(big.headerLength).toBeGreaterThan(70000);
    expect(big.fortranOrder).toBe(true);
    const v3 = parseNpyHeader(withHeader("{'descr': '<U3', 'fortran_order': False, 'shape': (1,)} ", 3));
    expect(v3.version).toEqual([3, 0]);
    expect(v3.dtype).toEqual({ descr: '<U3', name: 'unicode', itemSize: 12, littleEndian: true, characters: 3 });
  });

  it('tells a streaming reader how many bytes the header needs', () => {
    const bytes = buildNpy({ type: 'f4', shape: [2], elements: [1, 2] });
    expect(tryParseNpyHeader(bytes.subarray(0, 3))).toEqual({ bytesNeeded: 10 });
    expect(tryParseNpyHeader(bytes.subarray(0, 9))).toEqual({ bytesNeeded: 10 });
    expect(tryParseNpyHeader(bytes.subarray(0, 10))).toEqual({ bytesNeeded: 128 });
    expect('dtype' in tryParseNpyHeader(bytes.subarray(0, 128))).toBe(true);
    expect(errorOf(() => parseNpyHeader(bytes.subarray(0, 100)))).toBe('truncated: the header needs 128 bytes, got 100');
    expect(errorOf(() => parseNpyHeader(new Uint8Array(0)))).toBe('truncated: the file is empty');
  });

  it('refuses bad magic and unsupported versions', () => {
    expect(errorOf(() => parseNpyHeader(strToU8('PK\x03\x04 not npy')))).toMatch(/^bad magic/);
    // Bad magic is seen from the first byte, before the rest arrives.
    expect(() => tryParseNpyHeader(Uint8Array.of(0x93, 0x4e, 0x55, 0x4e))).toThrow(/bad magic/);
    const v4 = withHeader("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)}");
    v4[6] = 4;
    expect(errorOf(() => parseNpyHeader(v4))).toBe('unsupported .npy format version 4.0 (supported: 1.0, 2.0, 3.0)');
    v4[6] = 1;
    v4[7] = 1;
    expect(errorOf(() => parseNpyHeader(v4))).toMatch(/version 1\.1/);
  });

  it.each([
    ["{'descr': '<f4', 'fortran_order': False}", "malformed header: missing 'shape'"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'extra': 1}", "malformed header: unexpected key 'extra'"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'shape': (2,)}", "malformed header: key 'shape' appears twice"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (5)}", "'shape' must be a tuple of non-negative integers, got 5"],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (-1, 2)}", 'got (-1, 2)'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2.5,)}", 'only integers are expected'],
    ["{'descr': '<f4', 'fortran_order': 0, 'shape': (2,)}", "'fortran_order' must be True or False, got 0"],
    ["{'descr': '<f4, 'fortran_order': False, 'shape': (2,)}", 'malformed header'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)", 'malformed header'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (2,)} x", 'unexpected text after the header dictionary'],
    ["['descr', '<f4']", 'malformed header: expected a dictionary'],
    ["{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999)}", 'is too large'],
  ])('refuses the malformed header %s', (text, message) => {
    expect(errorOf(() => parseNpyHeader(withHeader(text)))).toContain(message);
  });

  it.each([['<c8'], ['|S10'], ['|O'], ['<M8[ns]'], ['|f4'], ['|U3'], ['<f16'], ['<U0']])(
    'refuses the unsupported dtype %s, naming it',
    (descr) => {
      const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (1,)}`;
      expect(errorOf(() => parseNpyHeader(withHeader(text)))).toMatch(new RegExp(`^unsupported dtype '${descr.replace(/[[\]|]/g, '\\$&')}'`));
    },
  );

  it('refuses structured dtypes', () => {
    const text = "{'descr': [('a', '<f4'), ('b', '<i8')], 'fortran_order': False, 'shape': (1,)}";
    expect(errorOf(() => parseNpyHeader(withHeader(text)))).toBe(
      "unsupported dtype [('a', '<f4'), ('b', '<i8')]: structured arrays are not supported",
    );
  });
});

describe('parseNpyDtype', () => {
  it.each([
    ['<i4', 'int32', 4, true],
    ['>i4', 'int32', 4, false],
    ['<i8', 'int64', 8, true],
    ['>i8', 'int64', 8, false],
    ['<f2', 'float16', 2, true],
    ['>f2', 'float16', 2, false],
    ['<f4', 'float32', 4, true],
    ['>f4', 'float32', 4, false],
    ['<f8', 'float64', 8, true],
    ['>f8', 'float64', 8, false],
    ['|b1', 'bool', 1, true],
    ['|u1', 'uint8', 1, true],
    ['|i1', 'int8', 1, true],
    ['<u4', 'uint32', 4, true],
    ['<u8', 'uint64', 8, true],
    ['>u2', 'uint16', 2, false],
    ['=f4', 'float32', 4, true],
    ['f8', 'float64', 8, true],
    ['<U10', 'unicode', 40, true],
    ['>U10', 'unicode', 40, false],
  ] as const)('%s is %s of %i bytes', (descr, name, itemSize, littleEndian) => {
    expect(parseNpyDtype(descr)).toMatchObject({ descr, name, itemSize, littleEndian });
  });

  it('checks a dtype family for the caller', () => {
    expect(() => assertNpyDtypeFamily(parseNpyDtype('<i8'), ['int', 'uint'])).not.toThrow();
    expect(() => assertNpyDtypeFamily(parseNpyDtype('<f4'), ['int', 'uint'])).toThrow(
      new NpyFormatError("unexpected dtype '<f4' (float32): expected int or uint"),
    );
  });
});

describe('shape helpers', () => {
  it('formats shapes as numpy does', () => {
    expect(formatNpyShape([20000, 5])).toBe('(20000, 5)');
    expect(formatNpyShape([5])).toBe('(5,)');
    expect(formatNpyShape([])).toBe('()');
  });

  it('assertNpyShape accepts matching shapes and names both shapes otherwise', () => {
    expect(() => assertNpyShape([20000, 5], [20000, null])).not.toThrow();
    expect(() => assertNpyShape([19999, 5], [20000, null])).toThrow(
      new NpyFormatError('shape mismatch: expected (20000, *), got (19999, 5)'),
    );
    expect(() => assertNpyShape([20000], [20000, 5])).toThrow(/expected \(20000, 5\), got \(20000,\)/);
  });

  it('ignores what follows the header', () => {
    const bytes = concatBytes(buildNpy({ type: 'u1', shape: [3], elements: [1, 2, 3] }), Uint8Array.of(9, 9));
    expect(parseNpyHeader(bytes).shape).toEqual([3]);
  });
});
