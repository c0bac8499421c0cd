import { describe, expect, it } from 'vitest';
import { createVocabulary } from '../vocabulary';
import { resolveClassReference } from './resolve-class';

// Keys that look like indices exist in real vocabularies (e.g. numbered species ids), hence "7" as a key here.
const vocabulary = createVocabulary([
  { index: 0, key: 'n01', names: ['tench'], gloss: '' },
  { index: 1, key: 'n02', names: ['goldfish'], gloss: '' },
  { index: 2, key: '7', names: ['seven'], gloss: '' },
  { index: 7, key: 'n07', names: ['other'], gloss: '' },
]);
const keyOf = (value: unknown, classBy: 'auto' | 'key' | 'index') => {
  const r = resolveClassReference(value, vocabulary, classBy);
  return r.ok ? r.cls.key : r.problem;
};

describe('resolveClassReference', () => {
  it('auto: strings are keys first, all-digit strings that are no key are indices, numbers are indices', () => {
    expect(keyOf('n02', 'auto')).toBe('n02');
    expect(keyOf(' n02 ', 'auto')).toBe('n02');
    expect(keyOf('1', 'auto')).toBe('n02');
    expect(keyOf('7', 'auto')).toBe('7');
    expect(keyOf(7, 'auto')).toBe('n07');
    expect(keyOf('n99', 'auto')).toBe('unknown class key "n99"');
    expect(keyOf('99', 'auto')).toBe('unknown class "99": neither a class key nor a class index');
    expect(keyOf(99, 'auto')).toBe('unknown class index 99');
  });

  it('key: only keys', () => {
    expect(keyOf('7', 'key')).toBe('7');
    expect(keyOf('1', 'key')).toBe('unknown class key "1"');
    expect(keyOf(7, 'key')).toBe('7');
  });

  it('index: only indices', () => {
    expect(keyOf('7', 'index')).toBe('n07');
    expect(keyOf(0, 'index')).toBe('n01');
    expect(keyOf('n01', 'index')).toBe('"n01" is not a class index (classBy is "index")');
    expect(keyOf(1.5, 'index')).toBe('1.5 is not a class index (indices are integers from 0)');
    expect(keyOf(-1, 'index')).toBe('-1 is not a class index (indices are integers from 0)');
  });

  it('refuses empty and non-scalar values', () => {
    expect(keyOf('', 'auto')).toBe('no class given');
    expect(keyOf(null, 'auto')).toBe('expected a class key or index, got null');
    expect(keyOf(null, 'key')).toBe('expected a class key, got null');
    expect(keyOf(true, 'index')).toBe('expected a class index, got boolean');
  });
});
