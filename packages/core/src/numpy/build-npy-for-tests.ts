// Test support only (not exported): builds `.npy` bytes the way numpy writes them, so tests need no binary files.
import { strToU8 } from 'fflate';

export type TestDtype =
  | 'b1'
  | 'i1'
  | 'u1'
  | 'i2'
  | 'u2'
  | 'i4'
  | 'u4'
  | 'i8'
  | 'u8'
  | 'f2'
  | 'f4'
  | 'f8'
  | `U${number}`;

export interface NpySpec {
  /** Without byte order: 'f4', 'U10'... */
  type: TestDtype;
  bigEndian?: boolean;
  shape: number[];
  fortranOrder?: boolean;
  version?: 1 | 2 | 3;
  /**
   * Elements in the file's own order (row-major, or column-major when fortranOrder). Numbers for numeric types
   * (float16 given as raw bits), bigint allowed for 64-bit integers, strings for unicode.
   */
  elements: readonly (number | bigint | string)[];
}

export function descrOf(spec: Pick<NpySpec, 'type' | 'bigEndian'>): string {
  const oneByte = spec.type === 'b1' || spec.type === 'i1' || spec.type === 'u1';
  return `${oneByte ? '|' : spec.bigEndian ? '>' : '<'}${spec.type}`;
}

export function pythonShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** numpy's header dictionary text, before padding. */
export function numpyHeaderText(spec: Pick<NpySpec, 'type' | 'bigEndian' | 'shape' | 'fortranOrder'>): string {
  return `{'descr': '${descrOf(spec)}', 'fortran_order': ${spec.fortranOrder ? 'True' : 'False'}, 'shape': ${pythonShape(spec.shape)}, }`;
}

/** Magic, version, length and the header text padded with spaces and a newline to a multiple of 64 bytes, as numpy does. */
export function npyPreamble(headerText: string, version: 1 | 2 | 3 = 1): Uint8Array {
  const text = version === 3 ? strToU8(headerText) : Uint8Array.from(headerText, (c) => c.charCodeAt(0));
  const fixed = version === 1 ? 10 : 12;
  const padded = Math.ceil((fixed + text.length + 1) / 64) * 64 - fixed;
  const out = new Uint8Array(fixed + padded);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]);
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded, true);
  else view.setUint32(8, padded, true);
  out.set(text, fixed);
  out.fill(0x20, fixed + text.length, fixed + padded - 1);
  out[fixed + padded - 1] = 0x0a;
  return out;
}

export function itemSizeOf(type: TestDtype): number {
  return type.startsWith('U') ? 4 * Number(type.slice(1)) : Number(type.slice(1));
}

export function encodeElements(spec: Pick<NpySpec, 'type' | 'bigEndian' | 'elements'>): Uint8Array {
  const size = itemSizeOf(spec.type);
  const out = new Uint8Array(size * spec.elements.length);
  const view = new DataView(out.buffer);
  const le = !spec.bigEndian;
  spec.elements.forEach((value, i) => {
    const at = i * size;
    switch (spec.type) {
      case 'b1':
      case 'u1':
        return view.setUint8(at, Number(value));
      case 'i1':
        return view.setInt8(at, Number(value));
      case 'i2':
        return view.setInt16(at, Number(value), le);
      case 'u2':
      case 'f2':
        return view.setUint16(at, Number(value), le);
      case 'i4':
        return view.setInt32(at, Number(value), le);
      case 'u4':
        return view.setUint32(at, Number(value), le);
      case 'i8':
        return view.setBigInt64(at, BigInt(value), le);
      case 'u8':
        return view.setBigUint64(at, BigInt(value), le);
      case 'f4':
        return view.setFloat32(at, Number(value), le);
      case 'f8':
        return view.setFloat64(at, Number(value), le);
      default: {
        const characters = [...String(value)];
        if (characters.length > size / 4) throw new Error(`'${String(value)}' does not fit ${spec.type}`);
        characters.forEach((c, k) => view.setUint32(at + 4 * k, c.codePointAt(0)!, le));
      }
    }
  });
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

export function buildNpy(spec: NpySpec): Uint8Array {
  return concatBytes(npyPreamble(numpyHeaderText(spec), spec.version ?? 1), encodeElements(spec));
}

/** Row-major order of `elements` given in column-major order for `shape`. */
export function columnMajorToRowMajor<T>(elements: readonly T[], shape: readonly number[]): T[] {
  const count = elements.length;
  const out = new Array<T>(count);
  for (let c = 0; c < count; c++) {
    // Row-major index c → multi-index → column-major position.
    let rest = c;
    let position = 0;
    const index: number[] = [];
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d] = rest % shape[d]!;
      rest = Math.floor(rest / shape[d]!);
    }
    let stride = 1;
    for (let d = 0; d < shape.length; d++) {
      position += index[d]! * stride;
      stride *= shape[d]!;
    }
    out[c] = elements[position]!;
  }
  return out;
}

