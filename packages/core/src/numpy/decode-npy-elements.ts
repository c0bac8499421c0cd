import { float16Table } from './float16';
import type { NpyDtype } from './npy-dtype';
import { NpyFormatError } from './npy-format-error';

/**
 * Decoded elements, by dtype: bool → Uint8Array of 0/1; int8/uint8/int16/uint16/int32/uint32 → the matching typed
 * array; int64/uint64 → Float64Array (every value checked to be a safe integer); float16 and float32 → Float32Array
 * (every float16 is exactly a float32); float64 → Float64Array; unicode → string[].
 */
export type NpyValues =
  | Uint8Array
  | Int8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | string[];

const PLATFORM_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes `count` elements from `bytes`, which must be a buffer of its own: byteOffset 0 (so typed-array views are
 * aligned) and free to be modified in place (data in the other byte order is swapped where it lies) and kept (the
 * result may be a view over it). `firstElement` is the index of the first element in the whole array, for messages.
 */
export function decodeOwnedNpyBytes(bytes: Uint8Array, dtype: NpyDtype, count: number, firstElement = 0): NpyValues {
  if (bytes.byteOffset !== 0) throw new Error('decodeOwnedNpyBytes needs a buffer of its own (byteOffset 0)');
  const { buffer } = bytes;
  const swapUnit = dtype.name === 'unicode' ? 4 : dtype.itemSize;
  if (swapUnit > 1 && dtype.littleEndian !== PLATFORM_LITTLE_ENDIAN) swapBytesInPlace(bytes, count * dtype.itemSize, swapUnit);

  switch (dtype.name) {
    case 'bool': {
      const out = bytes.subarray(0, count);
      for (let i = 0; i < count; i++) if (out[i]! > 1) out[i] = 1;
      return out;
    }
    case 'uint8':
      return bytes.subarray(0, count);
    case 'int8':
      return new Int8Array(buffer, 0, count);
    case 'int16':
      return new Int16Array(buffer, 0, count);
    case 'uint16':
      return new Uint16Array(buffer, 0, count);
    case 'int32':
      return new Int32Array(buffer, 0, count);
    case 'uint32':
      return new Uint32Array(buffer, 0, count);
    case 'float32':
      return new Float32Array(buffer, 0, count);
    case 'float64':
      return new Float64Array(buffer, 0, count);
    case 'float16': {
      const bits = new Uint16Array(buffer, 0, count);
      const lookup = float16Table();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = lookup[bits[i]!]!;
      return out;
    }
    case 'int64':
    case 'uint64':
      return decodeInt64(new Uint32Array(buffer, 0, 2 * count), dtype.name === 'int64', count, firstElement);
    case 'unicode':
      return decodeUtf32(new Uint32Array(buffer, 0, (count * dtype.itemSize) / 4), dtype.characters!, count, firstElement);
  }
}

function swapBytesInPlace(bytes: Uint8Array, length: number, unit: number): void {
  if (unit === 2) {
    const words = new Uint16Array(bytes.buffer, 0, length / 2);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      words[i] = ((w & 0xff) << 8) | (w >>> 8);
    }
    return;
  }
  const words = new Uint32Array(bytes.buffer, 0, length / 4);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    words[i] = ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
  }
  if (unit === 8) {
    // Each 32-bit half is now reversed; exchanging the halves completes the 8-byte reversal.
    for (let i = 0; i < words.length; i += 2) {
      const low = words[i]!;
      words[i] = words[i + 1]!;
      words[i + 1] = low;
    }
  }
}

function decodeInt64(words: Uint32Array, signed: boolean, count: number, firstElement: number): Float64Array {
  const out = new Float64Array(count);
  const [lowWord, highWord] = PLATFORM_LITTLE_ENDIAN ? [0, 1] : [1, 0];
  for (let i = 0; i < count; i++) {
    const low = words[2 * i + lowWord]!;
    const highBits = words[2 * i + highWord]!;
    const high = signed ? highBits | 0 : highBits;
    // Exact whenever the result is a safe integer; an unsafe value never rounds into the safe range.
    const value = high * 4294967296 + low;
    if (!Number.isSafeInteger(value)) {
      const exact = (BigInt(signed ? high : highBits) << 32n) + BigInt(low);
      throw new NpyFormatError(
        `${signed ? 'int64' : 'uint64'} value ${exact} at element ${firstElement + i} is outside the range of exact JavaScript numbers (±(2^53 − 1))`,
      );
    }
    out[i] = value;
  }
  return out;
}

function decodeUtf32(units: Uint32Array, characters: number, count: number, firstElement: number): string[] {
  const out = new Array<string>(count);
  for (let e = 0; e < count; e++) {
    const start = e * characters;
    let end = start + characters;
    // numpy pads with NULs and strips them when reading.
    while (end > start && units[end - 1] === 0) end--;
    let ascii = true;
    for (let i = start; i < end; i++) {
      const u = units[i]!;
      if (u > 0x7f) {
        ascii = false;
        if (u > 0x10ffff) {
          throw new NpyFormatError(`invalid character code ${u} in unicode element ${firstElement + e}`);
        }
      }
    }
    let text = '';
    for (let i = start; i < end; i += 4096) {
      const part = units.subarray(i, Math.min(end, i + 4096));
      text += ascii ? String.fromCharCode(...part) : String.fromCodePoint(...part);
    }
    out[e] = text;
  }
  return out;
}
