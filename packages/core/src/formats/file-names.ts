/** A lookup of image files to their positions: what a `FileNames` (and an `OriginalLabels`) is, and a Map too. */
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

/** The array itself when it holds `needed` elements, else a copy at least twice as long. */
export function grown<T extends Uint8Array | Int32Array | Uint32Array | Float64Array>(array: T, needed: number): T {
  if (needed <= array.length) return array;
  const next = new (array.constructor as new (length: number) => T)(Math.max(needed, array.length * 2));
  next.set(array);
  return next;
}

/**
 * File names in the order they were added, each once, kept in columns: the names as UTF-8 bytes one after another,
 * and an open-addressing hash index of them. For the scale bench's 1.25 million names of 15 bytes the arrays come to
 * 67 MB, of which about 46 MB is written (the rest is room to grow), where an object or a string per name, with a Map
 * entry, kept well over 100 bytes a name (OriginalLabels gives the figures). `add` refuses nothing: it answers the
 * position of an earlier name that is the same, for the reader to report the duplicate.
 */
export class FileNames implements FilePositions {
  private bytes = new Uint8Array(1 << 12);
  private byteLength = 0;
  /**
   * Where name i starts in `bytes`; `starts[i + 1]` where it ends. 32 bits are enough: the names come from one file's
   * text, and a JavaScript string (V8's at most 2^29 - 24 UTF-16 units) is under 2 GB of UTF-8.
   */
  private starts = new Uint32Array(1 << 8);
  private hashes = new Uint32Array(1 << 8);
  /** Open addressing: position + 1 of the name that hashes there, 0 for none; at most half full. */
  private slots = new Int32Array(1 << 9);
  private count = 0;
  /** A scratch space for the name looked up (get, has). */
  private probe = new Uint8Array(1 << 10);

  get length(): number {
    return this.count;
  }

  /** Appends a name, unless it is already there: then nothing is added and its position returned (else -1). */
  add(file: string): number {
    this.bytes = grown(this.bytes, this.byteLength + file.length * 3);
    const { written } = encoder.encodeInto(file, this.bytes.subarray(this.byteLength));
    const start = this.byteLength;
    const end = start + written;
    const hash = hashBytes(this.bytes, start, end);
    const existing = this.find(this.bytes, start, end, hash);
    if (existing >= 0) return existing;
    const position = this.count++;
    this.starts = grown(this.starts, this.count + 1);
    this.hashes = grown(this.hashes, this.count);
    this.starts[position] = start;
    this.starts[position + 1] = end;
    this.hashes[position] = hash;
    this.byteLength = end;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(position);
    return -1;
  }

  file(position: number): string {
    return decoder.decode(this.bytes.subarray(this.starts[position]!, this.starts[position + 1]!));
  }

  /** The position of that name, if it was added. */
  get(file: string): number | undefined {
    this.probe = grown(this.probe, file.length * 3);
    const { written } = encoder.encodeInto(file, this.probe);
    const position = this.find(this.probe, 0, written, hashBytes(this.probe, 0, written));
    return position >= 0 ? position : undefined;
  }

  has(file: string): boolean {
    return this.get(file) !== undefined;
  }

  /** Every name as a string: for small lists and tests (a million of them is what these columns avoid). */
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
