import { decodeOwnedNpyBytes, type NpyValues } from './decode-npy-elements';
import { fortranToRowMajor } from './fortran-order';
import { NpyFormatError } from './npy-format-error';
import { npyDataByteLength, tryParseNpyHeader, type NpyHeader } from './parse-npy-header';

/** Consecutive complete rows of the array, decoded. */
export interface NpyRowBatch {
  /** Index of the first row of this batch along the first axis. */
  firstRow: number;
  rowCount: number;
  /** Elements per row: the product of the shape after the first axis (1 for a 1-D array). */
  rowLength: number;
  /**
   * `rowCount × rowLength` elements in row-major order: row `firstRow + r` is
   * `values.subarray(r * rowLength, (r + 1) * rowLength)`. The batch owns its memory: it can be kept.
   */
  values: NpyValues;
}

export interface NpyStreamDecoderOptions {
  /** Called once with the header, before any rows: throw from it (e.g. on a shape mismatch) to stop the decoding. */
  onHeader?: (header: NpyHeader) => void;
  /** Called with each batch of complete rows, in order. */
  onRows: (batch: NpyRowBatch) => void;
  /** Upper bound of a batch's data in bytes (a batch always holds at least one row). Default 1 MiB. */
  maxBatchBytes?: number;
  /**
   * A Fortran-order array with more than one non-trivial dimension has no complete row until its last column
   * arrives, so it is held whole, reordered and emitted at the end. Larger than this many bytes, it is refused with an
   * `NpyFormatError` instead. Default 64 MiB.
   */
  maxFortranBytes?: number;
}

const DEFAULT_MAX_BATCH_BYTES = 1 << 20;
const DEFAULT_MAX_FORTRAN_BYTES = 64 << 20;

/**
 * Streaming `.npy` decoder in bounded memory. Feed it the file's bytes in chunks of any size, split anywhere (inside
 * the header, inside an element); it parses the header as soon as it is complete and emits complete rows (slices
 * along the first axis) in batches. `finish()` (or `push(chunk, true)`) checks that exactly the array's bytes arrived.
 *
 * Memory: the header, one partial row, and one batch at a time; a C-order array is never held whole. A 0-d array is
 * one row of one element. Fortran order: see `maxFortranBytes`.
 *
 * Every problem is an `NpyFormatError`; after one, the decoder refuses further input.
 *
 * @example
 *   const decoder = new NpyStreamDecoder({
 *     onHeader: (h) => assertNpyShape(h.shape, [images.length, null]),
 *     onRows: ({ firstRow, rowCount, rowLength, values }) => { ... },
 *   });
 *   for await (const chunk of fileStream) decoder.push(chunk);
 *   decoder.finish();
 */
export class NpyStreamDecoder {
  private readonly options: NpyStreamDecoderOptions;
  private headerBytes: Uint8Array = new Uint8Array(0);
  private parsed: NpyHeader | undefined;
  private failure: unknown;
  private finished = false;

  private dataLength = 0;
  private dataReceived = 0;
  private rowBytes = 0;
  private rowLength = 0;
  private rowCount = 0;
  private batchRows = 1;
  private nextRow = 0;
  /** Bytes of the row that straddles two chunks. */
  private partialRow: Uint8Array = new Uint8Array(0);
  private partialLength = 0;
  /** The whole data of a Fortran-order array (see maxFortranBytes). */
  private fortranData: Uint8Array | undefined;

  constructor(options: NpyStreamDecoderOptions) {
    this.options = options;
  }

  /** The header, once its bytes have arrived. */
  get header(): NpyHeader | undefined {
    return this.parsed;
  }

  /** Rows emitted so far. */
  get rowsDecoded(): number {
    return this.nextRow;
  }

  /** Feeds the next bytes of the file. With `final`, also runs `finish()`. */
  push(chunk: Uint8Array, final = false): void {
    this.guard(() => {
      if (this.finished) throw new NpyFormatError('data pushed after the end of the file');
      let data = chunk;
      if (!this.parsed) {
        data = this.takeHeader(chunk);
        if (!this.parsed) return;
      }
      if (data.length > 0) this.takeData(data);
    });
    if (final) this.finish();
  }

  /** Declares the end of the file: throws `NpyFormatError` if the header or data is incomplete. */
  finish(): void {
    this.guard(() => {
      if (this.finished) return;
      this.finished = true;
      if (!this.parsed) {
        const got = this.headerBytes.length;
        throw new NpyFormatError(got === 0 ? 'truncated: the file is empty' : `truncated: the header is incomplete (got ${got} bytes)`);
      }
      if (this.dataReceived < this.dataLength) {
        throw new NpyFormatError(`truncated: expected ${this.dataLength} bytes of data, got ${this.dataReceived}`);
      }
      if (this.fortranData) this.emitFortran();
    });
  }

  private guard(step: () => void): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      step();
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }

  /**
   * Accumulates header bytes, copying no more than the header itself (the first chunk may be a whole large file);
   * returns what follows the header in `chunk` once the header is parsed.
   */
  private takeHeader(chunk: Uint8Array): Uint8Array {
    let rest = chunk;
    for (;;) {
      const result = tryParseNpyHeader(this.headerBytes);
      if (!('bytesNeeded' in result)) {
        this.startData(result);
        return rest;
      }
      const take = Math.min(result.bytesNeeded - this.headerBytes.length, rest.length);
      if (take === 0) return new Uint8Array(0);
      const joined = new Uint8Array(this.headerBytes.length + take);
      joined.set(this.headerBytes);
      joined.set(rest.subarray(0, take), this.headerBytes.length);
      this.headerBytes = joined;
      rest = rest.subarray(take);
    }
  }

  private startData(header: NpyHeader): void {
    this.options.onHeader?.(header);
    this.parsed = header;
    const [first, ...rest] = header.shape;
    this.rowCount = first ?? 1;
    this.rowLength = rest.reduce((a, b) => a * b, 1);
    this.rowBytes = this.rowLength * header.dtype.itemSize;
    this.dataLength = npyDataByteLength(header);
    const maxBatchBytes = this.options.maxBatchBytes ?? DEFAULT_MAX_BATCH_BYTES;
    this.batchRows = Math.max(1, Math.floor(maxBatchBytes / Math.max(1, this.rowBytes)));
    this.headerBytes = new Uint8Array(0);

    const reordered = header.fortranOrder && header.shape.filter((d) => d > 1).length > 1;
    if (reordered) {
      const limit = this.options.maxFortranBytes ?? DEFAULT_MAX_FORTRAN_BYTES;
      if (this.dataLength > limit) {
        throw new NpyFormatError(
          `Fortran-order array of ${this.dataLength} bytes is too large to stream (limit ${limit}): ` +
            'save it in C order (numpy.ascontiguousarray) or raise the limit',
        );
      }
      this.fortranData = new Uint8Array(this.dataLength);
    } else if (this.rowBytes === 0 && this.rowCount > 0) {
      this.emit(new Uint8Array(0), this.rowCount);
    }
  }

  private takeData(data: Uint8Array): void {
    const remaining = this.dataLength - this.dataReceived;
    if (data.length > remaining) {
      throw new NpyFormatError(
        `too long: expected ${this.dataLength} bytes of data, got at least ${this.dataReceived + data.length}`,
      );
    }
    if (this.fortranData) {
      this.fortranData.set(data, this.dataReceived);
      this.dataReceived += data.length;
      return;
    }
    this.dataReceived += data.length;
    const rowBytes = this.rowBytes;
    let offset = 0;
    while (offset < data.length) {
      const available = this.partialLength + data.length - offset;
      const rows = Math.min(this.batchRows, Math.floor(available / rowBytes));
      if (rows === 0) {
        if (this.partialRow.length < rowBytes) this.partialRow = new Uint8Array(rowBytes);
        this.partialRow.set(data.subarray(offset), this.partialLength);
        this.partialLength += data.length - offset;
        return;
      }
      // A fresh buffer per batch: aligned for typed-array views, and the batch may keep it.
      const batch = new Uint8Array(rows * rowBytes);
      batch.set(this.partialRow.subarray(0, this.partialLength));
      const fromData = rows * rowBytes - this.partialLength;
      batch.set(data.subarray(offset, offset + fromData), this.partialLength);
      offset += fromData;
      this.partialLength = 0;
      this.emit(batch, rows);
    }
  }

  private emit(bytes: Uint8Array, rows: number): void {
    const header = this.parsed!;
    const count = rows * this.rowLength;
    const values = decodeOwnedNpyBytes(bytes, header.dtype, count, this.nextRow * this.rowLength);
    const firstRow = this.nextRow;
    this.nextRow += rows;
    this.options.onRows({ firstRow, rowCount: rows, rowLength: this.rowLength, values });
  }

  private emitFortran(): void {
    const header = this.parsed!;
    const data = this.fortranData!;
    this.fortranData = undefined;
    const all = fortranToRowMajor(decodeOwnedNpyBytes(data, header.dtype, data.length / header.dtype.itemSize), header.shape);
    for (let row = 0; row < this.rowCount; row += this.batchRows) {
      const rows = Math.min(this.batchRows, this.rowCount - row);
      const values = all.slice(row * this.rowLength, (row + rows) * this.rowLength) as NpyValues;
      this.nextRow = row + rows;
      this.options.onRows({ firstRow: row, rowCount: rows, rowLength: this.rowLength, values });
    }
  }
}
