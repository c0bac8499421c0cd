import { NpyFormatError } from './npy-format-error';

/** The element types the reader supports. */
export type NpyDtypeName =
  | 'bool'
  | 'int8'
  | 'uint8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'uint64'
  | 'float16'
  | 'float32'
  | 'float64'
  | 'unicode';

/** A `.npy` element type, from the header's `descr` (e.g. `'<f4'`, `'>i8'`, `'|b1'`, `'<U10'`). */
export interface NpyDtype {
  /** `descr` exactly as written in the header. */
  descr: string;
  name: NpyDtypeName;
  /** Bytes per element (for `unicode`, 4 per character: numpy stores UTF-32). */
  itemSize: number;
  /** Byte order of the data. `=` (native) and a missing prefix are read as little-endian, as on every platform numpy ships for. */
  littleEndian: boolean;
  /** For `unicode`: the fixed number of characters per element (`<U10` → 10). */
  characters?: number;
}

const NUMERIC: Record<string, NpyDtypeName> = {
  b1: 'bool',
  i1: 'int8',
  u1: 'uint8',
  i2: 'int16',
  u2: 'uint16',
  i4: 'int32',
  u4: 'uint32',
  i8: 'int64',
  u8: 'uint64',
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
};

const SUPPORTED = 'bool, int8/16/32/64, uint8/16/32/64, float16/32/64 and unicode (<U)';

/** Reads a `descr` string; any other type (structured, bytes `S`, complex, object...) is an `NpyFormatError` naming it. */
export function parseNpyDtype(descr: string): NpyDtype {
  const match = /^([<>=|]?)([a-zA-Z])(\d+)$/.exec(descr);
  const unsupported = () => new NpyFormatError(`unsupported dtype '${descr}': supported are ${SUPPORTED}`);
  if (!match) throw unsupported();
  const [, order = '', kind = '', sizeText = ''] = match;
  const size = Number(sizeText);
  if (kind === 'U') {
    if (order === '|' || size < 1) throw unsupported();
    return { descr, name: 'unicode', itemSize: 4 * size, littleEndian: order !== '>', characters: size };
  }
  const name = NUMERIC[kind + sizeText];
  if (name === undefined) throw unsupported();
  // `|` means "byte order does not apply": valid only for one-byte types.
  if (order === '|' && size !== 1) throw unsupported();
  return { descr, name, itemSize: size, littleEndian: order !== '>' };
}

/** Families of dtypes, for callers that accept e.g. "any integer". */
export type NpyDtypeFamily = 'bool' | 'int' | 'uint' | 'float' | 'unicode';

export function npyDtypeFamily(dtype: NpyDtype): NpyDtypeFamily {
  if (dtype.name === 'bool' || dtype.name === 'unicode') return dtype.name;
  if (dtype.name.startsWith('uint')) return 'uint';
  if (dtype.name.startsWith('int')) return 'int';
  return 'float';
}

/** Throws an `NpyFormatError` unless the dtype belongs to one of the families (e.g. top-k indices must be integers). */
export function assertNpyDtypeFamily(dtype: NpyDtype, families: readonly NpyDtypeFamily[]): void {
  if (!families.includes(npyDtypeFamily(dtype))) {
    throw new NpyFormatError(`unexpected dtype '${dtype.descr}' (${dtype.name}): expected ${families.join(' or ')}`);
  }
}
