import { decodeOwnedNpyBytes, type NpyValues } from './decode-npy-elements';
import { fortranToRowMajor } from './fortran-order';
import type { NpyDtype } from './npy-dtype';
import { NpyFormatError } from './npy-format-error';
import { npyDataByteLength, npyElementCount, parseNpyHeader } from './parse-npy-header';

/** A whole decoded array. */
export interface DecodedNpy {
  dtype: NpyDtype;
  shape: number[];
  /** How the file stored it; `data` is row-major either way. */
  fortranOrder: boolean;
  /** All elements in row-major (C) order; see `NpyValues` for the type per dtype. */
  data: NpyValues;
}

/**
 * Decodes a whole `.npy` file held in memory (meant for small arrays, such as the `info` and `ids` members of a crowd
 * answers `.npz`; stream large ones with `NpyStreamDecoder`). Fortran-order arrays are reordered to row-major.
 * Throws `NpyFormatError` on any problem, including data shorter or longer than the shape says.
 */
export function decodeNpy(bytes: Uint8Array): DecodedNpy {
  const header = parseNpyHeader(bytes);
  const expected = npyDataByteLength(header);
  const got = bytes.length - header.headerLength;
  if (got < expected) throw new NpyFormatError(`truncated: expected ${expected} bytes of data, got ${got}`);
  if (got > expected) throw new NpyFormatError(`too long: expected ${expected} bytes of data, got ${got}`);
  // A copy in a buffer of its own: aligned for typed-array views and safe to byte-swap. (Uint8Array's slice, not
  // the argument's own: Node's Buffer.slice returns a view of the same memory.)
  const own = Uint8Array.prototype.slice.call(bytes, header.headerLength);
  const values = decodeOwnedNpyBytes(own, header.dtype, npyElementCount(header.shape));
  return {
    dtype: header.dtype,
    shape: header.shape,
    fortranOrder: header.fortranOrder,
    data: header.fortranOrder ? fortranToRowMajor(values, header.shape) : values,
  };
}
