import type { VocabularyClass } from '@bagel/contracts';
import type { Vocabulary } from '../vocabulary';

/** How a labels or predictions file names classes (the manifest's `classBy`). */
export type ClassBy = 'auto' | 'key' | 'index';

export type ClassResolution = { ok: true; cls: VocabularyClass } | { ok: false; problem: string };

const ALL_DIGITS = /^\d+$/;

/**
 * Finds the class a file cell or JSON value names.
 * `key`: the value is a class key. `index`: a class index (a JSON number or a string of digits).
 * `auto`: a JSON number is an index; a string is a key, or an index when it is all digits and no key is spelt so.
 */
export function resolveClassReference(value: unknown, vocabulary: Vocabulary, classBy: ClassBy): ClassResolution {
  if (typeof value === 'number') {
    if (classBy === 'key') return byKey(String(value), vocabulary);
    return byIndexNumber(value, vocabulary);
  }
  if (typeof value !== 'string') {
    const expected = classBy === 'auto' ? 'a class key or index' : `a class ${classBy}`;
    return { ok: false, problem: `expected ${expected}, got ${value === null ? 'null' : typeof value}` };
  }
  const text = value.trim();
  if (text === '') return { ok: false, problem: 'no class given' };
  if (classBy === 'key') return byKey(text, vocabulary);
  if (classBy === 'index') {
    if (!ALL_DIGITS.test(text)) return { ok: false, problem: `"${text}" is not a class index (classBy is "index")` };
    return byIndexNumber(Number(text), vocabulary);
  }
  const cls = vocabulary.byKey(text);
  if (cls) return { ok: true, cls };
  if (ALL_DIGITS.test(text)) {
    const indexed = vocabulary.byIndex(Number(text));
    if (indexed) return { ok: true, cls: indexed };
    return { ok: false, problem: `unknown class "${text}": neither a class key nor a class index` };
  }
  return { ok: false, problem: `unknown class key "${text}"` };
}

function byKey(key: string, vocabulary: Vocabulary): ClassResolution {
  const cls = vocabulary.byKey(key);
  return cls ? { ok: true, cls } : { ok: false, problem: `unknown class key "${key}"` };
}

function byIndexNumber(index: number, vocabulary: Vocabulary): ClassResolution {
  if (!Number.isSafeInteger(index) || index < 0) return { ok: false, problem: `${index} is not a class index (indices are integers from 0)` };
  const cls = vocabulary.byIndex(index);
  return cls ? { ok: true, cls } : { ok: false, problem: `unknown class index ${index}` };
}
