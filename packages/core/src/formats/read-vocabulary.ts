import { MAX_CLASS_KEY_LENGTH, type ImportManifest, type VocabularyClass } from '@bagel/contracts';
import { FormatError, lineOrRow, type FileLocation } from './format-error';
import { parseCsvTable } from './parse-csv';
import { checkJsonFields, describeJsonType, describeJsonValue, isPlainObject, parseJsonText } from './parse-json-text';

export type VocabularyFormat = ImportManifest['vocabulary']['format'];

/**
 * Reads a class list. `imagenet-class-info`: ImageNet's class_info.json, `[{cid, wnid, synset: [...], gloss}]`
 * (index = cid, key = wnid, names = synset). `csv`: header `index,key,names,gloss` (names separated by `;`, gloss
 * optional). `json`: `[{index, key, names: [...], gloss?}]`. Keys and indices must be unique.
 */
export function readVocabulary(text: string, file: string, format: VocabularyFormat): VocabularyClass[] {
  const classes = format === 'csv' ? readCsvVocabulary(text, file) : readJsonVocabulary(text, file, format);
  if (classes.length === 0) throw new FormatError({ file }, 'the vocabulary has no classes');
  return classes;
}

interface Located {
  cls: VocabularyClass;
  location: FileLocation;
}

function readCsvVocabulary(text: string, file: string): VocabularyClass[] {
  const rows = parseCsvTable(text, file, { required: ['index', 'key', 'names'], optional: ['gloss'] });
  const located = rows.map(({ line, values }): Located => {
    const at = (field: string) => ({ file, line, field });
    if (!/^\d+$/.test(values.index)) throw new FormatError(at('index'), `"${values.index}" is not a class index (an integer from 0)`);
    const index = Number(values.index);
    if (!Number.isSafeInteger(index)) throw new FormatError(at('index'), `${values.index} is too large for a class index`);
    if (values.key === '') throw new FormatError(at('key'), 'the class key is empty');
    const tooLong = keyTooLong(values.key);
    if (tooLong) throw new FormatError(at('key'), tooLong);
    const names = values.names
      .split(';')
      .map((n) => n.trim())
      .filter((n) => n !== '');
    return { cls: { index, key: values.key, names, gloss: values.gloss }, location: { file, line } };
  });
  return checkUnique(located);
}

const FIELDS = {
  'imagenet-class-info': { index: 'cid', key: 'wnid', names: 'synset', gloss: 'gloss' },
  json: { index: 'index', key: 'key', names: 'names', gloss: 'gloss' },
} as const;

function readJsonVocabulary(text: string, file: string, format: 'imagenet-class-info' | 'json'): VocabularyClass[] {
  const data = parseJsonText(text, file);
  const fields = FIELDS[format];
  if (!Array.isArray(data)) {
    throw new FormatError({ file }, `expected an array of classes [{${Object.values(fields).join(', ')}}], got ${describeJsonType(data)}`);
  }
  const located = data.map((entry: unknown, i): Located => {
    const row = i + 1;
    const at = (field: string) => ({ file, row, field });
    if (!isPlainObject(entry)) throw new FormatError({ file, row }, `expected a class object, got ${describeJsonType(entry)}`);
    checkJsonFields(entry, Object.values(fields), { file, row });
    const index = entry[fields.index];
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) {
      throw new FormatError(at(fields.index), `expected a class index (an integer from 0), got ${describeJsonValue(index)}`);
    }
    const key = entry[fields.key];
    if (typeof key !== 'string' || key.trim() === '') {
      throw new FormatError(at(fields.key), `expected a non-empty class key, got ${describeJsonValue(key)}`);
    }
    const tooLong = keyTooLong(key.trim());
    if (tooLong) throw new FormatError(at(fields.key), tooLong);
    const names = entry[fields.names];
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) {
      throw new FormatError(at(fields.names), `expected an array of names (strings), got ${describeJsonValue(names)}`);
    }
    const gloss = entry[fields.gloss] ?? '';
    if (typeof gloss !== 'string') throw new FormatError(at(fields.gloss), `expected a string, got ${describeJsonType(gloss)}`);
    const cleanNames = (names as string[]).map((n) => n.trim()).filter((n) => n !== '');
    return { cls: { index, key: key.trim(), names: cleanNames, gloss }, location: { file, row } };
  });
  return checkUnique(located, fields);
}

/** Why a class key is too long, or null: a verdict's labels and the item browser take keys of MAX_CLASS_KEY_LENGTH at most. */
function keyTooLong(key: string): string | null {
  if (key.length <= MAX_CLASS_KEY_LENGTH) return null;
  return `the class key "${key.slice(0, 40)}…" is ${key.length} characters long; a class key has at most ${MAX_CLASS_KEY_LENGTH}`;
}

function checkUnique(located: Located[], fields: { index: string; key: string } = { index: 'index', key: 'key' }): VocabularyClass[] {
  const byIndex = new Map<number, FileLocation>();
  const byKey = new Map<string, FileLocation>();
  for (const { cls, location } of located) {
    const sameIndex = byIndex.get(cls.index);
    if (sameIndex) throw new FormatError({ ...location, field: fields.index }, `duplicate class index ${cls.index} (also ${lineOrRow(sameIndex)})`);
    const sameKey = byKey.get(cls.key);
    if (sameKey) throw new FormatError({ ...location, field: fields.key }, `duplicate class key "${cls.key}" (also ${lineOrRow(sameKey)})`);
    byIndex.set(cls.index, location);
    byKey.set(cls.key, location);
  }
  return located.map((l) => l.cls);
}
