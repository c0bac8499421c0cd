/**
 * JSON text laid out the way Python's `json.dumps` writes it, because the field's files (imagenet-mistakes, ReaL,
 * the TFDS multi-label file) were written by it and users diff our exports against theirs:
 * - `ensure_ascii`: every character outside ASCII is written as a `\uXXXX` escape (lowercase hex, surrogate pairs
 *   as two escapes), so the text is pure ASCII;
 * - without indentation, items are separated by `", "` and keys by `": "`, all on one line;
 * - with indentation, items end lines (`","` then a newline) and nested levels are indented by `indent` spaces;
 *   empty arrays and objects stay `[]` and `{}`.
 * Numbers are written as JavaScript writes them, which matches Python for the integers these formats hold.
 */
export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

const NON_ASCII = /[\u0080-\uffff]/g;

/** A JSON string literal as Python writes it with ensure_ascii. */
export function pythonJsonString(value: string): string {
  // JSON.stringify already escapes quotes, backslashes and control characters exactly as Python does.
  return JSON.stringify(value).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `json.dumps(value)` (indent = null) or `json.dumps(value, indent=indent)`. */
export function pythonJsonDumps(value: JsonValue, indent: number | null = null, level = 0): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return pythonJsonString(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new RangeError(`cannot write ${value} as JSON`);
      return String(value);
  }
  const entries: string[] = [];
  const isArray = Array.isArray(value);
  if (isArray) {
    for (const item of value as readonly JsonValue[]) entries.push(pythonJsonDumps(item, indent, level + 1));
  } else {
    const record = value as { readonly [key: string]: JsonValue };
    for (const key of Object.keys(record)) {
      entries.push(`${pythonJsonString(key)}: ${pythonJsonDumps(record[key] as JsonValue, indent, level + 1)}`);
    }
  }
  const [open, close] = isArray ? ['[', ']'] : ['{', '}'];
  if (entries.length === 0) return open + close;
  if (indent === null) return open + entries.join(', ') + close;
  const inner = '\n' + ' '.repeat(indent * (level + 1));
  const outer = '\n' + ' '.repeat(indent * level);
  return open + inner + entries.join(',' + inner) + outer + close;
}
