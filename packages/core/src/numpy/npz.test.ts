import fc from 'fast-check';
import { Zip, ZipPassThrough, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { buildNpy } from './build-npy-for-tests';
import { NpyFormatError } from './npy-format-error';
import { NpyStreamDecoder } from './npy-stream-decoder';
import { createNpzStream, decodeNpz, listNpz, type NpzEntry } from './npz';

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
