import { Unzip, UnzipInflate, UnzipPassThrough, unzipSync, type UnzipFile } from 'fflate';
import { decodeNpy, type DecodedNpy } from './decode-npy';
import { NpyFormatError } from './npy-format-error';

/** One member of a `.npz` archive. */
export interface NpzEntry {
  /** The array's name, as `numpy.load` gives it: the member's file name without its `.npy` suffix. */
  name: string;
  /** The member's file name in the zip archive (`tensor.npy`). */
  fileName: string;
  /** Zip compression method: 0 stored (`numpy.savez`), 8 deflated (`numpy.savez_compressed`). */
  compression: number;
  /** Size of the member's `.npy` bytes once inflated, when the archive says it up front (numpy's archives do). */
  size?: number;
}

/**
 * Receives the inflated `.npy` bytes of one member, in order, in chunks of any size; `final` is true on the last one.
 * `NpyStreamDecoder.push` fits: `(chunk, final) => decoder.push(chunk, final)`.
 */
export type NpzEntryHandler = (chunk: Uint8Array, final: boolean) => void;

export interface NpzStream {
  /** Feeds the next bytes of the archive; `final` on the last ones (checks that no member was cut short). */
  push(chunk: Uint8Array, final?: boolean): void;
  /** The members seen so far, in archive order (read or skipped). */
  readonly entries: readonly NpzEntry[];
}

const STORED = 0;
const DEFLATED = 8;
const LOCAL_FILE_HEADER = [0x50, 0x4b, 0x03, 0x04];
const END_OF_CENTRAL_DIRECTORY = [0x50, 0x4b, 0x05, 0x06];

function entryOf(fileName: string, compression: number, size: number | undefined): NpzEntry {
  const name = fileName.endsWith('.npy') ? fileName.slice(0, -4) : fileName;
  return size === undefined ? { name, fileName, compression } : { name, fileName, compression, size };
}

/**
 * Streaming `.npz` reader in bounded memory. The caller feeds the archive's bytes as read from disk; for each member
 * `onEntry` decides: return a handler to receive the member's inflated bytes chunk by chunk (typically into an
 * `NpyStreamDecoder`, so a 200 MB array is never held whole), or `undefined` to skip it (skipped members are neither
 * kept nor inflated). Handlers run synchronously inside `push`; an error they throw comes out of `push`.
 *
 * Reads stored and deflated members, with or without zip64 sizes (numpy writes zip64). Members must state their
 * sizes in the local header, as numpy's archives do; an archive written to a pipe (sizes only after the data) is
 * refused. Zip CRCs are not checked: the `.npy` decoder's byte count catches truncation. Which members must be
 * present is the caller's to check (see `entries`).
 *
 * Memory: the handler receives what inflating one pushed chunk yields, so feed the archive in modest chunks (64 KB to
 * 1 MB): logits barely compress (about 1.1 inflated bytes per byte), but a very compressible member can inflate one
 * chunk into many megabytes. Speed: deflated members inflate at about 120 MB/s (fflate); stored ones cost a copy.
 *
 * @example
 *   const decoder = new NpyStreamDecoder({ onRows: ... });
 *   const npz = createNpzStream((entry) => (entry.name === 'tensor' ? (c, f) => decoder.push(c, f) : undefined));
 *   for await (const chunk of fileStream) npz.push(chunk);
 *   npz.push(new Uint8Array(0), true);
 */
export function createNpzStream(onEntry: (entry: NpzEntry) => NpzEntryHandler | undefined): NpzStream {
  const entries: NpzEntry[] = [];
  const open = new Set<string>();
  let failure: unknown;
  let prefix: number[] = [];
  let discarding = false;

  // Members are started even when skipped, or fflate would buffer their bytes; a skipped deflated member is not
  // inflated: its decoder is created while `discarding` is set and drops what it gets.
  class InflateUnlessDiscarding {
    static compression = DEFLATED;
    ondata: UnzipInflate['ondata'] = () => {};
    private readonly inflate: UnzipInflate | undefined;
    constructor() {
      if (discarding) return;
      this.inflate = new UnzipInflate();
      this.inflate.ondata = (error, data, final) => this.ondata(error, data, final);
    }
    push(chunk: Uint8Array, final: boolean): void {
      this.inflate?.push(chunk, final);
    }
  }

  const unzip = new Unzip((file: UnzipFile) => {
    const entry = entryOf(file.name, file.compression, file.originalSize);
    entries.push(entry);
    if (file.size === undefined) {
      throw new NpyFormatError(
        `member '${file.name}' does not state its size before its data (a zip written to a pipe): rewrite the archive with numpy.savez`,
      );
    }
    if (file.compression !== STORED && file.compression !== DEFLATED) {
      throw new NpyFormatError(`member '${file.name}' uses zip compression method ${file.compression}: only stored and deflated are supported`);
    }
    const handler = onEntry(entry);
    if (handler) {
      open.add(file.name);
      file.ondata = (error, data, final) => {
        if (error) {
          throw error instanceof NpyFormatError
            ? error
            : new NpyFormatError(`member '${file.name}': corrupt compressed data (${error.message})`);
        }
        handler(data, final);
        if (final) open.delete(file.name);
      };
    } else {
      file.ondata = () => {};
    }
    discarding = !handler;
    try {
      file.start();
    } finally {
      discarding = false;
    }
  });
  unzip.register(UnzipPassThrough);
  unzip.register(InflateUnlessDiscarding);

  const checkSignature = (chunk: Uint8Array) => {
    if (prefix.length >= 4) return;
    for (let i = 0; i < chunk.length && prefix.length < 4; i++) prefix.push(chunk[i]!);
    const startsAs = (signature: number[]) => prefix.every((b, i) => b === signature[i]);
    if (!startsAs(LOCAL_FILE_HEADER) && !startsAs(END_OF_CENTRAL_DIRECTORY)) {
      throw new NpyFormatError('not a zip archive (a .npz starts with PK\\x03\\x04)');
    }
  };

  return {
    entries,
    push(chunk: Uint8Array, final = false) {
      if (failure !== undefined) throw failure;
      try {
        checkSignature(chunk);
        if (final && prefix.length < 4) throw new NpyFormatError('truncated: not a complete zip archive');
        unzip.push(chunk, false);
        if (final) {
          if (open.size > 0) {
            throw new NpyFormatError(`truncated: member ${[...open].map((n) => `'${n}'`).join(', ')} is incomplete`);
          }
          try {
            unzip.push(new Uint8Array(0), true);
          } catch {
            throw new NpyFormatError('truncated: the archive ends inside a member');
          }
        }
      } catch (error) {
        failure =
          error instanceof NpyFormatError
            ? error
            : new NpyFormatError(`corrupt zip archive: ${error instanceof Error ? error.message : String(error)}`);
        throw failure;
      }
    },
  };
}

/**
 * The members of a `.npz` held whole in memory, from the zip's central directory, without inflating anything.
 */
export function listNpz(bytes: Uint8Array): NpzEntry[] {
  const entries: NpzEntry[] = [];
  try {
    unzipSync(bytes, {
      filter: (file) => {
        entries.push(entryOf(file.name, file.compression, file.originalSize));
        return false;
      },
    });
  } catch (error) {
    throw new NpyFormatError(`corrupt zip archive: ${error instanceof Error ? error.message : String(error)}`);
  }
  return entries;
}

/**
 * Decodes the members of a small `.npz` held in memory (all of them, or those whose array names are listed), through
 * the same streaming path as `createNpzStream`. Keys are array names (`tensor`, `info`, `ids`).
 */
export function decodeNpz(bytes: Uint8Array, names?: readonly string[]): Map<string, DecodedNpy> {
  const collected = new Map<string, Uint8Array[]>();
  const stream = createNpzStream((entry) => {
    if (names && !names.includes(entry.name)) return undefined;
    const chunks: Uint8Array[] = [];
    collected.set(entry.name, chunks);
    // fflate may hand out views of a buffer it reuses: copy each chunk.
    return (chunk) => chunks.push(chunk.slice());
  });
  stream.push(bytes, true);
  const result = new Map<string, DecodedNpy>();
  for (const [name, chunks] of collected) {
    const whole = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const c of chunks) {
      whole.set(c, offset);
      offset += c.length;
    }
    try {
      result.set(name, decodeNpy(whole));
    } catch (error) {
      if (error instanceof NpyFormatError) throw new NpyFormatError(`member '${name}.npy': ${error.message}`);
      throw error;
    }
  }
  return result;
}
