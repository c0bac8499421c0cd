import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNpy, concatBytes, type NpySpec, type TestDtype } from './build-npy-for-tests';
import { decodeNpy } from './decode-npy';
import { NpyFormatError } from './npy-format-error';
import { NpyStreamDecoder, type NpyRowBatch } from './npy-stream-decoder';
import type { NpyHeader } from './parse-npy-header';

/** Feeds `bytes` cut at `cuts` and returns the batches and the rows flattened. */
function decodeInChunks(bytes: Uint8Array, cuts: readonly number[], maxBatchBytes?: number) {
  const batches: NpyRowBatch[] = [];
  const decoder = new NpyStreamDecoder({ onRows: (b) => batches.push(b), ...(maxBatchBytes ? { maxBatchBytes } : {}) });
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    decoder.push(bytes.subarray(start, cut));
    start = cut;
  }
  decoder.push(bytes.subarray(start), true);
  const values = batches.flatMap((b) => Array.from(b.values as ArrayLike<number | string>));
  return { batches, values, decoder };
}

const small: NpySpec = { type: 'f4', shape: [3, 2], elements: [1, 2, 3, 4, 5, 6] };

describe('NpyStreamDecoder', () => {
  it('emits complete rows with their index, whatever the split (every single cut, and byte by byte)', () => {
    const bytes = buildNpy({ ...small, type: 'f8', bigEndian: true });
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { values, batches } = decodeInChunks(bytes, [cut]);
      expect(values).toEqual([1, 2, 3, 4, 5, 6]);
      expect(batches.every((b) => b.rowLength === 2 && b.values.length === b.rowCount * 2)).toBe(true);
      expect(batches.map((b) => b.firstRow)).toEqual(batches.map((_, i) => batches.slice(0, i).reduce((n, b) => n + b.rowCount, 0)));
    }
    const everyByte = Array.from({ length: bytes.length }, (_, i) => i);
    const { batches } = decodeInChunks(bytes, everyByte);
    expect(batches.map((b) => [b.firstRow, b.rowCount])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
    ]);
  });

  const dtypes: TestDtype[] = ['b1', 'i1', 'u1', 'i2', 'u2', 'i4', 'u4', 'i8', 'u8', 'f2', 'f4', 'f8', 'U3'];
  const arrayCase = fc
    .record({
      type: fc.constantFrom(...dtypes),
      bigEndian: fc.boolean(),
      version: fc.constantFrom(1 as const, 2 as const, 3 as const),
      fortranOrder: fc.boolean(),
      shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 0, maxLength: 3 }),
      seed: fc.integer(),
    })
    .map(({ seed, ...spec }) => {
      const count = spec.shape.reduce((a, b) => a * b, 1);
      const elements = Array.from({ length: count }, (_, i) => {
        const v = Math.abs(seed + i * 7919) % 251;
        if (spec.type === 'U3') return String.fromCodePoint(0x61 + (v % 26), 0x1f950 + (v % 3)).slice(0, 3);
        if (spec.type === 'b1') return v % 2;
        if (spec.type === 'f2') return (v * 257) & 0x7bff;
        return v - (spec.type.startsWith('u') ? 0 : 100);
      });
      return { ...spec, elements } satisfies NpySpec;
    });

  it('gives the same rows as decoding the whole file, for random arrays and random chunk boundaries', () => {
    fc.assert(
      fc.property(arrayCase, fc.array(fc.nat(), { maxLength: 12 }), fc.integer({ min: 1, max: 64 }), (spec, rawCuts, batchBytes) => {
        const bytes = buildNpy(spec);
        const cuts = rawCuts.map((c) => c % (bytes.length + 1));
        const whole = decodeNpy(bytes);
        const { values, batches, decoder } = decodeInChunks(bytes, cuts, batchBytes);
        expect(values).toEqual(Array.from(whole.data as ArrayLike<number | string>));
        const rows = spec.shape.length === 0 ? 1 : spec.shape[0]!;
        expect(batches.reduce((n, b) => n + b.rowCount, 0)).toBe(rows);
        expect(decoder.rowsDecoded).toBe(rows);
      }),
      { numRuns: 400 },
    );
  });

  it('keeps batches within maxBatchBytes (at least one row each) and lets them be kept', () => {
    const elements = Array.from({ length: 100 * 10 }, (_, i) => i);
    const bytes = buildNpy({ type: 'f4', shape: [100, 10], elements });
    const { batches } = decodeInChunks(bytes, [500, 3000], 160);
    expect(batches.every((b) => b.rowCount <= 4 && b.values.length * 4 <= 160)).toBe(true);
    // Each batch owns its buffer: values read later are still right.
    expect(batches.flatMap((b) => Array.from(b.values as Float32Array))).toEqual(elements);
    const tiny = decodeInChunks(bytes, [], 1).batches;
    expect(tiny.length).toBe(100);
  });

  it('hands rows of a 1-D array out as single elements, in batches', () => {
    const { batches } = decodeInChunks(buildNpy({ type: 'i4', shape: [5], elements: [5, 4, 3, 2, 1] }), [20]);
    expect(batches.map((b) => [b.firstRow, b.rowCount, b.rowLength])).toEqual([[0, 5, 1]]);
  });

  it('reports truncated data with the expected and received byte counts', () => {
    const bytes = buildNpy(small);
    const decoder = new NpyStreamDecoder({ onRows: () => {} });
    decoder.push(bytes.subarray(0, bytes.length - 6));
    expect(() => decoder.finish()).toThrow(new NpyFormatError('truncated: expected 24 bytes of data, got 18'));
    expect(decoder.rowsDecoded).toBe(2);
  });

  it('reports an incomplete header, an empty file and bad magic', () => {
    const partial = new NpyStreamDecoder({ onRows: () => {} });
    partial.push(buildNpy(small).subarray(0, 40));
    expect(() => partial.finish()).toThrow(new NpyFormatError('truncated: the header is incomplete (got 40 bytes)'));
    expect(() => new NpyStreamDecoder({ onRows: () => {} }).finish()).toThrow(new NpyFormatError('truncated: the file is empty'));
    const wrong = new NpyStreamDecoder({ onRows: () => {} });
    expect(() => wrong.push(Uint8Array.of(0x50, 0x4b))).toThrow(/bad magic/);
  });

  it('refuses data beyond the array as soon as it arrives, and any input after an error', () => {
    const decoder = new NpyStreamDecoder({ onRows: () => {} });
    decoder.push(buildNpy(small));
    expect(() => decoder.push(Uint8Array.of(1, 2))).toThrow(new NpyFormatError('too long: expected 24 bytes of data, got at least 26'));
    expect(() => decoder.push(Uint8Array.of())).toThrow(/too long/);
    expect(() => decoder.finish()).toThrow(/too long/);
  });

  it('shows the header before any row, and stops when onHeader throws', () => {
    const events: string[] = [];
    let seen: NpyHeader | undefined;
    const decoder = new NpyStreamDecoder({
      onHeader: (h) => {
        seen = h;
        events.push('header');
        throw new NpyFormatError('shape mismatch: expected (4, *), got (3, 2)');
      },
      onRows: () => events.push('rows'),
    });
    expect(() => decoder.push(buildNpy(small))).toThrow(/shape mismatch/);
    expect(seen?.shape).toEqual([3, 2]);
    expect(events).toEqual(['header']);
    expect(() => decoder.push(Uint8Array.of(0))).toThrow(/shape mismatch/);
  });

  it('streams a Fortran-order matrix by holding it whole up to maxFortranBytes, and refuses a larger one', () => {
    const spec: NpySpec = { type: 'f4', shape: [3, 2], fortranOrder: true, elements: [1, 2, 3, 4, 5, 6] };
    const { values, batches } = decodeInChunks(buildNpy(spec), [130, 141]);
    expect(values).toEqual([1, 4, 2, 5, 3, 6]);
    expect(batches.map((b) => [b.firstRow, b.rowCount])).toEqual([[0, 3]]);

    const refusing = new NpyStreamDecoder({ onRows: () => {}, maxFortranBytes: 23 });
    expect(() => refusing.push(buildNpy(spec))).toThrow(
      new NpyFormatError(
        'Fortran-order array of 24 bytes is too large to stream (limit 23): save it in C order (numpy.ascontiguousarray) or raise the limit',
      ),
    );
  });

  it('emits every row of an array whose rows are empty', () => {
    const { batches } = decodeInChunks(buildNpy({ type: 'f8', shape: [4, 0], elements: [] }), []);
    expect(batches.map((b) => [b.firstRow, b.rowCount, b.values.length])).toEqual([[0, 4, 0]]);
  });

  it('decodes a 0-d array as one row of one element', () => {
    const { batches } = decodeInChunks(buildNpy({ type: 'i8', bigEndian: true, shape: [], elements: [-7n] }), [129]);
    expect(batches.map((b) => [b.firstRow, b.rowCount, b.rowLength, Array.from(b.values as Float64Array)])).toEqual([[0, 1, 1, [-7]]]);
  });

  it('names the element of an unsafe int64 by its index in the whole array', () => {
    const bytes = buildNpy({ type: 'i8', shape: [3, 2], elements: [0n, 1n, 2n, 3n, 2n ** 60n, 5n] });
    expect(() => decodeInChunks(bytes, [128 + 16, 128 + 32])).toThrow(/int64 value 1152921504606846976 at element 4 /);
  });

  it('accepts chunks that are views into larger, unaligned buffers', () => {
    const bytes = concatBytes(Uint8Array.of(9, 9, 9), buildNpy({ ...small, type: 'f8' }));
    const { values } = decodeInChunks(bytes.subarray(3), [131, 133]);
    expect(values).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
