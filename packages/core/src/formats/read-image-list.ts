import type { ImportManifest } from '@bagel/contracts';
import type { Vocabulary } from '../vocabulary';
import { FormatError, lineOrRow, type FileLocation } from './format-error';
import { stripBom } from './parse-csv';
import { describeJsonType, isPlainObject, parseJsonText } from './parse-json-text';
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
 * Reads an image list. `lines`: one file name per line (a final newline is fine; an empty line before the end is an
 * error, as it would shift every later row). `json`: ImageNetV2's `{"image_filenames": [[FILE, WNID], ...]}`, or an
 * array whose entries are `[FILE, label]` pairs or plain file names. Each file appears once, as a relative path
 * inside the image folder. Labels are returned as written: `labelImageList` resolves them.
 */
export function readImageList(text: string, file: string, format: ImageListFormat): ImageListEntry[] {
  const entries = format === 'lines' ? readLines(text, file) : readJsonList(text, file);
  if (entries.length === 0) throw new FormatError({ file }, 'no images: the list is empty');
  const seen = new Map<string, FileLocation>();
  for (const entry of entries) {
    const at = { ...entry.location, field: entry.fileField };
    const problem = importedImagePathProblem(entry.file);
    if (problem) throw new FormatError(at, problem);
    const previous = seen.get(entry.file);
    if (previous) throw new FormatError(at, `duplicate file "${entry.file}" (also ${lineOrRow(previous)})`);
    seen.set(entry.file, entry.location);
  }
  return entries;
}

function readLines(text: string, file: string): ImageListEntry[] {
  const lines = stripBom(text).split('\n');
  while (lines.length > 0 && lines[lines.length - 1]!.replace(/\r$/, '').trim() === '') lines.pop();
  return lines.map((raw, i) => {
    const name = raw.replace(/\r$/, '');
    const line = i + 1;
    if (name.trim() === '') throw new FormatError({ file, line }, `empty line: line ${line} must name the image of row ${line}`);
    return { file: name, location: { file, line } };
  });
}

function readJsonList(text: string, file: string): ImageListEntry[] {
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
  return items.map((item, i): ImageListEntry => {
    const location = { file, row: i + 1 };
    if (typeof item === 'string') return { file: item, location, fileField: container };
    if (Array.isArray(item) && item.length === 2) {
      if (typeof item[0] !== 'string') {
        throw new FormatError({ ...location, field: field('file') }, `expected a file name, got ${describeJsonType(item[0])}`);
      }
      return { file: item[0], label: item[1], location, fileField: field('file'), labelField: field('label') };
    }
    throw new FormatError(
      { ...location, field: container },
      `expected a file name or a pair [FILE, label], got ${Array.isArray(item) ? `an array of ${item.length}` : describeJsonType(item)}`,
    );
  });
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
  entries: readonly ImageListEntry[],
  options: { vocabulary: Vocabulary; classBy: ClassBy; originalLabels?: LabelsLookup },
): OriginalLabels {
  const lookup = options.originalLabels;
  const byBaseName = lookup?.format === 'imagenet-wnid-lines';
  const labels = new OriginalLabels(options.vocabulary);
  for (const entry of entries) {
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
