import { describe, expect, it } from 'vitest';
import { FormatError } from '../formats';
import { goldenMistakes } from './golden-inputs';
import { mistakesJsonPieces, readMistakesJson, writeMistakesJson } from './mistakes-json';
import { fixtureText, goldenText } from './test-helpers';

function formatError(text: string, classCount?: number): FormatError {
  try {
    readMistakesJson(text, 'mistakes.json', classCount === undefined ? {} : { classCount });
  } catch (error) {
    if (error instanceof FormatError) return error;
    throw error;
  }
  throw new Error('expected a FormatError');
}

describe('writeMistakesJson', () => {
  it('writes the golden file', () => {
    expect(writeMistakesJson(goldenMistakes)).toBe(goldenText('mistakes.json'));
  });

  it('refuses two rows for one image', () => {
    const row = goldenMistakes[0] as (typeof goldenMistakes)[number];
    expect(() => writeMistakesJson([row, row])).toThrow('has more than one mistake row');
  });
});

describe('mistakesJsonPieces', () => {
  it('gives the golden file piece by piece, one per row', () => {
    const pieces = [...mistakesJsonPieces(goldenMistakes.values())];
    expect(pieces.join('')).toBe(goldenText('mistakes.json'));
    expect(pieces).toHaveLength(goldenMistakes.length + 2);
    expect([...mistakesJsonPieces([])]).toEqual(['{', '}']);
  });
});

describe('readMistakesJson', () => {
  it.each([
    ['vit3b_mistakes.json', 378],
    ['greedy_soups_mistakes.json', 249],
  ])('reads %s and writes it back byte for byte', (name, entries) => {
    const text = fixtureText(name);
    const rows = readMistakesJson(text, name, { classCount: 1000 });
    expect(rows).toHaveLength(entries);
    expect(writeMistakesJson(rows)).toBe(text);
  });

  it('reads the rows in file order with their fields', () => {
    const rows = readMistakesJson(fixtureText('vit3b_mistakes.json'), 'vit3b_mistakes.json');
    expect(rows.slice(0, 2)).toEqual([
      { file: 'ILSVRC2012_val_00000612.JPEG', topPrediction: 192, category: 'Fine-grained error', severity: 'Minor' },
      { file: 'ILSVRC2012_val_00001409.JPEG', topPrediction: 843, category: 'Fine-grained error', severity: 'Major' },
    ]);
    expect(new Set(rows.map((r) => r.severity))).toEqual(new Set(['Major', 'Minor', 'Borderline']));
  });

  it('reads back what it writes', () => {
    expect(readMistakesJson(goldenText('mistakes.json'), 'golden.json')).toEqual(goldenMistakes);
  });

  it('names the file and the JSON path of what is wrong', () => {
    const entry = (fields: string) => `{"a.JPEG": {${fields}}}`;
    const ok = '"top_prediction": 1, "failure category": "Fine-grained error", "failure severity": "Minor"';
    const cases: [string, string][] = [
      ['[]', 'mistakes.json, field "$": expected an object, got an array'],
      [entry('"top_prediction": 1, "failure category": "x"'), `mistakes.json, field "$['a.JPEG']['failure severity']": missing`],
      [entry(`${ok}, "failure_severity": "Major"`), `mistakes.json, field "$['a.JPEG'].failure_severity": unknown field (expected "top_prediction", "failure category", "failure severity")`],
      [entry(ok.replace('"top_prediction": 1', '"top_prediction": "1"')), `mistakes.json, field "$['a.JPEG'].top_prediction": expected a class index (an integer >= 0), got a string`],
      [entry(ok.replace('"top_prediction": 1', '"top_prediction": 1.5')), `mistakes.json, field "$['a.JPEG'].top_prediction": expected a class index (an integer >= 0), got 1.5`],
      [entry(ok.replace('"Minor"', '"minor"')), `mistakes.json, field "$['a.JPEG']['failure severity']": expected "Major", "Minor" or "Borderline", got "minor"`],
      [entry(ok.replace('"Fine-grained error"', '" "')), `mistakes.json, field "$['a.JPEG']['failure category']": empty category`],
    ];
    for (const [text, message] of cases) expect(formatError(text).message).toBe(message);
    expect(formatError(entry(ok.replace('"top_prediction": 1', '"top_prediction": 1000')), 1000).message).toBe(
      `mistakes.json, field "$['a.JPEG'].top_prediction": class index 1000 is outside the vocabulary (indices 0 to 999)`,
    );
  });
});
