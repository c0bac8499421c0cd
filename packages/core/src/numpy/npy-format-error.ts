/**
 * Every problem found in a `.npy` / `.npz` file: bad magic, unsupported version or dtype, malformed header, truncated
 * or excess data, a shape that does not fit. The message says what is wrong; the caller adds the file name.
 */
export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}
