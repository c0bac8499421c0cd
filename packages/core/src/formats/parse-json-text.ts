import { FormatError } from './format-error';
import { stripBom } from './parse-csv';

/** Parses JSON text, turning a syntax error into a FormatError with the 1-based line where parsing stopped. */
export function parseJsonText(text: string, file: string): unknown {
  const src = stripBom(text);
  try {
    return JSON.parse(src);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return throwJsonSyntaxError(src, file, reason);
  }
}

function throwJsonSyntaxError(src: string, file: string, reason: string): never {
  // JavaScript engines report either "at position N" or "line L column C"; the end of input when they give neither.
  const lineColumn = /line (\d+) column \d+/.exec(reason);
  const position = /position (\d+)/.exec(reason);
  let line: number;
  if (lineColumn) line = Number(lineColumn[1]);
  else line = lineOfOffset(src, position ? Number(position[1]) : src.length);
  const detail = reason.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '');
  throw new FormatError({ file, line }, `not valid JSON (${detail})`);
}

function lineOfOffset(src: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, src.length);
  for (let i = 0; i < end; i++) if (src.charCodeAt(i) === 10) line++;
  return line;
}

/** A JSON value's type in words, for messages like `expected a number, got a string`. */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return 'a string';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'a boolean';
    case 'undefined':
      return 'nothing';
    default:
      return 'an object';
  }
}

/** A scalar quoted as in the file (`"1"`, `-1`); other values by their type. */
export function describeJsonValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  return describeJsonType(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a JSON row object has only the fields its format names (a misspelt field would otherwise be ignored). */
export function checkJsonFields(
  value: Record<string, unknown>,
  allowed: readonly string[],
  location: { file: string; row: number },
): void {
  for (const name of Object.keys(value)) {
    if (!allowed.includes(name)) {
      throw new FormatError({ ...location, field: name }, `unknown field; a row has the fields ${allowed.join(', ')}`);
    }
  }
}
