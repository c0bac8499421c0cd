import {
  createNpzStream,
  formatNpyShape,
  npyDtypeFamily,
  NpyFormatError,
  NpyStreamDecoder,
  type NpyHeader,
  type NpyRowBatch,
  type NpzStream,
} from '../numpy';
import type { Vocabulary } from '../vocabulary';
import { FormatError, type FileLocation } from './format-error';
import type { ImageList } from './read-image-list';
import { IMAGENET_VALIDATION_IMAGES, imagenetValidationFile, imagenetValidationNumber } from './read-original-labels';
import { createTopKTable, type TopKTable } from './top-k-table';
import type { FilePositions } from './file-names';

export type NpyPredictionsFormat = 'npy-topk' | 'npy-scores' | 'npz-scores';
export type ScoreKind = 'logits' | 'probabilities';

/** Which image of the project each row of a NumPy predictions file is. */
export interface NpyRowTargets {
  /** `targets[r]` is the project position of row r's image, or -1 for a row whose image is not in the project. */
  targets: Int32Array;
  /** What the rows are, for messages: `one row per image of the project (20000)`. */
  description: string;
}

/** Row i is the i-th image of the project. */
export function rowsOfProjectImages(imageCount: number): NpyRowTargets {
  const targets = new Int32Array(imageCount);
  for (let i = 0; i < imageCount; i++) targets[i] = i;
  return { targets, description: `one row per image of the project (${imageCount}), in its order` };
}

/**
 * Row i is `ILSVRC2012_val_{i+1:08d}.JPEG` (a file over the whole ImageNet validation set): each project image is
 * found by the number in its file name. An image that is not a validation image has no row: that stops the import,
 * with `location` (the manifest field that chose these rows) in the message.
 */
export function rowsOfImagenetValidation(files: readonly string[], location: FileLocation): NpyRowTargets {
  const targets = new Int32Array(IMAGENET_VALIDATION_IMAGES).fill(-1);
  files.forEach((file, position) => {
    const n = imagenetValidationNumber(file);
    if (n === null) {
      throw new FormatError(
        location,
        `image "${file}" is not an ImageNet validation image (${imagenetValidationFile(1)} to ${imagenetValidationFile(IMAGENET_VALIDATION_IMAGES)}), so rows "imagenet-validation" give it no row`,
      );
    }
    const other = targets[n - 1]!;
    if (other >= 0) throw new FormatError(location, `images "${files[other]}" and "${file}" are both validation image ${n}: each may have one row only`);
    targets[n - 1] = position;
  });
  return { targets, description: `one row per ImageNet validation image (${IMAGENET_VALIDATION_IMAGES}), row i being ILSVRC2012_val_{i+1:08d}.JPEG` };
}

/**
 * Row i is the i-th image of `list`. Rows of images outside the project are skipped; a project image the list does
 * not name is left unranked by the model. A list that names no image of the project is surely the wrong list.
 */
export function rowsOfImageList(list: ImageList, positionOf: FilePositions, listFile: string): NpyRowTargets {
  const targets = new Int32Array(list.length);
  let inProject = 0;
  for (let r = 0; r < list.length; r++) {
    const position = positionOf.get(list.names.file(r));
    targets[r] = position ?? -1;
    if (position !== undefined) inProject++;
  }
  if (inProject === 0) throw new FormatError({ file: listFile }, `none of its ${list.length} images is an image of the project`);
  return { targets, description: `one row per image of ${listFile} (${list.length}), in its order` };
}

export interface NpyPredictionsOptions {
  /** The file's name in messages. */
  file: string;
  format: NpyPredictionsFormat;
  /** `npz-scores`: the name of the array in the archive (`logits` for `logits.npy`). */
  member?: string;
  /** `npy-scores` / `npz-scores`: what the values are. */
  kind?: ScoreKind;
  vocabulary: Vocabulary;
  /** Predictions kept per image (ranks beyond are checked, then dropped). */
  topK: number;
  imageCount: number;
  rows: NpyRowTargets;
  /** Called after each batch of rows with the rows read so far and the rows of the file. */
  onRows?: (rowsRead: number, rowCount: number) => void;
}

/**
 * Reads one model's NumPy predictions in bounded memory, fed the file's bytes chunk by chunk (any size, split
 * anywhere), keeping per image only its top-k:
 * - `npy-topk`: an integer array (N, k) of class indices, best first, no scores;
 * - `npy-scores` / `npz-scores`: a float16/32/64 array (N, C), column c being the score of class index c: with
 *   `kind: 'logits'` the score is the softmax (computed stably: the row's maximum is subtracted before `exp`), with
 *   `'probabilities'` the value itself. Ties rank the lower class index first.
 * N is the length of `rows.targets`. The array is checked whole, also in rows that are skipped: the dtype, the shape,
 * every class index (a class of the vocabulary, once per row), every score (finite; a probability within 0..1).
 * Every problem is a `FormatError` naming the file (and the archive member), with numpy's `[row, column]` indices.
 */
export class NpyPredictionsReader {
  private readonly options: NpyPredictionsOptions;
  private readonly table: TopKTable;
  private readonly decoder: NpyStreamDecoder;
  private readonly npz: NpzStream | undefined;
  private memberFound = false;
  private readonly rowCount: number;
  /** Columns kept per row: the project's top-k, or fewer when the array has fewer columns. */
  private keep = 0;
  private columns = 0;
  /** Scores: the vocabulary's size; column c is class index c. */
  private readonly classCount: number;
  /** Top-k: `known[i]` is 1 when i is a class index of the vocabulary. */
  private readonly known: Uint8Array;
  /** Top-k: the row (+1) and column where a class was last seen, to find a class twice in a row in O(k). */
  private readonly seenRow: Int32Array;
  private readonly seenColumn: Int32Array;
  private readonly topIndex: Int32Array;
  private readonly topValue: Float64Array;

  constructor(options: NpyPredictionsOptions) {
    this.options = options;
    this.rowCount = options.rows.targets.length;
    this.table = createTopKTable(options.imageCount, options.topK, { scores: options.format !== 'npy-topk' });
    const indices = options.vocabulary.classes.map((c) => c.index);
    const maxIndex = indices.reduce((a, b) => Math.max(a, b), -1);
    this.classCount = indices.length;
    this.known = new Uint8Array(maxIndex + 1);
    for (const i of indices) this.known[i] = 1;
    const scores = options.format !== 'npy-topk';
    if (scores && maxIndex !== indices.length - 1) {
      // Indices are distinct, so they are exactly 0..C-1 when the largest is C-1.
      throw new FormatError(
        { file: options.file },
        `column c of a score array is the class of index c, but the vocabulary's class indices are not 0 to ${indices.length - 1}`,
      );
    }
    if (scores && !options.kind) throw new Error('the kind of scores (logits or probabilities) is required');
    this.seenRow = new Int32Array(scores ? 0 : maxIndex + 1);
    this.seenColumn = new Int32Array(scores ? 0 : maxIndex + 1);
    this.topIndex = new Int32Array(options.topK);
    this.topValue = new Float64Array(options.topK);

    this.decoder = new NpyStreamDecoder({ onHeader: (header) => this.checkHeader(header), onRows: (batch) => this.takeRows(batch) });
    if (options.format === 'npz-scores') {
      const member = options.member;
      if (!member) throw new Error('npz-scores needs the member name');
      this.npz = createNpzStream((entry) => {
        if (entry.name !== member) return undefined;
        this.memberFound = true;
        return (chunk, final) => {
          try {
            this.decoder.push(chunk, final);
          } catch (error) {
            throw error instanceof NpyFormatError ? new NpyFormatError(`member '${entry.fileName}': ${error.message}`) : error;
          }
        };
      });
    }
  }

  /** Rows of the file read so far. */
  get rowsRead(): number {
    return this.decoder.rowsDecoded;
  }

  /** Feeds the next bytes of the file. */
  push(chunk: Uint8Array): void {
    this.guard(() => (this.npz ?? this.decoder).push(chunk));
  }

  /** Declares the end of the file, checks that the whole array arrived, and returns the top-k of every image. */
  finish(): TopKTable {
    this.guard(() => {
      if (!this.npz) return this.decoder.finish();
      this.npz.push(new Uint8Array(0), true);
      if (!this.memberFound) {
        const names = this.npz.entries.map((e) => `'${e.name}'`);
        throw new NpyFormatError(
          `no array '${this.options.member}' in the archive (${names.length === 0 ? 'it holds none' : `it holds ${names.join(', ')}`})`,
        );
      }
    });
    return this.table;
  }

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (error instanceof NpyFormatError) throw new FormatError({ file: this.options.file }, error.message);
      throw error;
    }
  }

  private checkHeader(header: NpyHeader): void {
    const { format } = this.options;
    const family = npyDtypeFamily(header.dtype);
    const dtype = `dtype '${header.dtype.descr}' (${header.dtype.name})`;
    const scores = format !== 'npy-topk';
    if (scores && family !== 'float') {
      throw new NpyFormatError(`unsupported ${dtype}: ${format} needs scores in a float16, float32 or float64 array`);
    }
    if (!scores && family !== 'int' && family !== 'uint') {
      throw new NpyFormatError(`unsupported ${dtype}: npy-topk needs class indices in an integer array (e.g. int32 or int64)`);
    }
    const [rows, columns] = header.shape;
    const expected = scores ? `(${this.rowCount}, ${this.classCount})` : `(${this.rowCount}, k)`;
    const fits = header.shape.length === 2 && rows === this.rowCount && (scores ? columns === this.classCount : columns! >= 1);
    if (!fits) {
      const why = scores
        ? `${this.options.rows.description}, and one column per class of the vocabulary (${this.classCount})`
        : `${this.options.rows.description}, and the k best class indices of each`;
      throw new NpyFormatError(`shape ${formatNpyShape(header.shape)} does not fit: expected ${expected}, ${why}`);
    }
    this.columns = columns!;
    this.keep = Math.min(this.options.topK, this.columns);
  }

  private takeRows(batch: NpyRowBatch): void {
    const values = batch.values as ArrayLike<number>;
    for (let r = 0; r < batch.rowCount; r++) {
      const row = batch.firstRow + r;
      const target = this.options.rows.targets[row]!;
      if (this.options.format === 'npy-topk') this.takeRanking(values, r * batch.rowLength, row, target);
      else this.takeScores(values, r * batch.rowLength, row, target);
    }
    this.options.onRows?.(batch.firstRow + batch.rowCount, this.rowCount);
  }

  private takeRanking(values: ArrayLike<number>, offset: number, row: number, target: number): void {
    const { known, seenRow, seenColumn, table } = this;
    for (let j = 0; j < this.columns; j++) {
      const c = values[offset + j]!;
      if (!(c >= 0 && c < known.length && known[c] === 1)) {
        throw new NpyFormatError(`element [${row}, ${j}]: class index ${c} is out of range: ${this.describeIndices()}`);
      }
      if (seenRow[c] === row + 1) {
        throw new NpyFormatError(`row ${row}: class index ${c} appears twice (columns ${seenColumn[c]} and ${j}); a class appears once in a ranking`);
      }
      seenRow[c] = row + 1;
      seenColumn[c] = j;
      if (target >= 0 && j < this.keep) table.classIndex[target * table.k + j] = c;
    }
  }

  private describeIndices(): string {
    const contiguous = this.known.length === this.classCount;
    return contiguous ? `the vocabulary's class indices run from 0 to ${this.classCount - 1}` : 'it is not a class index of the vocabulary';
  }

  private takeScores(values: ArrayLike<number>, offset: number, row: number, target: number): void {
    const columns = this.columns;
    const probabilities = this.options.kind === 'probabilities';
    // Check every value first: a skipped row of a malformed file stops the import too.
    for (let j = 0; j < columns; j++) {
      const v = values[offset + j]!;
      // v - v is 0 for a finite number, NaN for NaN and for either infinity.
      if (v - v !== 0) throw new NpyFormatError(`element [${row}, ${j}] is ${v}: scores must be finite numbers`);
      if (probabilities && !(v >= 0 && v <= 1)) {
        throw new NpyFormatError(`element [${row}, ${j}] is ${v}: a probability is a number from 0 to 1 (are these logits?)`);
      }
    }
    if (target < 0) return;

    const keep = this.keep;
    const topIndex = this.topIndex;
    const topValue = this.topValue;
    let filled = 0;
    let max = -Infinity;
    for (let j = 0; j < columns; j++) {
      const v = values[offset + j]!;
      if (v > max) max = v;
      if (filled === keep && !(v > topValue[keep - 1]!)) continue;
      // Insertion into the sorted top: equal values stay in column order, so a tie ranks the lower index first.
      let p = filled < keep ? filled++ : keep - 1;
      while (p > 0 && topValue[p - 1]! < v) {
        topValue[p] = topValue[p - 1]!;
        topIndex[p] = topIndex[p - 1]!;
        p--;
      }
      topValue[p] = v;
      topIndex[p] = j;
    }

    const table = this.table;
    const base = target * table.k;
    if (probabilities) {
      for (let r = 0; r < keep; r++) {
        table.classIndex[base + r] = topIndex[r]!;
        table.score![base + r] = topValue[r]!;
      }
      return;
    }
    let sum = 0;
    for (let j = 0; j < columns; j++) sum += Math.exp(values[offset + j]! - max);
    for (let r = 0; r < keep; r++) {
      table.classIndex[base + r] = topIndex[r]!;
      table.score![base + r] = Math.exp(topValue[r]! - max) / sum;
    }
  }
}
