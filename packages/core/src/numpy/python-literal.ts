import { NpyFormatError } from './npy-format-error';

/** The Python literals a `.npy` header may hold (numpy writes it with `repr` and reads it with `ast.literal_eval`). */
export type PythonLiteral =
  | { type: 'str'; value: string }
  | { type: 'int'; value: number }
  | { type: 'bool'; value: boolean }
  | { type: 'none' }
  | { type: 'tuple'; items: PythonLiteral[] }
  | { type: 'list'; items: PythonLiteral[] }
  | { type: 'dict'; entries: [string, PythonLiteral][] };

const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\f', '\v']);

/**
 * Parses one Python literal (the subset numpy writes in a header: str, int with an optional Python 2 `L` suffix,
 * True/False/None, tuple, list, dict with str keys) and requires only whitespace after it.
 * A parenthesised single value without a comma is the value itself, as in Python: `(5)` is 5, `(5,)` is a tuple.
 */
export function parsePythonLiteral(text: string): PythonLiteral {
  let pos = 0;

  const fail = (what: string): never => {
    const near = text.slice(pos, pos + 20);
    throw new NpyFormatError(`malformed header: ${what} at character ${pos}${near ? ` (near ${JSON.stringify(near)})` : ''}`);
  };
  const skipWhitespace = () => {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  };
  const expect = (char: string) => {
    skipWhitespace();
    if (text[pos] !== char) fail(`expected '${char}'`);
    pos++;
  };

  const parseString = (): string => {
    const quote = text[pos];
    pos++;
    let out = '';
    while (pos < text.length) {
      const c = text[pos]!;
      if (c === quote) {
        pos++;
        return out;
      }
      if (c === '\n') fail('unterminated string');
      if (c !== '\\') {
        out += c;
        pos++;
        continue;
      }
      const e = text[pos + 1];
      pos += 2;
      switch (e) {
        case '\\':
        case "'":
        case '"':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case '0':
          out += '\0';
          break;
        case 'x':
        case 'u':
        case 'U': {
          const digits = e === 'x' ? 2 : e === 'u' ? 4 : 8;
          const hex = text.slice(pos, pos + digits);
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) fail('bad escape in string');
          const code = Number.parseInt(hex, 16);
          if (code > 0x10ffff) fail('bad escape in string');
          out += String.fromCodePoint(code);
          pos += digits;
          break;
        }
        default:
          fail('unsupported escape in string');
      }
    }
    return fail('unterminated string');
  };

  const parseSequence = (close: string): { items: PythonLiteral[]; trailingComma: boolean } => {
    const items: PythonLiteral[] = [];
    let trailingComma = false;
    skipWhitespace();
    while (text[pos] !== close) {
      items.push(parseValue());
      skipWhitespace();
      if (text[pos] === ',') {
        pos++;
        trailingComma = true;
        skipWhitespace();
      } else {
        trailingComma = false;
        if (text[pos] !== close) fail(`expected ',' or '${close}'`);
      }
    }
    pos++;
    return { items, trailingComma };
  };

  const parseValue = (): PythonLiteral => {
    skipWhitespace();
    const c = text[pos];
    if (c === undefined) return fail('unexpected end of header');
    if ((c === 'u' || c === 'U') && (text[pos + 1] === "'" || text[pos + 1] === '"')) pos++;
    const q = text[pos];
    if (q === "'" || q === '"') return { type: 'str', value: parseString() };
    if (c === '(') {
      pos++;
      const { items, trailingComma } = parseSequence(')');
      if (items.length === 1 && !trailingComma) return items[0]!;
      return { type: 'tuple', items };
    }
    if (c === '[') {
      pos++;
      return { type: 'list', items: parseSequence(']').items };
    }
    if (c === '{') {
      pos++;
      const entries: [string, PythonLiteral][] = [];
      skipWhitespace();
      while (text[pos] !== '}') {
        const key = parseValue();
        if (key.type !== 'str') fail('dictionary keys must be strings');
        expect(':');
        entries.push([(key as { value: string }).value, parseValue()]);
        skipWhitespace();
        if (text[pos] === ',') {
          pos++;
          skipWhitespace();
        } else if (text[pos] !== '}') fail("expected ',' or '}'");
      }
      pos++;
      return { type: 'dict', entries };
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(pos, pos + 16))?.[0];
    if (word === 'True' || word === 'False' || word === 'None') {
      pos += word.length;
      return word === 'None' ? { type: 'none' } : { type: 'bool', value: word === 'True' };
    }
    const number = /^[+-]?\d+[lL]?/.exec(text.slice(pos, pos + 32))?.[0];
    if (number !== undefined) {
      const after = text[pos + number.length];
      if (after === '.' || after === 'e' || after === 'E' || after === 'x' || after === 'j') fail('only integers are expected');
      const value = Number(number.replace(/[lL]$/, ''));
      if (!Number.isSafeInteger(value)) fail(`integer ${number} is too large`);
      pos += number.length;
      return { type: 'int', value };
    }
    return fail('unexpected character');
  };

  const value = parseValue();
  skipWhitespace();
  if (pos !== text.length) fail('unexpected text after the header dictionary');
  return value;
}

/** A short Python-like rendering of a literal, for error messages. */
export function formatPythonLiteral(value: PythonLiteral): string {
  switch (value.type) {
    case 'str':
      return `'${value.value}'`;
    case 'int':
      return String(value.value);
    case 'bool':
      return value.value ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return `(${value.items.map(formatPythonLiteral).join(', ')}${value.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${value.items.map(formatPythonLiteral).join(', ')}]`;
    case 'dict':
      return `{${value.entries.map(([k, v]) => `'${k}': ${formatPythonLiteral(v)}`).join(', ')}}`;
  }
}
