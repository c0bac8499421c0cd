import { Inflate, strFromU8, unzipSync } from 'fflate';
import { decodeNpy, type DecodedNpy } from './decode-npy';
import { NpyFormatError } from './npy-format-error';
import { formatNpyShape, npyDataByteLength, tryParseNpyHeader, type NpyHeader } from './parse-npy-header';

/** One member of a `.npz` archive. */
export interface NpzEntry {
  /** The array's name, as `numpy.load` gives it: the member's file name without its `.npy` suffix. */
  name: string;
  /** The member's file name in the zip archive (`tensor.npy`). */
  fileName: string;
  /** Zip compression method: 0 stored (`numpy.savez`), 8 deflated (`numpy.savez_compressed`). */
  compression: number;
  /** Size of the member's `.npy` bytes once inflated, as the archive declares it up front (numpy's archives do). */
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

const LOCAL_FILE_HEADER = 0x04034b50;
/** Records that follow the last member: the central directory, or the end records of an archive without members. */
const AFTER_MEMBERS = [0x02014b50, 0x06054b50, 0x06064b50, 0x05054b50];
const LOCAL_HEADER_BYTES = 30;
const ZIP64_EXTRA = 0x0001;
const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;

/**
 * Inflating is done in steps, each fed a slice of the member's compressed bytes sized so that the step yields about
 * INFLATE_STEP_OUTPUT bytes at the ratio of the step before: ~1 MiB whether the member barely compresses (logits,
 * ~1.1:1: slices of MAX_STEP_INPUT) or compresses 278:1 like ReaL's crowd tensor (slices of ~4 KiB). A step's output
 * can exceed the aim only where the ratio jumps within a member; deflate's ratio is at most 1032:1, so no step ever
 * yields more than MAX_STEP_INPUT × 1032 (66 MiB). The slices bound only what one step yields: the caller's chunks
 * may be of any size.
 */
export const INFLATE_STEP_OUTPUT = 1 << 20;
const MIN_STEP_INPUT = 1 << 10;
const MAX_STEP_INPUT = 64 << 10;

const u16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);
const u32 = (b: Uint8Array, i: number) => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;
const u64 = (b: Uint8Array, i: number) => u32(b, i) + u32(b, i + 4) * 2 ** 32;

function entryOf(fileName: string, compression: number, size: number | undefined): NpzEntry {
  const name = fileName.endsWith('.npy') ? fileName.slice(0, -4) : fileName;
  return size === undefined ? { name, fileName, compression } : { name, fileName, compression, size };
}

function describeHeader(header: NpyHeader): string {
  return `dtype '${header.dtype.descr}', shape ${formatNpyShape(header.shape)}`;
}

/** A member's local file header, parsed. */
interface LocalHeader {
  fileName: string;
  compression: number;
  flags: number;
  compressedSize: number;
  size: number;
}

/** Parses a complete local file header (`bytes` holds at least its fixed part, name and extra field). */
function parseLocalHeader(bytes: Uint8Array): LocalHeader {
  const flags = u16(bytes, 6);
  const nameLength = u16(bytes, 26);
  const extraLength = u16(bytes, 28);
  const fileName = strFromU8(bytes.subarray(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + nameLength), !(flags & FLAG_UTF8));
  let compressedSize = u32(bytes, 18);
  let size = u32(bytes, 22);
  if (compressedSize === 0xffffffff || size === 0xffffffff) {
    // zip64: the real sizes are in the zip64 extra field, the uncompressed size first (numpy writes both).
    const extra = bytes.subarray(LOCAL_HEADER_BYTES + nameLength, LOCAL_HEADER_BYTES + nameLength + extraLength);
    let at = 0;
    let found = false;
    while (at + 4 <= extra.length) {
      const id = u16(extra, at);
      const length = u16(extra, at + 2);
      if (id === ZIP64_EXTRA) {
        const field = extra.subarray(at + 4, at + 4 + length);
        let p = 0;
        if (size === 0xffffffff && p + 8 <= field.length) (size = u64(field, p)), (p += 8);
        if (compressedSize === 0xffffffff && p + 8 <= field.length) (compressedSize = u64(field, p)), (p += 8);
        found = true;
        break;
      }
      at += 4 + length;
    }
    if (!found || compressedSize === 0xffffffff || size === 0xffffffff) {
      throw new NpyFormatError(`corrupt zip archive: member '${fileName}' has zip64 sizes but no zip64 extra field holding them`);
    }
  }
  return { fileName, compression: u16(bytes, 8), flags, compressedSize, size };
}

/**
 * Reads one member that the caller wants: inflates it (if deflated) in bounded steps, checks its `.npy` header before
 * handing anything on, and hands the bytes on to the caller's handler as they come, refusing a member that declares or
 * inflates to more bytes than its header's shape implies.
 */
class MemberReader {
  private readonly inflate: Inflate | undefined;
  private produced: Uint8Array | undefined;
  private stepInput = MIN_STEP_INPUT;
  /** The first bytes of the member while they do not yet hold its whole `.npy` header. */
  private held: Uint8Array[] = [];
  private headerBytes = new Uint8Array(0);
  private npyHeader: NpyHeader | undefined;
  /** Header length + data length: the member's exact size according to its header. */
  private expected = 0;
  /** Bytes inflated so far. */
  private output = 0;

  constructor(
    private readonly header: LocalHeader,
    private readonly handler: NpzEntryHandler,
  ) {
    if (header.compression === DEFLATED) {
      this.inflate = new Inflate((data) => {
        this.produced = data;
      });
    }
  }

  /** The member's next compressed bytes; `last` when they are its last ones. */
  take(bytes: Uint8Array, last: boolean): void {
    if (!this.inflate) {
      this.emit(bytes, last);
      return;
    }
    let at = 0;
    do {
      const slice = bytes.subarray(at, at + this.stepInput);
      at += slice.length;
      const final = last && at === bytes.length;
      this.produced = undefined;
      try {
        this.inflate.push(slice, final);
      } catch (error) {
        throw new NpyFormatError(`member '${this.header.fileName}': corrupt compressed data (${error instanceof Error ? error.message : String(error)})`);
      }
      const data = this.produced ?? new Uint8Array(0);
      if (slice.length > 0 && data.length > 0) {
        const ratio = Math.max(1, data.length / slice.length);
        this.stepInput = Math.min(MAX_STEP_INPUT, Math.max(MIN_STEP_INPUT, Math.floor(INFLATE_STEP_OUTPUT / ratio)));
      }
      this.emit(data, final);
    } while (at < bytes.length);
  }

  private emit(data: Uint8Array, final: boolean): void {
    this.output += data.length;
    if (this.npyHeader) {
      this.checkOutput();
      this.handler(data, final);
      return;
    }
    if (!this.takeHeader(data) && !final) {
      // All of `data` is header: kept until the rest arrives (copied when it is a view of the caller's chunk).
      if (data.length > 0) this.held.push(this.inflate ? data : data.slice());
      return;
    }
    // The header is known (and the member's sizes checked), or the member ended before it: the decoder says which.
    const held = this.held;
    this.held = [];
    if (data.length > 0 || held.length === 0) held.push(data);
    held.forEach((chunk, i) => this.handler(chunk, final && i === held.length - 1));
  }

  /**
   * Adds the start of `data` to the header's bytes, copying no more than the header itself; once they hold the whole
   * header, checks the member's declared size and what was inflated so far against it. False while it is incomplete.
   */
  private takeHeader(data: Uint8Array): boolean {
    let offset = 0;
    for (;;) {
      let result: NpyHeader | { bytesNeeded: number };
      try {
        result = tryParseNpyHeader(this.headerBytes);
      } catch (error) {
        if (error instanceof NpyFormatError) throw new NpyFormatError(`member '${this.header.fileName}': ${error.message}`);
        throw error;
      }
      if (!('bytesNeeded' in result)) {
        this.npyHeader = result;
        this.expected = result.headerLength + npyDataByteLength(result);
        this.headerBytes = new Uint8Array(0);
        const { fileName, size } = this.header;
        if (size > this.expected) {
          throw new NpyFormatError(
            `member '${fileName}' declares ${size} bytes, but its .npy header (${describeHeader(result)}) implies ${this.expected}: ` +
              'the archive is damaged or forged',
          );
        }
        this.checkOutput();
        return true;
      }
      const take = Math.min(result.bytesNeeded - this.headerBytes.length, data.length - offset);
      if (take <= 0) return false;
      const joined = new Uint8Array(this.headerBytes.length + take);
      joined.set(this.headerBytes);
      joined.set(data.subarray(offset, offset + take), this.headerBytes.length);
      this.headerBytes = joined;
      offset += take;
    }
  }

  private checkOutput(): void {
    if (this.output <= this.expected) return;
    const verb = this.inflate ? 'inflates to' : 'holds';
    throw new NpyFormatError(
      `member '${this.header.fileName}' ${verb} more than the ${this.expected} bytes its .npy header (${describeHeader(this.npyHeader!)}) implies: ` +
        'the archive is damaged or forged',
    );
  }
}

type ReadState =
  /** Gathering the next record's header (a member's local header, or the central directory's start). */
  | { kind: 'header'; bytes: Uint8Array; length: number }
  /** Inside a member's data: `reader` is undefined for a skipped member. */
  | { kind: 'data'; fileName: string; remaining: number; reader: MemberReader | undefined }
  /** The central directory and what follows: not needed to stream the members, ignored. */
  | { kind: 'after-members' };

/**
 * Streaming `.npz` reader in bounded memory. The caller feeds the archive's bytes as read from disk, in chunks of any
 * size; for each member `onEntry` decides: return a handler to receive the member's inflated bytes chunk by chunk
 * (typically into an `NpyStreamDecoder`, so a 400 MB array is never held whole), or `undefined` to skip it (skipped
 * members are neither kept nor inflated). Handlers run synchronously inside `push`; an error they throw comes out of
 * `push` unchanged.
 *
 * Reads stored and deflated members, with or without zip64 sizes (numpy writes zip64), any number of them. Members
 * must state their sizes in the local header, as numpy's archives do; an archive written to a pipe (sizes only after
 * the data) is refused. Zip CRCs are not checked: the `.npy` decoder's byte count catches truncation. Which members
 * must be present is the caller's to check (see `entries`).
 *
 * Every member read must be a `.npy`: its header is parsed before anything is handed on, and a member that declares
 * (in its local header) or inflates to more bytes than the header's dtype and shape imply is refused as soon as it
 * does, so a zip bomb costs no more than a step of inflating.
 *
 * Memory and speed: deflated members inflate in steps of about INFLATE_STEP_OUTPUT (1 MiB) handed on as they come,
 * whatever the size of the pushed chunks and the compression ratio. Inflating (fflate) yields about 600 MB/s of a
 * mostly-zero crowd tensor but only about 60 MB/s of logits, which barely compress; stored members are handed on as
 * views of the pushed chunks.
 *
 * @example
 *   const decoder = new NpyStreamDecoder({ onRows: ... });
 *   const npz = createNpzStream((entry) => (entry.name === 'tensor' ? (c, f) => decoder.push(c, f) : undefined));
 *   for await (const chunk of fileStream) npz.push(chunk);
 *   npz.push(new Uint8Array(0), true);
 */
export function createNpzStream(onEntry: (entry: NpzEntry) => NpzEntryHandler | undefined): NpzStream {
  const entries: NpzEntry[] = [];
  let failure: unknown;
  const nextRecord = (): ReadState => ({ kind: 'header', bytes: new Uint8Array(LOCAL_HEADER_BYTES), length: 0 });
  let state = nextRecord();

  /** Starts the member whose local header is complete in `bytes`. */
  const startMember = (bytes: Uint8Array): ReadState => {
    const header = parseLocalHeader(bytes);
    const { fileName, compression, flags } = header;
    const entry = entryOf(fileName, compression, header.size);
    entries.push(entry);
    if (flags & FLAG_DATA_DESCRIPTOR) {
      throw new NpyFormatError(
        `member '${fileName}' does not state its size before its data (a zip written to a pipe): rewrite the archive with numpy.savez`,
      );
    }
    if (flags & FLAG_ENCRYPTED) throw new NpyFormatError(`member '${fileName}' is encrypted: only plain archives are supported`);
    if (compression !== STORED && compression !== DEFLATED) {
      throw new NpyFormatError(`member '${fileName}' uses zip compression method ${compression}: only stored and deflated are supported`);
    }
    const handler = onEntry(entry);
    const reader = handler ? new MemberReader(header, handler) : undefined;
    if (header.compressedSize > 0) return { kind: 'data', fileName, remaining: header.compressedSize, reader };
    reader?.take(new Uint8Array(0), true);
    return nextRecord();
  };

  /** Consumes `chunk` from `at` as far as the current record goes; returns where it stopped. */
  const step = (chunk: Uint8Array, at: number): number => {
    if (state.kind === 'after-members') return chunk.length;
    if (state.kind === 'data') {
      const take = Math.min(state.remaining, chunk.length - at);
      state.remaining -= take;
      state.reader?.take(chunk.subarray(at, at + take), state.remaining === 0);
      if (state.remaining === 0) state = nextRecord();
      return at + take;
    }
    // Gathering a record's header: first its signature and fixed part, then its name and extra field.
    const first = entries.length === 0;
    const gathering = state;
    const take = Math.min(gathering.bytes.length - gathering.length, chunk.length - at);
    gathering.bytes.set(chunk.subarray(at, at + take), gathering.length);
    gathering.length += take;
    at += take;
    const signatureBytes = Math.min(4, gathering.length);
    const seen = gathering.bytes.subarray(0, signatureBytes);
    const isPrefixOf = (signature: number) => seen.every((b, i) => b === ((signature >>> (8 * i)) & 0xff));
    if (!isPrefixOf(LOCAL_FILE_HEADER)) {
      if (AFTER_MEMBERS.some(isPrefixOf)) {
        if (signatureBytes === 4) state = { kind: 'after-members' };
        return at;
      }
      if (first) throw new NpyFormatError('not a zip archive (a .npz starts with PK\\x03\\x04)');
      throw new NpyFormatError(`corrupt zip archive: no member or central directory where member '${entries.at(-1)!.fileName}' ends`);
    }
    if (gathering.length < gathering.bytes.length) return at;
    const whole = LOCAL_HEADER_BYTES + u16(gathering.bytes, 26) + u16(gathering.bytes, 28);
    if (gathering.bytes.length < whole) {
      const grown = new Uint8Array(whole);
      grown.set(gathering.bytes);
      state = { kind: 'header', bytes: grown, length: gathering.length };
      return at;
    }
    state = startMember(gathering.bytes);
    return at;
  };

  const end = () => {
    if (state.kind === 'after-members') return;
    if (state.kind === 'data') {
      throw new NpyFormatError(state.reader ? `truncated: member '${state.fileName}' is incomplete` : 'truncated: the archive ends inside a member');
    }
    if (entries.length === 0) throw new NpyFormatError('truncated: not a complete zip archive');
    // Four bytes or more of a record that is not the central directory are a member's header.
    throw new NpyFormatError(
      state.length < 4 ? 'truncated: the archive ends before its central directory' : 'truncated: the archive ends inside a member',
    );
  };

  return {
    entries,
    push(chunk: Uint8Array, final = false) {
      if (failure !== undefined) throw failure;
      try {
        for (let at = 0; at < chunk.length; ) at = step(chunk, at);
        if (final) end();
      } catch (error) {
        failure = error;
        throw error;
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
    // Stored members arrive as views of `bytes`: copy each chunk.
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
