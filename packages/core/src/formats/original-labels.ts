import type { Vocabulary } from '../vocabulary';
import { FileNames, type FilePositions, grown } from './file-names';

/** The original label of one image; `file` is relative to the project's image folder. */
export interface OriginalLabelRow {
  file: string;
  classIndex: number;
  classKey: string;
}

/**
 * The project's images with their original labels, in project order, kept in columns: the file names (`FileNames`:
 * UTF-8 bytes one after another, with a hash index) and each image's class index. For the 1.25 million images of the
 * scale bench, an object per image (file, class index, key) kept 137 MB of the import's heap (115 bytes an image), with
 * a Map of the names on top while the file was read; these columns' arrays come to 75 MB (60 bytes an image), of
 * which about 50 MB is written, the rest room to grow. `add` refuses nothing: it answers the position of an earlier
 * image of the same name, for the reader to report the duplicate.
 */
export class OriginalLabels implements FilePositions {
  private readonly names = new FileNames();
  private classIndices = new Int32Array(1 << 8);

  constructor(private readonly vocabulary: Vocabulary) {}

  get length(): number {
    return this.names.length;
  }

  /** Appends an image, unless one of that name is already there: then nothing is added and its position returned (else -1). */
  add(file: string, classIndex: number): number {
    const existing = this.names.add(file);
    if (existing >= 0) return existing;
    const position = this.names.length - 1;
    this.classIndices = grown(this.classIndices, position + 1);
    this.classIndices[position] = classIndex;
    return -1;
  }

  file(position: number): string {
    return this.names.file(position);
  }

  classIndex(position: number): number {
    return this.classIndices[position]!;
  }

  /** Every image's class index, in project order (a view, not a copy). */
  classIndexColumn(): Int32Array {
    return this.classIndices.subarray(0, this.length);
  }

  /** The position of the image of that name, if the project has one. */
  get(file: string): number | undefined {
    return this.names.get(file);
  }

  has(file: string): boolean {
    return this.names.has(file);
  }

  row(position: number): OriginalLabelRow {
    const classIndex = this.classIndex(position);
    return { file: this.file(position), classIndex, classKey: this.vocabulary.byIndex(classIndex)!.key };
  }

  /** Every image as an object: for small projects and tests (a million of them is what these columns avoid). */
  rows(): OriginalLabelRow[] {
    return Array.from({ length: this.length }, (_, position) => this.row(position));
  }

  files(): string[] {
    return this.names.files();
  }
}
