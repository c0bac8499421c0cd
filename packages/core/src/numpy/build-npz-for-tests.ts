// Test support only (not exported): zip archives whose header fields a test chooses (declared sizes, flags, zip64),
// and deflate streams that inflate to far more than they weigh, as a zip bomb does, built in milliseconds.

/** One member as it is written: its bytes as stored (already deflated for method 8) and what its header declares. */
export interface RawZipMember {
  name: string;
  /** The member's data as it sits in the archive. */
  data: Uint8Array;
  /** 0 stored, 8 deflated. */
  method: number;
  /** The uncompressed size the headers declare (the truth, or not). */
  size: number;
  /** Sizes in a zip64 extra field, as numpy.savez writes them. */
  zip64?: boolean;
  /** General purpose flags (bit 0 encrypted, bit 3 sizes after the data). */
  flags?: number;
}

function u16(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff];
}

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function u64(value: number): number[] {
  return [...u32(value % 2 ** 32), ...u32(Math.floor(value / 2 ** 32))];
}

/** A zip archive of `members`, with a central directory and its end record; CRCs are left at 0 (Bagel ignores them). */
export function buildZip(members: readonly RawZipMember[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: number[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Array.from(m.name, (c) => c.charCodeAt(0));
    const extra = m.zip64 ? [...u16(1), ...u16(16), ...u64(m.size), ...u64(m.data.length)] : [];
    const sizes = m.zip64 ? [...u32(0xffffffff), ...u32(0xffffffff)] : [...u32(m.data.length), ...u32(m.size)];
    const fields = [...u16(m.zip64 ? 45 : 20), ...u16(m.flags ?? 0), ...u16(m.method), ...u16(0), ...u16(0x21), ...u32(0), ...sizes];
    const local = Uint8Array.from([...u32(0x04034b50), ...fields, ...u16(name.length), ...u16(extra.length), ...name, ...extra]);
    central.push(...u32(0x02014b50), ...u16(45), ...fields, ...u16(name.length), ...u16(extra.length), ...u16(0), ...u16(0), ...u16(0), ...u32(0));
    central.push(...u32(offset), ...name, ...extra);
    parts.push(local, m.data);
    offset += local.length + m.data.length;
  }
  const end = [...u32(0x06054b50), ...u16(0), ...u16(0), ...u16(members.length), ...u16(members.length), ...u32(central.length), ...u32(offset), ...u16(0)];
  parts.push(Uint8Array.from(central), Uint8Array.from(end));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/**
 * A raw deflate stream (one fixed-Huffman block) of `prefix` as literals, then a zero byte and `copies` copies of 258
 * zeros at distance 1: it inflates to `prefix.length + 1 + 258 × copies` bytes, about 159 times its own size.
 */
export function deflatedZerosAfter(prefix: Uint8Array, copies: number): Uint8Array {
  const out = new Uint8Array(Math.ceil((3 + 9 * (prefix.length + 1) + 13 * copies + 7) / 8));
  let bit = 0;
  /** Huffman codes are packed most significant bit first; header fields least significant bit first. */
  const code = (value: number, length: number) => {
    for (let i = length - 1; i >= 0; i--, bit++) if ((value >>> i) & 1) out[bit >>> 3]! |= 1 << (bit & 7);
  };
  const field = (value: number, length: number) => {
    for (let i = 0; i < length; i++, bit++) if ((value >>> i) & 1) out[bit >>> 3]! |= 1 << (bit & 7);
  };
  const literal = (byte: number) => (byte < 144 ? code(0x30 + byte, 8) : code(0x190 + byte - 144, 9));
  field(1, 1); // BFINAL: the last block
  field(1, 2); // BTYPE 1: fixed Huffman codes
  for (const byte of prefix) literal(byte);
  literal(0);
  for (let i = 0; i < copies; i++) {
    code(0xc5, 8); // length 258 (code 285)
    code(0, 5); // distance 1 (code 0)
  }
  code(0, 7); // end of block (256)
  return out.subarray(0, Math.ceil(bit / 8));
}
