import type { Vocabulary } from '../vocabulary';

/** The original label of one image; `file` is relative to the project's image folder. */
export interface OriginalLabelRow {
  file: string;
  classIndex: number;
  classKey: string;
}

/** A lookup of image files to their positions in the project: what an `OriginalLabels` is, and a Map too. */
export interface FilePositions {
  get(file: string): number | undefined;
  has(file: string): boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** FNV-1a, 32 bits, over bytes [start, end). */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= bytes[i]!;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/**
 * The project's images with their original labels, in project order, kept in columns: the file names as UTF-8 bytes
 * one after another, each image's class index, and a hash index of the names. For the 1.25 million images of the
 * scale bench, an object per image (file, class index, key) kept 137 MB of the import's heap (115 bytes an image), with
 * a Map of the names on top while the file was read; these columns take 48 MB (40 bytes an image, with their spare
 * room). `add` refuses nothing: it answers the position of an earlier image of the same name, for the
 * reader to report the duplicate.
 */
export class OriginalLabels implements FilePositions {
  private bytes = new Uint8Array(1 << 12);
  private byteLength = 0;
  /** Where image i's name starts in `bytes`; `starts[i + 1]` where it ends. */
  private starts = new Float64Array(1 << 8);
  private classIndices = new Int32Array(1 << 8);
  private hashes = new Uint32Array(1 << 8);
  /** Open addressing: position + 1 of the image whose name hashes there, 0 for none; at most half full. */
  private slots = new Int32Array(1 << 9);
  private count = 0;
  /** A scratch space for the name looked up (get, has). */
  private probe = new Uint8Array(1 << 10);

  constructor(private readonly vocabulary: Vocabulary) {}

  get length(): number {
    return this.count;
  }

  /** Appends an image, unless one of that name is already there: then nothing is added and its position returned (else -1). */
  add(file: string, classIndex: number): number {
    this.bytes = grown(this.bytes, this.byteLength + file.length * 3);
    const { written } = encoder.encodeInto(file, this.bytes.subarray(this.byteLength));
    const start = this.byteLength;
    const end = start + written;
    const hash = hashBytes(this.bytes, start, end);
    const existing = this.find(this.bytes, start, end, hash);
    if (existing >= 0) return existing;
    const position = this.count++;
    this.starts = grown(this.starts, this.count + 1);
    this.classIndices = grown(this.classIndices, this.count);
    this.hashes = grown(this.hashes, this.count);
    this.starts[position] = start;
    this.starts[position + 1] = end;
    this.classIndices[position] = classIndex;
    this.hashes[position] = hash;
    this.byteLength = end;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(position);
    return -1;
  }

  file(position: number): string {
    return decoder.decode(this.bytes.subarray(this.starts[position]!, this.starts[position + 1]!));
  }

  classIndex(position: number): number {
    return this.classIndices[position]!;
  }

  /** Every image's class index, in project order (a view, not a copy). */
  classIndexColumn(): Int32Array {
    return this.classIndices.subarray(0, this.count);
  }

  /** The position of the image of that name, if the project has one. */
  get(file: string): number | undefined {
    this.probe = grown(this.probe, file.length * 3);
    const { written } = encoder.encodeInto(file, this.probe);
    const position = this.find(this.probe, 0, written, hashBytes(this.probe, 0, written));
    return position >= 0 ? position : undefined;
  }

  has(file: string): boolean {
    return this.get(file) !== undefined;
  }

  row(position: number): OriginalLabelRow {
    const classIndex = this.classIndex(position);
    return { file: this.file(position), classIndex, classKey: this.vocabulary.byIndex(classIndex)!.key };
  }

  /** Every image as an object: for small projects and tests (a million of them is what these columns avoid). */
  rows(): OriginalLabelRow[] {
    return Array.from({ length: this.count }, (_, position) => this.row(position));
  }

  files(): string[] {
    return Array.from({ length: this.count }, (_, position) => this.file(position));
  }

  private find(bytes: Uint8Array, start: number, end: number, hash: number): number {
    const mask = this.slots.length - 1;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot]!;
      if (held === 0) return -1;
      const position = held - 1;
      if (this.hashes[position] === hash && this.sameName(position, bytes, start, end)) return position;
    }
  }

  private sameName(position: number, bytes: Uint8Array, start: number, end: number): boolean {
    const from = this.starts[position]!;
    if (this.starts[position + 1]! - from !== end - start) return false;
    for (let i = 0; i < end - start; i++) if (this.bytes[from + i] !== bytes[start + i]) return false;
    return true;
  }

  private place(position: number): void {
    const mask = this.slots.length - 1;
    let slot = this.hashes[position]! & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = position + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let position = 0; position < this.count; position++) this.place(position);
  }
}
