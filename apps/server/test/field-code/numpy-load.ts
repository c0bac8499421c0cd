/// <reference types="node" />
import { readFileSync } from 'node:fs';

/**
 * `numpy.load` of a 2-D C-order little-endian int64 `.npy` file (version 1.0), as the field's scripts load top-k
 * predictions. Only what the test's files need: anything else is refused, not guessed.
 */
export function loadInt64Matrix(path: string): { rows: number; columns: number; at(row: number, column: number): number } {
  const bytes = readFileSync(path);
  if (bytes.toString('latin1', 0, 6) !== '\x93NUMPY' || bytes[6] !== 1) throw new Error(`${path}: not a version 1 .npy file`);
  const headerLength = bytes.readUInt16LE(8);
  const header = bytes.toString('latin1', 10, 10 + headerLength);
  const shape = /'shape': \((\d+), (\d+)\)/.exec(header);
  if (!header.includes("'descr': '<i8'") || !header.includes("'fortran_order': False") || shape === null) throw new Error(`${path}: expected a C-order <i8 matrix, got ${header}`);
  const rows = Number(shape[1]);
  const columns = Number(shape[2]);
  const data = new BigInt64Array(bytes.buffer.slice(bytes.byteOffset + 10 + headerLength, bytes.byteOffset + bytes.length));
  if (data.length !== rows * columns) throw new Error(`${path}: ${data.length} values for shape (${rows}, ${columns})`);
  return { rows, columns, at: (row, column) => Number(data[row * columns + column]) };
}
