import { describe, expect, it } from 'vitest';
import {
  buildNpy,
  columnMajorToRowMajor,
  concatBytes,
  npyPreamble,
  numpyHeaderText,
  type NpySpec,
  type TestDtype,
} from './build-npy-for-tests';
import { decodeNpy } from './decode-npy';
import { NpyFormatError } from './npy-format-error';

const SAMPLES: Record<Exclude<TestDtype, `U${number}`>, { elements: (number | bigint)[]; expected: number[]; array: string }> = {
  b1: { elements: [1, 0, 1, 1, 0, 0], expected: [1, 0, 1, 1, 0, 0], array: 'Uint8Array' },
  i1: { elements: [-128, 127, 0, -1, 5, 6], expected: [-128, 127, 0, -1, 5, 6], array: 'Int8Array' },
  u1: { elements: [0, 255, 1, 2, 3, 4], expected: [0, 255, 1, 2, 3, 4], array: 'Uint8Array' },
  i2: { elements: [-32768, 32767, 0, -1, 258, 7], expected: [-32768, 32767, 0, -1, 258, 7], array: 'Int16Array' },
  u2: { elements: [0, 65535, 1, 258, 3, 4], expected: [0, 65535, 1, 258, 3, 4], array: 'Uint16Array' },
  i4: { elements: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 65536, 999], expected: [-(2 ** 31), 2 ** 31 - 1, 0, -1, 65536, 999], array: 'Int32Array' },
  u4: { elements: [0, 2 ** 32 - 1, 1, 2, 3, 16909060], expected: [0, 2 ** 32 - 1, 1, 2, 3, 16909060], array: 'Uint32Array' },
  i8: {
    elements: [2n ** 53n - 1n, -(2n ** 53n - 1n), 0n, -1n, 2n ** 32n, -(2n ** 32n) - 5n],
    expected: [2 ** 53 - 1, -(2 ** 53 - 1), 0, -1, 2 ** 32, -(2 ** 32) - 5],
    array: 'Float64Array',
  },
  u8: { elements: [2n ** 53n - 1n, 0n, 1n, 2n ** 32n, 2n ** 32n - 1n, 7n], expected: [2 ** 53 - 1, 0, 1, 2 ** 32, 2 ** 32 - 1, 7], array: 'Float64Array' },
  f2: { elements: [0x3c00, 0xc000, 0x0001, 0x7bff, 0xfc00, 0x3555], expected: [1, -2, 2 ** -24, 65504, -Infinity, 0.333251953125], array: 'Float32Array' },
  f4: { elements: [1.5, -2.25, 3.4e38, 1e-45, Infinity, 0.1], expected: [1.5, -2.25, Math.fround(3.4e38), Math.fround(1e-45), Infinity, Math.fround(0.1)], array: 'Float32Array' },
  f8: { elements: [0.1, -1e308, 5e-324, Math.PI, -Infinity, 2 ** 60], expected: [0.1, -1e308, 5e-324, Math.PI, -Infinity, 2 ** 60], array: 'Float64Array' },
};

describe('decodeNpy', () => {
  for (const [type, sample] of Object.entries(SAMPLES)) {
    for (const bigEndian of [false, true]) {
      for (const version of [1, 2, 3] as const) {
        it(`decodes ${type} ${bigEndian ? 'big' : 'little'}-endian, format ${version}.0`, () => {
          const decoded = decodeNpy(buildNpy({ type: type as TestDtype, bigEndian, version, shape: [2, 3], elements: sample.elements }));
          expect(decoded.shape).toEqual([2, 3]);
          expect(decoded.fortranOrder).toBe(false);
          expect(decoded.data.constructor.name).toBe(sample.array);
          expect(Array.from(decoded.data as ArrayLike<number>)).toEqual(sample.expected);
        });
      }
    }
  }

  it("decodes from a Node Buffer (whose slice is a view) into memory of its own", () => {
    const bytes = buildNpy({ type: 'f4', shape: [2, 3], elements: [1, 2, 3, 4, 5, 6] });
    // A Buffer over a larger pool, at an odd offset: the way fs.readFileSync hands small files over.
    const pool = Buffer.alloc(bytes.length + 3);
    pool.set(bytes, 3);
    const buffer = pool.subarray(3);
    const decoded = decodeNpy(buffer);
    expect(Array.from(decoded.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    pool.fill(0);
    expect(Array.from(decoded.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reorders Fortran-order arrays to row-major, in 2-D and 3-D, for numbers and strings', () => {
    // Stored column-major: column 0 is (1, 2), column 1 is (3, 4), column 2 is (5, 6) → rows [1, 3, 5] and [2, 4, 6].
    const twoD = decodeNpy(buildNpy({ type: 'f8', bigEndian: true, shape: [2, 3], fortranOrder: true, elements: [1, 2, 3, 4, 5, 6] }));
    expect(twoD.fortranOrder).toBe(true);
    expect(Array.from(twoD.data as Float64Array)).toEqual([1, 3, 5, 2, 4, 6]);

    const shape = [2, 3, 4];
    const elements = Array.from({ length: 24 }, (_, i) => i * 10);
    const threeD = decodeNpy(buildNpy({ type: 'i4', shape, fortranOrder: true, elements }));
    expect(Array.from(threeD.data as Int32Array)).toEqual(columnMajorToRowMajor(elements, shape));
    // Element [1, 2, 3] sits at column-major position 1 + 2*2 + 3*6 = 23.
    expect((threeD.data as Int32Array)[1 * 12 + 2 * 4 + 3]).toBe(230);

    const strings = decodeNpy(buildNpy({ type: 'U2', shape: [2, 2], fortranOrder: true, elements: ['a', 'b', 'c', 'd'] }));
    expect(strings.data).toEqual(['a', 'c', 'b', 'd']);
  });

  it('treats a Fortran-order vector like a C-order one', () => {
    const decoded = decodeNpy(buildNpy({ type: 'f4', shape: [4], fortranOrder: true, elements: [1, 2, 3, 4] }));
    expect(Array.from(decoded.data as Float32Array)).toEqual([1, 2, 3, 4]);
  });

  it('decodes unicode arrays to strings, without the NUL padding, in both byte orders', () => {
    const elements = ['ILSVRC2012_val_00000001.JPEG', '65', 'naïve café', '🥯 bagel', '', 'a\u0000b'];
    for (const bigEndian of [false, true]) {
      const decoded = decodeNpy(buildNpy({ type: 'U28', bigEndian, shape: [3, 2], elements }));
      expect(decoded.dtype.name).toBe('unicode');
      expect(decoded.data).toEqual(elements);
    }
  });

  it('refuses a unicode code unit beyond U+10FFFF', () => {
    const bytes = buildNpy({ type: 'U1', shape: [2], elements: ['a', 'b'] });
    new DataView(bytes.buffer).setUint32(bytes.length - 4, 0x110000, true);
    expect(() => decodeNpy(bytes)).toThrow(new NpyFormatError('invalid character code 1114112 in unicode element 1'));
  });

  it('normalises booleans to 0 and 1', () => {
    const decoded = decodeNpy(buildNpy({ type: 'b1', shape: [3], elements: [0, 1, 7] }));
    expect(Array.from(decoded.data as Uint8Array)).toEqual([0, 1, 1]);
  });

  it('decodes a 0-d scalar and empty arrays', () => {
    const scalar = decodeNpy(buildNpy({ type: 'f8', shape: [], elements: [3.25] }));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([3.25]);
    const empty = decodeNpy(buildNpy({ type: 'f4', shape: [0, 1000], elements: [] }));
    expect(empty.data.length).toBe(0);
  });

  it('refuses 64-bit integers that a JavaScript number cannot hold exactly, naming the value and element', () => {
    const signed = buildNpy({ type: 'i8', shape: [3], elements: [1n, -(2n ** 53n), 2n] });
    expect(() => decodeNpy(signed)).toThrow(
      new NpyFormatError('int64 value -9007199254740992 at element 1 is outside the range of exact JavaScript numbers (±(2^53 − 1))'),
    );
    expect(() => decodeNpy(buildNpy({ type: 'i8', bigEndian: true, shape: [1], elements: [2n ** 63n - 1n] }))).toThrow(
      /int64 value 9223372036854775807 at element 0/,
    );
    expect(() => decodeNpy(buildNpy({ type: 'u8', shape: [2], elements: [0n, 2n ** 64n - 1n] }))).toThrow(
      /uint64 value 18446744073709551615 at element 1/,
    );
  });

  it('refuses truncated data and data longer than the shape says', () => {
    const spec: NpySpec = { type: 'f4', shape: [2, 3], elements: [1, 2, 3, 4, 5, 6] };
    const bytes = buildNpy(spec);
    expect(() => decodeNpy(bytes.subarray(0, bytes.length - 5))).toThrow(
      new NpyFormatError('truncated: expected 24 bytes of data, got 19'),
    );
    expect(() => decodeNpy(concatBytes(bytes, Uint8Array.of(0)))).toThrow(
      new NpyFormatError('too long: expected 24 bytes of data, got 25'),
    );
    const headerOnly = npyPreamble(numpyHeaderText(spec));
    expect(() => decodeNpy(headerOnly)).toThrow(new NpyFormatError('truncated: expected 24 bytes of data, got 0'));
  });

  it('does not depend on the alignment of the bytes it is given', () => {
    const bytes = buildNpy({ type: 'f8', shape: [2], elements: [0.5, -0.25] });
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(decodeNpy(shifted.subarray(3)).data as Float64Array)).toEqual([0.5, -0.25]);
  });
});
