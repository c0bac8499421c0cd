import type { NpyValues } from './decode-npy-elements';

/**
 * Reorders the elements of an array stored in Fortran (column-major) order into C (row-major) order.
 * Arrays with at most one dimension larger than 1 are laid out the same in both orders and are returned as they are.
 */
export function fortranToRowMajor(values: NpyValues, shape: readonly number[]): NpyValues {
  if (shape.filter((d) => d > 1).length <= 1) return values;
  const count = values.length;
  const out: NpyValues = Array.isArray(values)
    ? new Array<string>(count)
    : new (values.constructor as new (length: number) => Exclude<NpyValues, string[]>)(count);
  const rank = shape.length;
  // Column-major strides: the first index varies fastest.
  const strides = new Array<number>(rank);
  let stride = 1;
  for (let d = 0; d < rank; d++) {
    strides[d] = stride;
    stride *= shape[d]!;
  }
  const last = rank - 1;
  const lastSize = shape[last]!;
  const lastStride = strides[last]!;
  const index = new Array<number>(rank).fill(0);
  const from = values as ArrayLike<number | string>;
  const to = out as { [i: number]: number | string };
  let source = 0;
  for (let target = 0; target < count; ) {
    // Walk the last (fastest in C order) dimension in one tight loop, then carry into the earlier ones.
    for (let j = 0; j < lastSize; j++) to[target++] = from[source + j * lastStride]!;
    for (let d = last - 1; d >= 0; d--) {
      index[d]!++;
      source += strides[d]!;
      if (index[d]! < shape[d]!) break;
      source -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}
