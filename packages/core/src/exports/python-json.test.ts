import { describe, expect, it } from 'vitest';
import { pythonJsonDumps, pythonJsonString } from './python-json';

// Expected texts are what Python 3's json.dumps prints for the same values.
describe('pythonJsonDumps', () => {
  it("writes one line with Python's default separators", () => {
    expect(pythonJsonDumps({ a: [1, 2], b: {}, c: [], d: 'x' })).toBe('{"a": [1, 2], "b": {}, "c": [], "d": "x"}');
  });

  it('indents nested levels, keeping empty containers on one line', () => {
    expect(pythonJsonDumps({ a: [1, 2], b: {}, c: [], d: { e: null, f: true } }, 2)).toBe(
      '{\n  "a": [\n    1,\n    2\n  ],\n  "b": {},\n  "c": [],\n  "d": {\n    "e": null,\n    "f": true\n  }\n}',
    );
  });

  it('escapes every non-ASCII character as json.dumps does (ensure_ascii), surrogate pairs as two escapes', () => {
    // json.dumps("café 😀 \u2028 \x01 \"q\" \\ /\n\t")
    expect(pythonJsonString('café 😀 \u2028 \u0001 "q" \\ /\n\t')).toBe('"caf\\u00e9 \\ud83d\\ude00 \\u2028 \\u0001 \\"q\\" \\\\ /\\n\\t"');
  });

  it('refuses numbers JSON cannot hold', () => {
    expect(() => pythonJsonDumps(Number.NaN)).toThrow(RangeError);
  });
});
