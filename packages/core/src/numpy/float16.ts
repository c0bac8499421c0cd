/**
 * IEEE 754 half precision (binary16) to a number: 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits.
 * Exponent 0 is zero or subnormal (fraction × 2^-24), exponent 31 is infinity (fraction 0) or NaN.
 */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}

let table: Float32Array | undefined;

/**
 * All 65,536 half-precision values, so that decoding is one lookup per element. Every binary16 value is exactly a
 * binary32 value, so a Float32Array loses nothing.
 */
export function float16Table(): Float32Array {
  if (!table) {
    table = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits++) table[bits] = float16BitsToNumber(bits);
  }
  return table;
}
