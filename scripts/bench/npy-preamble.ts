// The benchmarks' NumPy files, written as numpy writes them.

/** numpy's .npy v1.0 preamble for a C-order array: magic, version, header padded with spaces to 64 bytes. */
export function npyPreamble(descr: string, shape: readonly number[]): Buffer {
  const text = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const padded = Math.ceil((10 + text.length + 1) / 64) * 64 - 10;
  const header = Buffer.alloc(10 + padded, 0x20);
  header.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  header.writeUInt16LE(padded, 8);
  header.write(text, 10, 'latin1');
  header[10 + padded - 1] = 0x0a;
  return header;
}
