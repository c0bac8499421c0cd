import { describe, expect, it } from 'vitest';
import { float16BitsToNumber, float16Table } from './float16';

/** An independent reference: widen the half's bit pattern to a float32 bit pattern and let the platform read it. */
function viaFloat32Bits(half: number): number {
  const sign = (half & 0x8000) << 16;
  let exponent = (half >> 10) & 0x1f;
  let fraction = half & 0x3ff;
  let bits: number;
  if (exponent === 0x1f) bits = sign | 0x7f800000 | (fraction << 13);
  else if (exponent === 0 && fraction === 0) bits = sign;
  else {
    if (exponent === 0) {
      // Normalise a subnormal: shift until the implicit bit appears.
      exponent = 1;
      while ((fraction & 0x400) === 0) {
        fraction <<= 1;
        exponent--;
      }
      fraction &= 0x3ff;
    }
    bits = sign | ((exponent - 15 + 127) << 23) | (fraction << 13);
  }
  return new Float32Array(Uint32Array.of(bits >>> 0).buffer)[0]!;
}

describe('float16BitsToNumber', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x3bff, 0.99951171875],
    [0x7bff, 65504],
    [0xfbff, -65504],
    [0x0400, 2 ** -14],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x8001, -(2 ** -24)],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s is %d', (bits, value) => {
    expect(float16BitsToNumber(bits)).toBe(value);
  });

  it('keeps the sign of zero and reads every NaN pattern as NaN', () => {
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    for (const bits of [0x7e00, 0x7c01, 0x7fff, 0xfe00, 0xfc01]) expect(float16BitsToNumber(bits)).toBeNaN();
  });

  it('agrees with a float32 widening on all 65,536 patterns, and the lookup table agrees with both', () => {
    const table = float16Table();
    for (let bits = 0; bits < 65536; bits++) {
      const expected = viaFloat32Bits(bits);
      expect(Object.is(float16BitsToNumber(bits), expected) || (Number.isNaN(expected) && Number.isNaN(table[bits]!))).toBe(true);
      expect(Object.is(table[bits], expected) || Number.isNaN(expected)).toBe(true);
    }
  });
});
