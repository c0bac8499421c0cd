import { imagenetValidationFile, parseJsonText } from '../formats';
import { describeJsonType } from '../formats/parse-json-text';
import { expectArray, expectClassIndex, jsonFormatError, jsonPathIndex, jsonPathKey } from './json-path';
import { pythonJsonString } from './python-json';

/** The accepted classes (indices) of one image; an empty list means "leave this image out of evaluation". */
export interface RealLabelRow {
  file: string;
  classIndices: readonly number[];
}

/** `list`: ReaL's own layout, one entry per validation image in file order. `byFile`: `{FILE: [CID...]}`. */
export type RealJsonLayout = 'list' | 'byFile';

/**
 * The layout writeRealJson uses: `list` when the rows are a whole validation set, i.e. exactly the files
 * `ILSVRC2012_val_00000001.JPEG` … `ILSVRC2012_val_{N:08d}.JPEG` for N rows, each once; `byFile` otherwise.
 */
export function realJsonLayout(rows: readonly RealLabelRow[]): RealJsonLayout {
  return wholeValidationSetOrder(rows) === null ? 'byFile' : 'list';
}

/**
 * Writes ReaL-style labels on one line with Python's default separators, as `real.json` is written: a list in
 * validation order when the rows are a whole validation set (see realJsonLayout), whatever order they come in, else
 * an object keyed by file in the rows' order. Class indices are written in ascending order, once each.
 */
export function writeRealJson(rows: readonly RealLabelRow[]): string {
  const ordered = wholeValidationSetOrder(rows);
  return [...(ordered === null ? realJsonPieces('byFile', rows) : realJsonPieces('list', ordered))].join('');
}

/**
 * writeRealJson's text piece by piece (one per row), consuming the rows as it goes: for a file too large to hold.
 * The caller chooses the layout (realJsonLayout, or the same test on the file names): for `list` the rows must come
 * in validation order, `ILSVRC2012_val_00000001.JPEG` first, each once; for `byFile` they are written in their order.
 */
export function* realJsonPieces(layout: RealJsonLayout, rows: Iterable<RealLabelRow>): Generator<string, void, undefined> {
  const seen = new Set<string>();
  let count = 0;
  yield layout === 'list' ? '[' : '{';
  for (const row of rows) {
    const separator = count === 0 ? '' : ', ';
    count++;
    if (layout === 'list') {
      if (row.file !== imagenetValidationFile(count)) throw new Error(`row ${count} is "${row.file}", not ${imagenetValidationFile(count)}: a list is written in validation order`);
      yield separator + classList(row);
    } else {
      if (seen.has(row.file)) throw new Error(`image "${row.file}" has more than one row`);
      seen.add(row.file);
      yield `${separator}${pythonJsonString(row.file)}: ${classList(row)}`;
    }
  }
  yield layout === 'list' ? ']' : '}';
}

function classList(row: RealLabelRow): string {
  for (const index of row.classIndices) {
    if (!Number.isInteger(index) || index < 0) throw new RangeError(`image "${row.file}": ${index} is not a class index`);
  }
  return `[${[...new Set(row.classIndices)].sort((a, b) => a - b).join(', ')}]`;
}

/** The rows sorted by validation index when they are exactly images 1..N, else null. */
function wholeValidationSetOrder(rows: readonly RealLabelRow[]): RealLabelRow[] | null {
  if (rows.length === 0) return null;
  const ordered = new Array<RealLabelRow | undefined>(rows.length);
  for (const row of rows) {
    const match = /^ILSVRC2012_val_(\d{8})\.JPEG$/.exec(row.file);
    if (match === null) return null;
    const position = Number(match[1]) - 1;
    if (position < 0 || position >= rows.length || ordered[position] !== undefined) return null;
    ordered[position] = row;
  }
  return ordered as RealLabelRow[];
}

/**
 * Reads ReaL-style labels: ReaL's list (entry i is `ILSVRC2012_val_{i+1:08d}.JPEG`) or `{FILE: [CID...]}`. Rows come
 * in file order. `classCount`, when given, bounds the class indices. Errors name the file and the JSON path.
 */
export function readRealJson(
  text: string,
  fileName: string,
  options: { classCount?: number } = {},
): { layout: RealJsonLayout; rows: RealLabelRow[] } {
  const root = parseJsonText(text, fileName);
  const readClasses = (value: unknown, path: string): number[] =>
    expectArray(value, fileName, path).map((index, i) => expectClassIndex(index, fileName, jsonPathIndex(path, i), options.classCount));
  if (Array.isArray(root)) {
    return { layout: 'list', rows: root.map((value, i) => ({ file: imagenetValidationFile(i + 1), classIndices: readClasses(value, jsonPathIndex('$', i)) })) };
  }
  if (typeof root !== 'object' || root === null) {
    throw jsonFormatError(fileName, '$', `expected a list of class lists or an object of them by file, got ${describeJsonType(root)}`);
  }
  const byFile = root as Record<string, unknown>;
  const rows: RealLabelRow[] = [];
  for (const file of Object.keys(byFile)) {
    rows.push({ file, classIndices: readClasses(byFile[file], jsonPathKey('$', file)) });
  }
  return { layout: 'byFile', rows };
}
