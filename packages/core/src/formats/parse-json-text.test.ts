import { describe, expect, it } from 'vitest';
import { FormatError } from './format-error';
import { parseJsonText } from './parse-json-text';

function syntaxError(text: string): FormatError {
  try {
    parseJsonText(text, 'x.json');
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('parseJsonText', () => {
  it('parses JSON, ignoring a byte-order mark', () => {
    expect(parseJsonText('\ufeff{"a": [1, 2]}', 'x.json')).toEqual({ a: [1, 2] });
  });

  // The engine's own wording of the syntax error varies between Node versions; the location must not.
  it('names the line where a syntax error is', () => {
    const error = syntaxError('[\n  {"a": 1},\n  {"a" 2}\n]');
    expect(error).toMatchObject({ file: 'x.json', line: 3 });
    expect(error.message).toMatch(/^x\.json, line 3: not valid JSON \(.+\)$/);
    expect(error.message).not.toMatch(/position/);
  });

  it('names the last line when the text ends too early', () => {
    const error = syntaxError('[\n1,\n');
    expect(error.line).toBe(3);
    expect(error.message).toMatch(/^x\.json, line 3: not valid JSON \(.+\)$/);
  });
});
