/// <reference types="node" />
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeNpy } from './decode-npy';
import { NpyStreamDecoder } from './npy-stream-decoder';
import { createNpzStream, decodeNpz, listNpz } from './npz';
import { parseNpyHeader } from './parse-npy-header';

// Files written by numpy 2.4.6; fixtures/README.md holds the script that wrote them.
const fixture = (name: string) => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

describe('arrays written by numpy', () => {
  it('float16, big-endian: zeros, the largest finite, the smallest normal and subnormal, infinities, NaN', () => {
    const { dtype, shape, data } = decodeNpy(fixture('float16-big-endian.npy'));
    expect(dtype.descr).toBe('>f2');
    expect(shape).toEqual([3, 4]);
    const values = Array.from(data as Float32Array);
    expect(values.slice(0, 11)).toEqual([0, -0, 1, -2.5, 65504, 2 ** -14, 2 ** -24, Infinity, -Infinity, NaN, 0.333251953125]);
    expect(Object.is(values[1], -0)).toBe(true);
    expect(values[11]).toBe(-3 * 2 ** -24);
  });

  it('float32 in Fortran order, whole and streamed', () => {
    const expected = [0, 1, 2].flatMap((i) => [0, 1, 2, 3].map((j) => Math.fround(i + j / 10)));
    const bytes = fixture('float32-fortran.npy');
    const whole = decodeNpy(bytes);
    expect(whole.fortranOrder).toBe(true);
    expect(Array.from(whole.data as Float32Array)).toEqual(expected);
    const streamed: number[] = [];
    const decoder = new NpyStreamDecoder({ onRows: (b) => streamed.push(...(b.values as Float32Array)) });
    for (let i = 0; i < bytes.length; i += 7) decoder.push(bytes.subarray(i, i + 7));
    decoder.finish();
    expect(streamed).toEqual(expected);
  });

  it('int64 in 3-D with the largest safe integers', () => {
    const { shape, data } = decodeNpy(fixture('int64-3d.npy'));
    expect(shape).toEqual([2, 3, 4]);
    const values = Array.from(data as Float64Array);
    expect(values[0]).toBe(2 ** 53 - 1);
    expect(values[23]).toBe(-(2 ** 53 - 1));
    expect(values.slice(1, 23)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1 - 12));
  });

  it('format versions 2.0 (big-endian int32) and 3.0 (uint8)', () => {
    const v2 = fixture('int32-big-endian-v2.npy');
    expect(parseNpyHeader(v2).version).toEqual([2, 0]);
    expect(Array.from(decodeNpy(v2).data as Int32Array)).toEqual([1, -1, 2 ** 31 - 1, -(2 ** 31)]);
    const v3 = fixture('uint8-v3.npy');
    expect(parseNpyHeader(v3).version).toEqual([3, 0]);
    expect(Array.from(decodeNpy(v3).data as Uint8Array)).toEqual([0, 1, 255]);
  });

  it('unicode, booleans and a 0-d scalar', () => {
    const text = decodeNpy(fixture('unicode.npy'));
    expect(text.dtype.descr).toBe('<U28');
    expect(text.data).toEqual(['ILSVRC2012_val_00000001.JPEG', '65', 'naïve café', '🥯 bagel']);
    expect(Array.from(decodeNpy(fixture('bool.npy')).data as Uint8Array)).toEqual([1, 0, 1]);
    const scalar = decodeNpy(fixture('scalar-float64.npy'));
    expect(scalar.shape).toEqual([]);
    expect(Array.from(scalar.data as Float64Array)).toEqual([3.25]);
  });

  const expectedTensor = new Float64Array(4 * 3 * 3);
  for (const [rater, question, answer] of [[0, 0, 2], [1, 0, 2], [2, 0, 1], [0, 1, 0], [3, 1, 0], [1, 2, 2], [2, 2, 0], [3, 2, 2]] as const) {
    expectedTensor[rater * 9 + question * 3 + answer] = 1;
  }

  it.each(['crowd-answers-deflated.npz', 'crowd-answers-stored.npz'])('crowd answers in the ReaL layout: %s', (name) => {
    const bytes = fixture(name);
    expect(listNpz(bytes).map((e) => e.name)).toEqual(['tensor', 'info', 'ids']);
    const arrays = decodeNpz(bytes);
    expect(arrays.get('tensor')?.shape).toEqual([4, 3, 3]);
    expect(arrays.get('tensor')?.data).toEqual(expectedTensor);
    expect(arrays.get('info')?.data).toEqual([
      'ILSVRC2012_val_00000001.JPEG', '65', 'ILSVRC2012_val_00000001.JPEG', '67', 'ILSVRC2012_val_00000002.JPEG', '970',
    ]);
    expect(Array.from(arrays.get('ids')!.data as Float64Array)).toEqual([101, 102, 103, 104]);

    // Streamed in small chunks: one row per rater.
    const perRater: number[][] = [];
    const decoder = new NpyStreamDecoder({ onRows: (b) => perRater.push(...Array.from({ length: b.rowCount }, (_, r) => Array.from((b.values as Float64Array).subarray(r * 9, r * 9 + 9)))), maxBatchBytes: 72 });
    const stream = createNpzStream((e) => (e.name === 'tensor' ? (c, f) => decoder.push(c, f) : undefined));
    for (let i = 0; i < bytes.length; i += 13) stream.push(bytes.subarray(i, i + 13));
    stream.push(new Uint8Array(0), true);
    expect(perRater.length).toBe(4);
    expect(perRater.flat()).toEqual(Array.from(expectedTensor));
  });
});
