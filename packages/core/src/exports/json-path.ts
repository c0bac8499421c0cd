import { FormatError } from '../formats';
import { describeJsonType } from '../formats/parse-json-text';

/**
 * A JSONPath to a value, for error messages: `$.initial_annots['ILSVRC2012_val_00000001.JPEG'].correct[2]`.
 * Keys that are not plain identifiers (file names hold dots) are bracketed.
 */
export function jsonPathKey(parent: string, key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key)
    ? `${parent}.${key}`
    : `${parent}['${key.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}']`;
}

export function jsonPathIndex(parent: string, index: number): string {
  return `${parent}[${index}]`;
}

/** A format error at a JSON path: `labels.json, field "$.initial_annots['x.JPEG'].correct[2]": expected a string, got a number`. */
export function jsonFormatError(file: string, path: string, problem: string): FormatError {
  return new FormatError({ file, field: path }, problem);
}

export function expectObject(value: unknown, file: string, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw jsonFormatError(file, path, `expected an object, got ${describeJsonType(value)}`);
  }
  return value as Record<string, unknown>;
}

export function expectArray(value: unknown, file: string, path: string): unknown[] {
  if (!Array.isArray(value)) throw jsonFormatError(file, path, `expected an array, got ${describeJsonType(value)}`);
  return value;
}

export function expectString(value: unknown, file: string, path: string): string {
  if (typeof value !== 'string') throw jsonFormatError(file, path, `expected a string, got ${describeJsonType(value)}`);
  return value;
}

export function expectClassIndex(value: unknown, file: string, path: string, classCount?: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    const got = typeof value === 'number' ? String(value) : describeJsonType(value);
    throw jsonFormatError(file, path, `expected a class index (an integer >= 0), got ${got}`);
  }
  if (classCount !== undefined && value >= classCount) {
    throw jsonFormatError(file, path, `class index ${value} is outside the vocabulary (indices 0 to ${classCount - 1})`);
  }
  return value;
}

/** Refuses fields a format does not name: a misspelt one would otherwise be silently dropped. */
export function expectOnlyFields(record: Record<string, unknown>, allowed: readonly string[], file: string, path: string): void {
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) {
      throw jsonFormatError(file, jsonPathKey(path, key), `unknown field (expected ${allowed.map((a) => `"${a}"`).join(', ')})`);
    }
  }
}

/**
 * Sets an own property even when the key is `__proto__` (JSON.parse makes such keys own properties; a plain
 * assignment would change the object's prototype instead).
 */
export function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
