import type { Severity } from '@bagel/contracts';
import { parseJsonText } from '../formats';
import { describeJsonType } from '../formats/parse-json-text';
import { expectClassIndex, expectObject, expectOnlyFields, expectString, jsonFormatError, jsonPathKey } from './json-path';
import { pythonJsonString } from './python-json';

/** One model mistake on one image, as the imagenet-mistakes files record it. */
export interface ModelMistakeRow {
  file: string;
  /** The class index (CID) of the model's top-1 prediction. */
  topPrediction: number;
  category: string;
  severity: Severity;
}

/** The file's key names, spaces included, in the order the released files write them. */
const TOP_PREDICTION = 'top_prediction';
const CATEGORY = 'failure category';
const SEVERITY = 'failure severity';
const SEVERITIES: readonly string[] = ['Major', 'Minor', 'Borderline'] satisfies Severity[];

/**
 * Writes one model's mistakes as the imagenet-mistakes JSON (`vit3b_mistakes.json`): one object keyed by file, each
 * `{"top_prediction": CID, "failure category": str, "failure severity": str}`, on one line with Python's default
 * separators and no final newline, exactly as the released files are written. Rows keep their order.
 */
export function writeMistakesJson(rows: readonly ModelMistakeRow[]): string {
  return [...mistakesJsonPieces(rows)].join('');
}

/** writeMistakesJson's text piece by piece (one per row), consuming the rows as it goes: for a file too large to hold. */
export function* mistakesJsonPieces(rows: Iterable<ModelMistakeRow>): Generator<string, void, undefined> {
  const seen = new Set<string>();
  let first = true;
  yield '{';
  for (const row of rows) {
    if (seen.has(row.file)) throw new Error(`image "${row.file}" has more than one mistake row`);
    seen.add(row.file);
    if (!Number.isInteger(row.topPrediction) || row.topPrediction < 0) {
      throw new RangeError(`image "${row.file}": top prediction must be a class index, got ${row.topPrediction}`);
    }
    yield (
      `${first ? '' : ', '}${pythonJsonString(row.file)}: {"${TOP_PREDICTION}": ${row.topPrediction}, ` +
      `"${CATEGORY}": ${pythonJsonString(row.category)}, "${SEVERITY}": ${pythonJsonString(row.severity)}}`
    );
    first = false;
  }
  yield '}';
}

/**
 * Reads an imagenet-mistakes JSON file into rows, in file order. Every entry must have exactly the three keys; the
 * severity must be Major, Minor or Borderline; any non-empty category is accepted (the released files use five).
 * `classCount`, when given, bounds the class indices.
 */
export function readMistakesJson(text: string, fileName: string, options: { classCount?: number } = {}): ModelMistakeRow[] {
  const root = expectObject(parseJsonText(text, fileName), fileName, '$');
  return Object.keys(root).map((file) => {
    const path = jsonPathKey('$', file);
    const entry = expectObject(root[file], fileName, path);
    expectOnlyFields(entry, [TOP_PREDICTION, CATEGORY, SEVERITY], fileName, path);
    for (const key of [TOP_PREDICTION, CATEGORY, SEVERITY]) {
      if (!Object.hasOwn(entry, key)) throw jsonFormatError(fileName, jsonPathKey(path, key), 'missing');
    }
    const topPrediction = expectClassIndex(entry[TOP_PREDICTION], fileName, jsonPathKey(path, TOP_PREDICTION), options.classCount);
    const category = expectString(entry[CATEGORY], fileName, jsonPathKey(path, CATEGORY));
    if (category.trim() === '') throw jsonFormatError(fileName, jsonPathKey(path, CATEGORY), 'empty category');
    const severity = entry[SEVERITY];
    if (typeof severity !== 'string' || !SEVERITIES.includes(severity)) {
      const got = typeof severity === 'string' ? `"${severity}"` : describeJsonType(severity);
      throw jsonFormatError(fileName, jsonPathKey(path, SEVERITY), `expected "Major", "Minor" or "Borderline", got ${got}`);
    }
    return { file, topPrediction, category, severity: severity as Severity };
  });
}
