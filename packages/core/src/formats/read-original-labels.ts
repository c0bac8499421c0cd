import type { ImportManifest } from '@bagel/contracts';
import type { Vocabulary } from '../vocabulary';
import { FormatError, lineOrRow, type FileLocation } from './format-error';
import { OriginalLabels } from './original-labels';
import { scanCsvTable, stripBom } from './parse-csv';
import { describeJsonType, isPlainObject, parseJsonText } from './parse-json-text';
import { resolveClassReference, type ClassBy } from './resolve-class';

export type OriginalLabelsFormat = NonNullable<ImportManifest['originalLabels']>['format'];

/** The number of images of the ImageNet (ILSVRC-2012) validation set. */
export const IMAGENET_VALIDATION_IMAGES = 50_000;

/** The file name of the i-th (1-based) ImageNet validation image. */
export function imagenetValidationFile(i: number): string {
  return `ILSVRC2012_val_${String(i).padStart(8, '0')}.JPEG`;
}

const VALIDATION_FILE = /^ILSVRC2012_val_(\d{8})\.JPEG$/;

/**
 * The 1-based number of an ImageNet validation image from its file name, or null. Only the last path segment counts,
 * so images kept in class folders (`n01440764/ILSVRC2012_val_00000293.JPEG`) are recognised too.
 */
export function imagenetValidationNumber(path: string): number | null {
  const match = VALIDATION_FILE.exec(path.slice(path.lastIndexOf('/') + 1));
  if (!match) return null;
  const n = Number(match[1]);
  return n >= 1 && n <= IMAGENET_VALIDATION_IMAGES ? n : null;
}

/**
 * Reads the original labels, one per image, in file order (the order the project lists its images).
 * `csv`: header `file,label`. `json`: `{FILE: label}`, `[[FILE, label], ...]`, or ImageNetV2's image list
 * `{"image_filenames": [[FILE, WNID], ...]}`. `imagenet-wnid-lines`: line i is the label of
 * `ILSVRC2012_val_{i:08d}.JPEG`. Each file appears once, as a relative path inside the image folder.
 */
export function readOriginalLabels(
  text: string,
  file: string,
  format: OriginalLabelsFormat,
  options: { vocabulary: Vocabulary; classBy: ClassBy },
): OriginalLabels {
  const collector = new LabelCollector(options.vocabulary, options.classBy);
  if (format === 'csv') {
    // Row by row: a million rows parsed into objects first took most of a large import's memory.
    scanCsvTable(text, file, { required: ['file', 'label'] }, ({ line, values }) => {
      collector.add(values.file, values.label, { file, line }, { fileField: 'file', labelField: 'label' });
    });
  } else if (format === 'imagenet-wnid-lines') {
    readWnidLines(text, file, collector);
  } else {
    readJsonLabels(text, file, collector);
  }
  if (collector.labels.length === 0) throw new FormatError({ file }, 'no labels: the file lists no image');
  return collector.labels;
}

class LabelCollector {
  readonly labels: OriginalLabels;
  /** The line (or row) of each image, for the message about a duplicate: a number, not a location, per image. */
  private readonly lines: number[] = [];

  constructor(
    private readonly vocabulary: Vocabulary,
    private readonly classBy: ClassBy,
  ) {
    this.labels = new OriginalLabels(vocabulary);
  }

  add(imageFile: unknown, label: unknown, location: FileLocation, fields: { fileField?: string; labelField?: string }): void {
    const fileAt = { ...location, field: fields.fileField };
    if (typeof imageFile !== 'string') throw new FormatError(fileAt, `expected a file name, got ${describeJsonType(imageFile)}`);
    const problem = importedImagePathProblem(imageFile);
    if (problem) throw new FormatError(fileAt, problem);
    const resolved = resolveClassReference(label, this.vocabulary, this.classBy);
    const earlier = this.labels.add(imageFile, resolved.ok ? resolved.cls.index : -1);
    if (earlier >= 0) {
      const previous = this.lines[earlier]!;
      const at = location.line !== undefined ? { file: location.file, line: previous } : { file: location.file, row: previous };
      throw new FormatError(fileAt, `duplicate file "${imageFile}" (also ${lineOrRow(at)})`);
    }
    if (!resolved.ok) throw new FormatError({ ...location, field: fields.labelField }, resolved.problem);
    this.lines.push(location.line ?? location.row!);
  }
}

/**
 * Why an image path cannot be used, or null. Images are named relative to the image folder and must stay inside it,
 * so that no label can make the server read a file elsewhere.
 */
export function imagePathProblem(path: string): string | null {
  if (path.trim() === '') return 'the file name is empty';
  if (path !== path.trim()) return `"${path}" starts or ends with a space`;
  if (path.includes('\\')) return `"${path}" contains a backslash; separate folders with "/"`;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `"${path}" is an absolute path; name files relative to the image folder`;
  if (path.includes('\0')) return 'the file name contains a NUL character';
  // A lone surrogate has no UTF-8 form: no file system has that name, and two such names would read as one.
  if (/[\uD800-\uDFFF]/u.test(path)) return 'the file name is not valid Unicode (it holds a lone surrogate)';
  if (path.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return `"${path}" is not a plain relative path inside the image folder (no "..", ".", or empty folder names)`;
  }
  return null;
}

/**
 * The longest image path an import takes, in characters: far beyond any dataset's, and short enough for the unique
 * index of a project's files (PostgreSQL's btree takes entries of about 2.7 kB at most; a UTF-16 character is at most
 * 3 bytes of UTF-8).
 */
export const MAX_IMAGE_PATH_LENGTH = 500;

/** Why an image path cannot be imported, or null: imagePathProblem's reasons, or a path too long to index. */
export function importedImagePathProblem(path: string): string | null {
  const problem = imagePathProblem(path);
  if (problem || path.length <= MAX_IMAGE_PATH_LENGTH) return problem;
  return `the file name "${path.slice(0, 40)}…" is ${path.length} characters long; an image path has at most ${MAX_IMAGE_PATH_LENGTH}`;
}

function readWnidLines(text: string, file: string, collector: LabelCollector): void {
  const lines = stripBom(text).split('\n');
  // A final newline ends the last line; it does not start an image.
  while (lines.length > 0 && lines[lines.length - 1]!.replace(/\r$/, '').trim() === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const label = lines[i]!.replace(/\r$/, '').trim();
    const line = i + 1;
    if (label === '') throw new FormatError({ file, line }, `empty line: line ${line} must hold the label of ${imagenetValidationFile(line)}`);
    collector.add(imagenetValidationFile(line), label, { file, line }, {});
  }
}

function readJsonLabels(text: string, file: string, collector: LabelCollector): void {
  const data = parseJsonText(text, file);
  if (isPlainObject(data) && Array.isArray(data.image_filenames)) {
    // ImageNetV2's image lists: {"sampling_function": ..., "image_filenames": [[FILE, WNID], ...]}.
    readPairs(data.image_filenames, file, collector, 'image_filenames');
  } else if (Array.isArray(data)) {
    readPairs(data, file, collector);
  } else if (isPlainObject(data)) {
    let row = 0;
    for (const [imageFile, label] of Object.entries(data)) {
      row++;
      collector.add(imageFile, label, { file, row }, { fileField: imageFile, labelField: imageFile });
    }
  } else {
    throw new FormatError({ file }, `expected {FILE: label}, [[FILE, label], ...] or {"image_filenames": [[FILE, label], ...]}, got ${describeJsonType(data)}`);
  }
}

function readPairs(pairs: unknown[], file: string, collector: LabelCollector, container?: string): void {
  const field = (name: string) => (container ? `${container}.${name}` : name);
  pairs.forEach((pair, i) => {
    const row = i + 1;
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw new FormatError({ file, row, field: container }, `expected a pair [FILE, label], got ${Array.isArray(pair) ? `an array of ${pair.length}` : describeJsonType(pair)}`);
    }
    collector.add(pair[0], pair[1], { file, row }, { fileField: field('file'), labelField: field('label') });
  });
}
