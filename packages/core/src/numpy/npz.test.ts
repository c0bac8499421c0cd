import fc from 'fast-check';
import { Zip, ZipPassThrough, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../seeded-random';
import { buildNpy, concatBytes, npyPreamble, numpyHeaderText } from './build-npy-for-tests';
import { buildZip, deflatedZerosAfter } from './build-npz-for-tests';
import { NpyFormatError } from './npy-format-error';
import { NpyStreamDecoder } from './npy-stream-decoder';
import { createNpzStream, decodeNpz, INFLATE_STEP_OUTPUT, listNpz, type NpzEntry } from './npz';

const tensorElements = Array.from({ length: 4 * 6 * 3 }, (_, i) => (i % 3 === 2 ? 1 : 0) + i / 1000);
const tensor = buildNpy({ type: 'f8', shape: [4, 6, 3], elements: tensorElements });
const info = buildNpy({ type: 'U28', shape: [2, 2], elements: ['ILSVRC2012_val_00000001.JPEG', '65', 'ILSVRC2012_val_00000002.JPEG', '970'] });
const ids = buildNpy({ type: 'i8', shape: [4], elements: [101n, 102n, 103n, 104n] });

/** numpy.savez stores members; numpy.savez_compressed deflates them. */
const stored = zipSync({ 'tensor.npy': [tensor, { level: 0 }], 'info.npy': [info, { level: 0 }], 'ids.npy': [ids, { level: 0 }] });
const deflated = zipSync({ 'tensor.npy': [tensor, { level: 9 }], 'info.npy': [info, { level: 9 }], 'ids.npy': [ids, { level: 9 }] });

/** Streams `archive` cut at `cuts`, decoding the `tensor` member row by row. */
function streamTensor(archive: Uint8Array, cuts: readonly number[]) {
  const rows: number[][] = [];
  const decoder = new NpyStreamDecoder({
    onRows: ({ rowCount, rowLength, values }) => {
      for (let r = 0; r < rowCount; r++) rows.push(Array.from((values as Float64Array).subarray(r * rowLength, (r + 1) * rowLength)));
    },
  });
  const seen: string[] = [];
  const stream = createNpzStream((entry) => {
    seen.push(entry.name);
    return entry.name === 'tensor' ? (chunk, final) => decoder.push(chunk, final) : undefined;
  });
  let start = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    stream.push(archive.subarray(start, cut));
    start = cut;
  }
  stream.push(archive.subarray(start), true);
  return { rows, seen, entries: stream.entries, decoder };
}

describe('createNpzStream', () => {
  it.each([
    ['stored', stored, 0],
    ['deflated', deflated, 8],
  ] as const)('streams a %s member through the row decoder and skips the others', (_, archive, compression) => {
    const { rows, seen, entries, decoder } = streamTensor(archive, [50, 51, 400]);
    expect(seen).toEqual(['tensor', 'info', 'ids']);
    expect(entries.map((e: NpzEntry) => [e.fileName, e.compression])).toEqual([
      ['tensor.npy', compression],
      ['info.npy', compression],
      ['ids.npy', compression],
    ]);
    expect(entries[0]!.size).toBe(tensor.length);
    expect(decoder.header?.shape).toEqual([4, 6, 3]);
    expect(rows.flat()).toEqual(tensorElements);
    expect(rows.length).toBe(4);
  });

  it('gives the same rows for random chunk boundaries of the archive', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.nat(), { maxLength: 20 }), (compress, rawCuts) => {
        const archive = compress ? deflated : stored;
        const { rows } = streamTensor(archive, rawCuts.map((c) => c % (archive.length + 1)));
        expect(rows.flat()).toEqual(tensorElements);
      }),
      { numRuns: 200 },
    );
  });

  it('does not inflate skipped members: a corrupt one is only an error when read', () => {
    const archive = zipSync({ 'a.npy': [tensor, { level: 6 }], 'b.npy': [ids, { level: 0 }] });
    // Deflate data of the first member starts after its 30-byte local header and 5-byte name (no extra field).
    expect(archive[28]).toBe(0);
    archive[35] = 0x07; // final block of the reserved type 3: invalid
    const skipping = createNpzStream((e) => (e.name === 'b' ? () => {} : undefined));
    expect(() => skipping.push(archive, true)).not.toThrow();
    const reading = createNpzStream((e) => (e.name === 'a' ? () => {} : undefined));
    expect(() => reading.push(archive, true)).toThrow(/^member 'a\.npy': corrupt compressed data/);
    expect(() => reading.push(new Uint8Array(0), true)).toThrow(/corrupt compressed data/);
  });

  it('passes a handler error out of push unchanged, stored or deflated', () => {
    for (const archive of [stored, deflated]) {
      const decoder = new NpyStreamDecoder({
        onHeader: () => {
          throw new NpyFormatError('shape mismatch: expected (5, *, *), got (4, 6, 3)');
        },
        onRows: () => {},
      });
      const stream = createNpzStream((e) => (e.name === 'tensor' ? (c, f) => decoder.push(c, f) : undefined));
      expect(() => stream.push(archive, true)).toThrow(new NpyFormatError('shape mismatch: expected (5, *, *), got (4, 6, 3)'));
    }
  });

  it('reports an archive cut inside a member that is read, or inside one that is skipped', () => {
    const cutInTensor = stored.subarray(0, 200);
    expect(() => streamTensor(cutInTensor, [])).toThrow(new NpyFormatError("truncated: member 'tensor.npy' is incomplete"));
    // The info member's local header follows the tensor's 30-byte header, its name and its data.
    const infoStart = 30 + 'tensor.npy'.length + tensor.length;
    expect(Array.from(stored.subarray(infoStart, infoStart + 4))).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const cutInInfo = stored.subarray(0, infoStart + 100);
    expect(() => streamTensor(cutInInfo, [])).toThrow(new NpyFormatError('truncated: the archive ends inside a member'));
  });

  it('refuses what is not a zip archive, from its first bytes', () => {
    expect(() => createNpzStream(() => undefined).push(tensor)).toThrow(new NpyFormatError('not a zip archive (a .npz starts with PK\\x03\\x04)'));
    expect(() => createNpzStream(() => undefined).push(Uint8Array.of(0x50, 0x4b), true)).toThrow(/truncated/);
  });

  it('refuses members written without their sizes up front, and unsupported compression methods', () => {
    // fflate's streaming Zip writes sizes after the data (a data descriptor), as a zip written to a pipe does.
    const parts: Uint8Array[] = [];
    const zip = new Zip((error, chunk) => {
      if (error) throw error;
      parts.push(chunk);
    });
    const member = new ZipPassThrough('ids.npy');
    zip.add(member);
    member.push(ids, true);
    zip.end();
    const streamed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((offset, p) => (streamed.set(p, offset), offset + p.length), 0);
    expect(() => createNpzStream(() => () => {}).push(streamed, true)).toThrow(
      new NpyFormatError(
        "member 'ids.npy' does not state its size before its data (a zip written to a pipe): rewrite the archive with numpy.savez",
      ),
    );

    const bzip2 = stored.slice();
    bzip2[8] = 12; // compression method of the first local header
    expect(() => createNpzStream(() => () => {}).push(bzip2, true)).toThrow(
      new NpyFormatError("member 'tensor.npy' uses zip compression method 12: only stored and deflated are supported"),
    );
  });

  it('reads an empty member as a zero-length final chunk', () => {
    const chunks: [number, boolean][] = [];
    createNpzStream(() => (c, f) => chunks.push([c.length, f])).push(zipSync({ 'empty.npy': new Uint8Array(0) }), true);
    expect(chunks).toEqual([[0, true]]);
  });
});

describe('listNpz and decodeNpz', () => {
  it('lists the members from the central directory', () => {
    expect(listNpz(deflated)).toEqual([
      { name: 'tensor', fileName: 'tensor.npy', compression: 8, size: tensor.length },
      { name: 'info', fileName: 'info.npy', compression: 8, size: info.length },
      { name: 'ids', fileName: 'ids.npy', compression: 8, size: ids.length },
    ]);
    expect(() => listNpz(tensor)).toThrow(NpyFormatError);
  });

  it('decodes all members, or only the named ones', () => {
    const all = decodeNpz(deflated);
    expect([...all.keys()]).toEqual(['tensor', 'info', 'ids']);
    expect(all.get('info')?.data).toEqual(['ILSVRC2012_val_00000001.JPEG', '65', 'ILSVRC2012_val_00000002.JPEG', '970']);
    expect(Array.from(all.get('ids')!.data as Float64Array)).toEqual([101, 102, 103, 104]);
    expect(Array.from(all.get('tensor')!.data as Float64Array)).toEqual(tensorElements);
    expect([...decodeNpz(stored, ['ids']).keys()]).toEqual(['ids']);
  });

  it('names the member in a decoding error', () => {
    const bad = zipSync({ 'ids.npy': ids.subarray(0, ids.length - 1) });
    expect(() => decodeNpz(bad)).toThrow(new NpyFormatError("member 'ids.npy': truncated: expected 32 bytes of data, got 31"));
  });
});

describe('createNpzStream: bounded inflating', () => {
  /** An (8, 131072) float64 array, mostly zeros (8 MiB): deflates to a few hundred times smaller. */
  const rows = 8;
  const columns = 131_072;
  const random = seededRandom(3);
  const large = new Float64Array(rows * columns);
  for (let i = 0; i < large.length; i += 1 + Math.floor(random() * 600)) large[i] = 1 + Math.floor(random() * 3);
  const largeNpy = concatBytes(npyPreamble(numpyHeaderText({ type: 'f8', shape: [rows, columns] })), new Uint8Array(large.buffer));
  const largeDeflated = zipSync({ 'big.npy': [largeNpy, { level: 6 }] });
  /** Elements that differ (element-wise equality of 2 million elements is too slow through expect). */
  const differences = (decoded: Float64Array) => decoded.reduce((n, v, i) => (v === large[i] ? n : n + 1), decoded.length === large.length ? 0 : 1);

  it.each([
    ['pushed whole', largeDeflated.length],
    ['pushed in 1 MiB chunks', 1 << 20],
  ])('inflates a member far larger than a step in steps of about 1 MiB, handed on as they come (%s)', (_, chunkBytes) => {
    expect(largeNpy.length / largeDeflated.length).toBeGreaterThan(100);
    const sizes: number[] = [];
    const decoded = new Float64Array(large.length);
    const decoder = new NpyStreamDecoder({ onRows: ({ firstRow, values }) => decoded.set(values as Float64Array, firstRow * columns) });
    const stream = createNpzStream(() => (chunk, final) => {
      sizes.push(chunk.length);
      decoder.push(chunk, final);
    });
    for (let at = 0; at < largeDeflated.length; at += chunkBytes) stream.push(largeDeflated.subarray(at, at + chunkBytes));
    stream.push(new Uint8Array(0), true);
    expect(differences(decoded)).toBe(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(largeNpy.length);
    expect(sizes.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(2 * INFLATE_STEP_OUTPUT);
  });

  it('decodes the same through decodeNpz', () => {
    expect(differences(decodeNpz(largeDeflated).get('big')!.data as Float64Array)).toBe(0);
  });
});

describe('createNpzStream: refusing what a .npy header does not imply', () => {
  const small = buildNpy({ type: 'f8', shape: [4], elements: [1, 2, 3, 4] });
  const smallHeader = small.subarray(0, small.length - 32);
  const describeSmall = "dtype '<f8', shape (4,)";

  /** Streams `archive` whole, collecting what is handed on, and returns the error. */
  function refusal(archive: Uint8Array): { error: unknown; handedOn: number } {
    let handedOn = 0;
    const stream = createNpzStream(() => (chunk) => (handedOn += chunk.length));
    try {
      stream.push(archive, true);
    } catch (error) {
      return { error, handedOn };
    }
    throw new Error('expected the archive to be refused');
  }

  it('refuses a member declaring more bytes than its header implies, before handing any on', () => {
    // A zip bomb telling the truth about its size: 160 bytes of array, 200 MB of zeros after them.
    const bomb = deflatedZerosAfter(smallHeader, 800_000);
    const declared = smallHeader.length + 1 + 258 * 800_000;
    for (const zip64 of [false, true]) {
      const { error, handedOn } = refusal(buildZip([{ name: 'tensor.npy', data: bomb, method: 8, size: declared, zip64 }]));
      expect(error).toEqual(
        new NpyFormatError(`member 'tensor.npy' declares ${declared} bytes, but its .npy header (${describeSmall}) implies 160: the archive is damaged or forged`),
      );
      expect(handedOn).toBe(0);
    }
    const padded = concatBytes(small, new Uint8Array(8));
    expect(refusal(buildZip([{ name: 'tensor.npy', data: padded, method: 0, size: padded.length }])).error).toEqual(
      new NpyFormatError(`member 'tensor.npy' declares 168 bytes, but its .npy header (${describeSmall}) implies 160: the archive is damaged or forged`),
    );
  });

  it('stops inflating a member as soon as it inflates to more than its header implies, whatever it declares', () => {
    // The same bomb, lying about its size (it declares what the header implies): 4 GB of zeros would follow.
    const bomb = deflatedZerosAfter(smallHeader, 800_000);
    const { error, handedOn } = refusal(buildZip([{ name: 'tensor.npy', data: bomb, method: 8, size: 160 }]));
    expect(error).toEqual(
      new NpyFormatError(`member 'tensor.npy' inflates to more than the 160 bytes its .npy header (${describeSmall}) implies: the archive is damaged or forged`),
    );
    expect(handedOn).toBe(0);

    // A larger array: the steps within its size are handed on, the one going beyond is not.
    const header = npyPreamble(numpyHeaderText({ type: 'f8', shape: [300_000] }));
    const expected = header.length + 8 * 300_000;
    const longer = refusal(buildZip([{ name: 'logits.npy', data: deflatedZerosAfter(header, 800_000), method: 8, size: expected }]));
    expect((longer.error as Error).message).toBe(
      `member 'logits.npy' inflates to more than the ${expected} bytes its .npy header (dtype '<f8', shape (300000,)) implies: the archive is damaged or forged`,
    );
    expect(longer.handedOn).toBeGreaterThan(0);
    expect(longer.handedOn).toBeLessThanOrEqual(expected);

    const padded = concatBytes(small, new Uint8Array(8));
    expect(refusal(buildZip([{ name: 'tensor.npy', data: padded, method: 0, size: 160 }])).error).toEqual(
      new NpyFormatError(`member 'tensor.npy' holds more than the 160 bytes its .npy header (${describeSmall}) implies: the archive is damaged or forged`),
    );
  });

  it('names the member whose header is malformed', () => {
    const notNpy = Uint8Array.from('PK? no, just text', (c) => c.charCodeAt(0));
    expect(refusal(zipSync({ 'notes.npy': [notNpy, { level: 6 }] })).error).toEqual(
      new NpyFormatError("member 'notes.npy': bad magic: not a .npy file (it must start with \\x93NUMPY)"),
    );
  });
});

describe('createNpzStream: archives of many members, and their ends', () => {
  const MEMBERS = 5000;
  const one = (i: number) => buildNpy({ type: 'i8', shape: [1], elements: [BigInt(i)] });
  const storedMany = zipSync(Object.fromEntries(Array.from({ length: MEMBERS }, (_, i) => [`m${i}.npy`, [one(i), { level: 0 }]])));
  // Deflated by hand (each member's bytes as literals, its last byte a zero): fflate's zipSync takes seconds for 5,000.
  const deflatedMany = buildZip(
    Array.from({ length: MEMBERS }, (_, i) => ({ name: `m${i}.npy`, data: deflatedZerosAfter(one(i * 256).subarray(0, -1), 0), method: 8, size: one(0).length })),
  );

  /** Streams `archive` in pieces of `chunkBytes`, decoding every member but those whose name ends in 7. */
  function readMany(archive: Uint8Array, chunkBytes: number): { values: number[]; entries: number } {
    const values: number[] = [];
    const stream = createNpzStream((entry) => {
      const decoder = new NpyStreamDecoder({ onRows: ({ values: v }) => values.push(Number((v as Float64Array)[0])) });
      return entry.name.endsWith('7') ? undefined : (chunk, final) => decoder.push(chunk, final);
    });
    for (let at = 0; at < archive.length; at += chunkBytes) stream.push(archive.subarray(at, at + chunkBytes));
    stream.push(new Uint8Array(0), true);
    return { values, entries: stream.entries.length };
  }
  const readValues = Array.from({ length: MEMBERS }, (_, i) => i).filter((i) => i % 10 !== 7);

  it.each([
    ['whole', storedMany.length],
    ['in pieces of 4 KB', 4096],
  ])('reads an archive of 5,000 stored members, pushed %s', (_, chunkBytes) => {
    expect(readMany(storedMany, chunkBytes)).toEqual({ values: readValues, entries: MEMBERS });
  });

  it('lists and decodes an archive of 5,000 members', () => {
    expect(listNpz(storedMany).length).toBe(MEMBERS);
    expect(Array.from(decodeNpz(storedMany, ['m0', 'm4999']).get('m4999')!.data as Float64Array)).toEqual([4999]);
  });

  it('reads an archive of 5,000 deflated members', () => {
    expect(readMany(deflatedMany, deflatedMany.length)).toEqual({ values: readValues.map((i) => i * 256), entries: MEMBERS });
  });

  it('refuses an archive that ends before its central directory, or holds something else after a member', () => {
    const endRecord = stored.length - 22;
    const centralDirectory = stored[endRecord + 16]! | (stored[endRecord + 17]! << 8);
    for (const end of [centralDirectory, centralDirectory + 2]) {
      expect(() => streamTensor(stored.subarray(0, end), [])).toThrow(new NpyFormatError('truncated: the archive ends before its central directory'));
    }
    expect(() => streamTensor(stored.subarray(0, centralDirectory + 8), [])).not.toThrow();
    const junk = concatBytes(stored.subarray(0, centralDirectory), Uint8Array.of(1, 2, 3, 4), stored.subarray(centralDirectory));
    expect(() => streamTensor(junk, [])).toThrow(
      new NpyFormatError("corrupt zip archive: no member or central directory where member 'ids.npy' ends"),
    );
  });

  it('refuses an encrypted member', () => {
    const archive = buildZip([{ name: 'tensor.npy', data: tensor, method: 0, size: tensor.length, flags: 1 }]);
    expect(() => createNpzStream(() => () => {}).push(archive, true)).toThrow(
      new NpyFormatError("member 'tensor.npy' is encrypted: only plain archives are supported"),
    );
  });
});
