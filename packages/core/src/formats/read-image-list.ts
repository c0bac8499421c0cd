import type { ImportManifest } from '@bagel/contracts';
import type { Vocabulary } from '../vocabulary';
import { FormatError, lineOrRow, type FileLocation } from './format-error';
import { stripBom } from './parse-csv';
import { describeJsonType, isPlainObject, parseJsonText } from './parse-json-text';
import { FileNames } from './file-names';
import { OriginalLabels } from './original-labels';
import { importedImagePathProblem, type OriginalLabelsFormat } from './read-original-labels';
import { resolveClassReference, type ClassBy } from './resolve-class';

export type ImageListFormat = NonNullable<ImportManifest['images']['list']>['format'];

/** One image of a list, in list order. */
export interface ImageListEntry {
  /** Relative to the project's image folder. */
  file: string;
  /** The label the list pairs the file with, as written (a key or an index); absent when the list names files only. */
  label?: unknown;
  /** Where the entry is: a line of a `lines` list, a row (from 1) of a `json` list. */
  location: FileLocation;
  /** The field names that messages use for the file and for the label. */
  fileField?: string;
  labelField?: string;
}

/**
 * An image list as read, in list order: its file names in columns (`FileNames`, each once) and, when the list pairs
 * files with labels, those labels as written. Entry i is line i + 1 of a `lines` list, row i + 1 of a `json` list, so
 * an entry's object (`entry`) is made when asked for, not kept. A list of 1.25 million lines (names of 37 bytes) is
 * kept in 101 MB, where an object per entry kept 150 MB, with a Map of the names on top while reading.
 */
export class ImageList {
  readonly names = new FileNames();
  /** The labels as written, by position (undefined for an entry that names its file alone); null when none is given. */
  private labels: unknown[] | null = null;

  constructor(
    /** The list's name in messages. */
    readonly file: string,
    private readonly format: ImageListFormat,
    /** `json`: the object key the pairs are under (`image_filenames`), if any. */
    private readonly container?: string,
  ) {}

  get length(): number {
    return this.names.length;
  }

  /** Appends an entry; answers the position of an earlier entry of the same file (nothing added), else -1. */
  add(file: string, label?: unknown): number {
    const earlier = this.names.add(file);
    if (earlier >= 0) return earlier;
    if (label !== undefined) (this.labels ??= [])[this.names.length - 1] = label;
    return -1;
  }

  location(position: number): FileLocation {
    return this.format === 'lines' ? { file: this.file, line: position + 1 } : { file: this.file, row: position + 1 };
  }

  entry(position: number): ImageListEntry {
    const file = this.names.file(position);
    const location = this.location(position);
    if (this.format === 'lines') return { file, location };
    const label = this.labels?.[position];
    if (label === undefined) return { file, location, fileField: this.container };
    return { file, label, location, fileField: this.field('file'), labelField: this.field('label') };
  }

  /** Every entry as an object: for small lists and tests. */
  entries(): ImageListEntry[] {
    return Array.from({ length: this.length }, (_, position) => this.entry(position));
  }

  private field(name: string): string {
    return this.container ? `${this.container}.${name}` : name;
  }
}

/**
 * Reads an image list. `lines`: one file name per line (a final newline is fine; an empty line before the end is an
 * error, as it would shift every later row). `json`: ImageNetV2's `{"image_filenames": [[FILE, WNID], ...]}`, or an
 * array whose entries are `[FILE, label]` pairs or plain file names. Each file appears once, as a relative path
 * inside the image folder. Labels are kept as written: `labelImageList` resolves them.
 */
export function readImageList(text: string, file: string, format: ImageListFormat): ImageList {
  const list = format === 'lines' ? readLines(text, file) : readJsonList(text, file);
  if (list.length === 0) throw new FormatError({ file }, 'no images: the list is empty');
  return list;
}

/** Adds an entry to the list, refusing a path outside the image folder and a file listed twice. */
function addEntry(list: ImageList, at: FileLocation, name: string, label?: unknown): void {
  const problem = importedImagePathProblem(name);
  if (problem) throw new FormatError(at, problem);
  const earlier = list.add(name, label);
  if (earlier >= 0) throw new FormatError(at, `duplicate file "${name}" (also ${lineOrRow(list.location(earlier))})`);
}

function readLines(text: string, file: string): ImageList {
  const body = stripBom(text);
  const list = new ImageList(file, 'lines');
  // Blank lines at the end are dropped; the content before them is walked in place (no array of a million strings).
  let end = body.length;
  while (end > 0) {
    const lineStart = body.lastIndexOf('\n', end - 1) + 1;
    if (body.slice(lineStart, end).trim() !== '') break;
    end = lineStart - 1;
  }
  let line = 0;
  for (let start = 0; start < end; ) {
    const newline = body.indexOf('\n', start);
    const stop = newline === -1 || newline > end ? end : newline;
    const name = body.slice(start, stop).replace(/\r$/, '');
    line++;
    if (name.trim() === '') throw new FormatError({ file, line }, `empty line: line ${line} must name the image of row ${line}`);
    addEntry(list, { file, line }, name);
    start = stop + 1;
  }
  return list;
}

function readJsonList(text: string, file: string): ImageList {
  const data = parseJsonText(text, file);
  let items: unknown[];
  let container: string | undefined;
  if (isPlainObject(data) && Array.isArray(data.image_filenames)) {
    items = data.image_filenames;
    container = 'image_filenames';
  } else if (Array.isArray(data)) {
    items = data;
  } else {
    throw new FormatError(
      { file },
      `expected {"image_filenames": [[FILE, label], ...]}, [[FILE, label], ...] or [FILE, ...], got ${describeJsonType(data)}`,
    );
  }
  const field = (name: string) => (container ? `${container}.${name}` : name);
  const list = new ImageList(file, 'json', container);
  items.forEach((item, i) => {
    const location = { file, row: i + 1 };
    if (typeof item === 'string') return addEntry(list, { ...location, field: container }, item);
    if (Array.isArray(item) && item.length === 2) {
      if (typeof item[0] !== 'string') {
        throw new FormatError({ ...location, field: field('file') }, `expected a file name, got ${describeJsonType(item[0])}`);
      }
      return addEntry(list, { ...location, field: field('file') }, item[0], item[1]);
    }
    throw new FormatError(
      { ...location, field: container },
      `expected a file name or a pair [FILE, label], got ${Array.isArray(item) ? `an array of ${item.length}` : describeJsonType(item)}`,
    );
  });
  return list;
}

/** The original labels file an image list's labels are looked up in. */
export interface LabelsLookup {
  labels: OriginalLabels;
  file: string;
  format: OriginalLabelsFormat;
}

/**
 * The original label of every listed image, in list order: the project's images. With `originalLabels`, each image's
 * label is looked up there (an ImageNet WNID-lines file knows bare validation file names, so there the last path
 * segment is looked up), and a label the list also gives must agree with it. Without, the list must give every label.
 * An image left without a label stops the import, naming it.
 */
export function labelImageList(
  list: ImageList,
  options: { vocabulary: Vocabulary; classBy: ClassBy; originalLabels?: LabelsLookup },
): OriginalLabels {
  const lookup = options.originalLabels;
  const byBaseName = lookup?.format === 'imagenet-wnid-lines';
  const labels = new OriginalLabels(options.vocabulary);
  for (let position = 0; position < list.length; position++) {
    const entry = list.entry(position);
    const fileAt = { ...entry.location, field: entry.fileField };
    let listed: number | undefined;
    if (entry.label !== undefined) {
      const resolved = resolveClassReference(entry.label, options.vocabulary, options.classBy);
      if (!resolved.ok) throw new FormatError({ ...entry.location, field: entry.labelField }, resolved.problem);
      listed = resolved.cls.index;
    }
    if (!lookup) {
      if (listed === undefined) {
        throw new FormatError(
          fileAt,
          `image "${entry.file}" has no label: the list names the file alone, and the manifest names no original labels file ("originalLabels")`,
        );
      }
      labels.add(entry.file, listed);
      continue;
    }
    const found = lookup.labels.get(byBaseName ? entry.file.slice(entry.file.lastIndexOf('/') + 1) : entry.file);
    if (found === undefined) throw new FormatError(fileAt, `image "${entry.file}" has no original label in ${lookup.file}`);
    const classIndex = lookup.labels.classIndex(found);
    if (listed !== undefined && listed !== classIndex) {
      const key = (index: number) => options.vocabulary.byIndex(index)!.key;
      throw new FormatError(
        { ...entry.location, field: entry.labelField },
        `the list labels "${entry.file}" "${key(listed)}", but ${lookup.file} gives it "${key(classIndex)}"`,
      );
    }
    labels.add(entry.file, classIndex);
  }
  return labels;
}
