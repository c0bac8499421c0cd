import { parseJsonText } from '../formats';
import {
  expectArray,
  expectObject,
  expectOnlyFields,
  expectString,
  jsonFormatError,
  jsonPathIndex,
  jsonPathKey,
  setOwn,
} from './json-path';
import { pythonJsonDumps, pythonJsonString, type JsonValue } from './python-json';

/** The judgement lists of one image. A list that would be empty is left out. */
export type HumanAccuracyLabels = { [list in HumanAccuracyList]?: string[] };
export type HumanAccuracyList = 'correct' | 'wrong' | 'unclear';

/** Why and by whom an image was left out of evaluation. */
export interface ProblematicImageRecord {
  reason: string;
  reviewer: string;
  server_username: string;
  time_marked: string;
  time_reviewed: string;
}

/**
 * The multi-label JSON ("human_accuracy", version 3.0.0, read by TensorFlow Datasets' `imagenet2012_multilabel` and
 * the imagenet-mistakes notebook), with the file's own key names. Keys of `initial_annots` and `problematic_images`
 * are image file names.
 */
export interface HumanAccuracyV3 {
  initial_annots: Record<string, HumanAccuracyLabels>;
  problematic_images: Record<string, ProblematicImageRecord>;
  imagenet_m: string[];
}

const LISTS: readonly HumanAccuracyList[] = ['correct', 'wrong', 'unclear'];
const PROBLEMATIC_FIELDS = ['reason', 'reviewer', 'server_username', 'time_marked', 'time_reviewed'] as const;
/** A spelling found in the released data (TFDS's fixture has one record with it); read as `server_username`. */
const MISSPELT_SERVER_USERNAME = 'server_user_name';

/** A JavaScript UTC timestamp, `2019-03-29T22:48:36.956Z` (what `Date.prototype.toISOString` writes). */
const JS_ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?Z$/;

/**
 * A timestamp as the released multi-label file writes them, Python's `datetime.isoformat()` of an aware UTC time:
 * `2019-03-29T22:48:36.956000+00:00`, microseconds and an offset. Python before 3.11 cannot parse the `Z` that
 * JavaScript writes, so JavaScript UTC timestamps are rewritten; any other text (a record imported from a released
 * file) is kept exactly as it is.
 */
export function pythonIsoTimestamp(time: string): string {
  const match = JS_ISO_UTC.exec(time);
  if (match === null) return time;
  return `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}+00:00`;
}

/**
 * Writes the multi-label JSON in the layout of the TFDS fixture: 2-space indentation, `imagenet_m` on one line, a
 * final newline, non-ASCII characters escaped as Python's `json.dump` does. Images come in the order of the given
 * objects, and so do the lists of an image (build them as correct, wrong, unclear for a canonical file); empty lists
 * are left out. Problematic records are written with their five keys in the schema's order, their times as Python
 * writes them (pythonIsoTimestamp).
 */
export function writeHumanAccuracyV3(doc: HumanAccuracyV3): string {
  const entries = <T>(record: Record<string, T>) => Object.keys(record).map((file): [string, T] => [file, record[file] as T]);
  return [
    ...humanAccuracyV3Pieces({
      annotations: entries(doc.initial_annots),
      problematic: () => entries(doc.problematic_images),
      imagenetM: () => doc.imagenet_m,
    }),
  ].join('');
}

/**
 * The text of writeHumanAccuracyV3, piece by piece, for a file too large to hold as one string: the annotations
 * are consumed as they are written, then `problematic` and `imagenetM` are called (once each) for the two lists that
 * follow them. The pieces joined are exactly writeHumanAccuracyV3's text for the same document.
 */
export function* humanAccuracyV3Pieces(parts: {
  annotations: Iterable<readonly [file: string, labels: HumanAccuracyLabels]>;
  problematic: () => Iterable<readonly [file: string, record: ProblematicImageRecord]>;
  imagenetM: () => Iterable<string>;
}): Generator<string, void, undefined> {
  yield '{\n  "initial_annots": ';
  yield* indentedObjectPieces(parts.annotations, (labels) => {
    const lists: Record<string, JsonValue> = {};
    for (const list of Object.keys(labels) as HumanAccuracyList[]) {
      const classes = labels[list];
      if (classes !== undefined && classes.length > 0) lists[list] = classes;
    }
    return lists;
  });
  yield ',\n  "problematic_images": ';
  yield* indentedObjectPieces(parts.problematic(), (record) => {
    const ordered: Record<string, JsonValue> = {};
    for (const field of PROBLEMATIC_FIELDS) ordered[field] = field === 'time_marked' || field === 'time_reviewed' ? pythonIsoTimestamp(record[field]) : record[field];
    return ordered;
  });
  yield ',\n  "imagenet_m": [';
  let first = true;
  for (const file of parts.imagenetM()) {
    yield first ? pythonJsonString(file) : `, ${pythonJsonString(file)}`;
    first = false;
  }
  yield ']\n}\n';
}

/** An object one level deep in the document, as pythonJsonDumps(value, 2, 1) writes it, one entry per piece. */
function* indentedObjectPieces<T>(entries: Iterable<readonly [string, T]>, value: (entry: T) => JsonValue): Generator<string, void, undefined> {
  let first = true;
  for (const [key, entry] of entries) {
    yield `${first ? '{\n    ' : ',\n    '}${pythonJsonString(key)}: ${pythonJsonDumps(value(entry), 2, 2)}`;
    first = false;
  }
  yield first ? '{}' : '\n  }';
}

/**
 * Reads a multi-label JSON file. Checks every field and names the file and the JSON path of the first problem:
 * `labels.json, field "$.initial_annots['ILSVRC2012_val_00000001.JPEG'].correct[0]": expected a string, got a number`.
 * `problematic_images` and `imagenet_m` may be absent (read as empty). `server_user_name` is read as
 * `server_username`. A class listed twice for an image (in one list or in two) is an error: its judgement would be
 * ambiguous.
 */
export function readHumanAccuracyV3(text: string, fileName: string): HumanAccuracyV3 {
  const root = expectObject(parseJsonText(text, fileName), fileName, '$');
  expectOnlyFields(root, ['initial_annots', 'problematic_images', 'imagenet_m'], fileName, '$');
  if (!Object.hasOwn(root, 'initial_annots')) throw jsonFormatError(fileName, '$.initial_annots', 'missing');

  const initial_annots: Record<string, HumanAccuracyLabels> = {};
  const annotations = expectObject(root.initial_annots, fileName, '$.initial_annots');
  for (const file of Object.keys(annotations)) {
    const imagePath = jsonPathKey('$.initial_annots', file);
    const lists = expectObject(annotations[file], fileName, imagePath);
    expectOnlyFields(lists, LISTS, fileName, imagePath);
    const labels: HumanAccuracyLabels = {};
    const seen = new Map<string, string>();
    for (const list of Object.keys(lists) as HumanAccuracyList[]) {
      const listPath = jsonPathKey(imagePath, list);
      labels[list] = expectArray(lists[list], fileName, listPath).map((value, i) => {
        const path = jsonPathIndex(listPath, i);
        const classKey = expectString(value, fileName, path);
        const earlier = seen.get(classKey);
        if (earlier !== undefined) throw jsonFormatError(fileName, path, `class "${classKey}" is already listed at ${earlier}`);
        seen.set(classKey, path);
        return classKey;
      });
    }
    setOwn(initial_annots, file, labels);
  }

  const problematic_images: Record<string, ProblematicImageRecord> = {};
  if (Object.hasOwn(root, 'problematic_images')) {
    const problematic = expectObject(root.problematic_images, fileName, '$.problematic_images');
    for (const file of Object.keys(problematic)) {
      setOwn(problematic_images, file, readProblematicRecord(problematic[file], fileName, jsonPathKey('$.problematic_images', file)));
    }
  }

  const imagenet_m: string[] = [];
  if (Object.hasOwn(root, 'imagenet_m')) {
    const seen = new Set<string>();
    expectArray(root.imagenet_m, fileName, '$.imagenet_m').forEach((value, i) => {
      const path = jsonPathIndex('$.imagenet_m', i);
      const file = expectString(value, fileName, path);
      if (seen.has(file)) throw jsonFormatError(fileName, path, `"${file}" is listed twice`);
      seen.add(file);
      imagenet_m.push(file);
    });
  }
  return { initial_annots, problematic_images, imagenet_m };
}

function readProblematicRecord(value: unknown, fileName: string, path: string): ProblematicImageRecord {
  const record = expectObject(value, fileName, path);
  expectOnlyFields(record, [...PROBLEMATIC_FIELDS, MISSPELT_SERVER_USERNAME], fileName, path);
  if (Object.hasOwn(record, 'server_username') && Object.hasOwn(record, MISSPELT_SERVER_USERNAME)) {
    throw jsonFormatError(fileName, jsonPathKey(path, MISSPELT_SERVER_USERNAME), 'both "server_username" and "server_user_name" are given');
  }
  const field = (name: string): string => {
    const key = name === 'server_username' && Object.hasOwn(record, MISSPELT_SERVER_USERNAME) ? MISSPELT_SERVER_USERNAME : name;
    if (!Object.hasOwn(record, key)) throw jsonFormatError(fileName, jsonPathKey(path, name), 'missing');
    return expectString(record[key], fileName, jsonPathKey(path, key));
  };
  return {
    reason: field('reason'),
    reviewer: field('reviewer'),
    server_username: field('server_username'),
    time_marked: field('time_marked'),
    time_reviewed: field('time_reviewed'),
  };
}
