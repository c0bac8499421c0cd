import { strFromU8 } from 'fflate';
import { parseNpyDtype, type NpyDtype } from './npy-dtype';
import { NpyFormatError } from './npy-format-error';
import { formatPythonLiteral, parsePythonLiteral, type PythonLiteral } from './python-literal';

/** What a `.npy` header says. */
export interface NpyHeader {
  /** Format version `[major, minor]`: 1.0, 2.0 or 3.0. */
  version: [number, number];
  /** Bytes before the data: magic, version, header length field and the header text with its padding. */
  headerLength: number;
  dtype: NpyDtype;
  /** True when the data is in column-major (Fortran) order. */
  fortranOrder: boolean;
  /** `[]` for a 0-d scalar array. */
  shape: number[];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const PREAMBLE_V1 = 10; // magic (6) + version (2) + uint16 header length
const PREAMBLE_V2 = 12; // magic (6) + version (2) + uint32 header length
/** numpy itself refuses headers over 10,000 bytes by default; this only guards against a corrupt length field. */
const MAX_HEADER_TEXT = 1 << 20;

/**
 * Parses as much of a header as `bytes` holds. Returns the header, or the total number of bytes needed before it can
 * be parsed (so a streaming reader knows how long to wait). Throws `NpyFormatError` as soon as the bytes are wrong.
 */
export function tryParseNpyHeader(bytes: Uint8Array): NpyHeader | { bytesNeeded: number } {
  for (let i = 0; i < MAGIC.length && i < bytes.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new NpyFormatError('bad magic: not a .npy file (it must start with \\x93NUMPY)');
  }
  if (bytes.length < 8) return { bytesNeeded: PREAMBLE_V1 };
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (!(major >= 1 && major <= 3) || minor !== 0) {
    throw new NpyFormatError(`unsupported .npy format version ${major}.${minor} (supported: 1.0, 2.0, 3.0)`);
  }
  const preamble = major === 1 ? PREAMBLE_V1 : PREAMBLE_V2;
  if (bytes.length < preamble) return { bytesNeeded: preamble };
  const textLength =
    major === 1
      ? bytes[8]! | (bytes[9]! << 8)
      : (bytes[8]! | (bytes[9]! << 8) | (bytes[10]! << 16) | (bytes[11]! << 24)) >>> 0;
  if (textLength > MAX_HEADER_TEXT) {
    throw new NpyFormatError(`malformed header: header length ${textLength} is implausibly large`);
  }
  const headerLength = preamble + textLength;
  if (bytes.length < headerLength) return { bytesNeeded: headerLength };

  const raw = bytes.subarray(preamble, headerLength);
  // Versions 1 and 2 store the header in latin-1; version 3 in UTF-8.
  const text = major === 3 ? strFromU8(raw) : latin1(raw);
  const { dtype, fortranOrder, shape } = readHeaderDictionary(parsePythonLiteral(text));
  return { version: [major, minor], headerLength, dtype, fortranOrder, shape };
}

/**
 * Parses the header at the start of a `.npy` file (`bytes` needs to hold at least the whole header; the data may
 * follow). Throws `NpyFormatError` on bad magic, an unsupported version or dtype, a malformed or incomplete header.
 */
export function parseNpyHeader(bytes: Uint8Array): NpyHeader {
  const result = tryParseNpyHeader(bytes);
  if ('bytesNeeded' in result) {
    throw new NpyFormatError(
      bytes.length === 0
        ? 'truncated: the file is empty'
        : `truncated: the header needs ${result.bytesNeeded} bytes, got ${bytes.length}`,
    );
  }
  return result;
}

/** Number of elements of an array of this shape (1 for a 0-d scalar). */
export function npyElementCount(shape: readonly number[]): number {
  let count = 1;
  for (const d of shape) count *= d;
  return count;
}

/** Number of data bytes that follow the header. */
export function npyDataByteLength(header: Pick<NpyHeader, 'dtype' | 'shape'>): number {
  return npyElementCount(header.shape) * header.dtype.itemSize;
}

/** Renders a shape as numpy does: `(20000, 5)`, `(5,)`, `()`. */
export function formatNpyShape(shape: readonly (number | null)[]): string {
  const dims = shape.map((d) => (d === null ? '*' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

/**
 * Throws `NpyFormatError` ("shape mismatch: expected (20000, *), got (19999, 5)") unless `shape` has the expected
 * number of dimensions and every dimension given as a number matches (`null` accepts any size).
 */
export function assertNpyShape(shape: readonly number[], expected: readonly (number | null)[]): void {
  const matches = shape.length === expected.length && expected.every((d, i) => d === null || d === shape[i]);
  if (!matches) {
    throw new NpyFormatError(`shape mismatch: expected ${formatNpyShape(expected)}, got ${formatNpyShape(shape)}`);
  }
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    out += String.fromCharCode(...bytes.subarray(i, i + 4096));
  }
  return out;
}

function readHeaderDictionary(literal: PythonLiteral): Pick<NpyHeader, 'dtype' | 'fortranOrder' | 'shape'> {
  if (literal.type !== 'dict') throw new NpyFormatError('malformed header: expected a dictionary');
  const fields = new Map<string, PythonLiteral>();
  for (const [key, value] of literal.entries) {
    if (key !== 'descr' && key !== 'fortran_order' && key !== 'shape') {
      throw new NpyFormatError(`malformed header: unexpected key '${key}'`);
    }
    if (fields.has(key)) throw new NpyFormatError(`malformed header: key '${key}' appears twice`);
    fields.set(key, value);
  }
  const descr = fields.get('descr');
  const fortranOrder = fields.get('fortran_order');
  const shape = fields.get('shape');
  if (!descr || !fortranOrder || !shape) {
    const missing = ['descr', 'fortran_order', 'shape'].filter((k) => !fields.has(k));
    throw new NpyFormatError(`malformed header: missing ${missing.map((k) => `'${k}'`).join(', ')}`);
  }
  if (descr.type !== 'str') {
    throw new NpyFormatError(`unsupported dtype ${formatPythonLiteral(descr)}: structured arrays are not supported`);
  }
  if (fortranOrder.type !== 'bool') {
    throw new NpyFormatError(`malformed header: 'fortran_order' must be True or False, got ${formatPythonLiteral(fortranOrder)}`);
  }
  if (shape.type !== 'tuple' || shape.items.some((d) => d.type !== 'int' || d.value < 0)) {
    throw new NpyFormatError(
      `malformed header: 'shape' must be a tuple of non-negative integers, got ${formatPythonLiteral(shape)}`,
    );
  }
  const dims = shape.items.map((d) => (d as { value: number }).value);
  const dtype = parseNpyDtype(descr.value);
  if (!Number.isSafeInteger(npyElementCount(dims) * dtype.itemSize)) {
    throw new NpyFormatError(`malformed header: shape ${formatNpyShape(dims)} is too large`);
  }
  return { dtype, fortranOrder: fortranOrder.value, shape: dims };
}
