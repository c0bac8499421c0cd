import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VocabularyClass } from '@bagel/contracts';
import { createVocabularySearch, vocabularySearchBuilder } from './search-vocabulary';

// The real ImageNet vocabulary (1,000 classes), as shipped with the demo.
const imagenet: VocabularyClass[] = (
  JSON.parse(readFileSync(new URL('../../../data/imagenet/class_info.json', import.meta.url), 'utf8')) as {
    cid: number;
    wnid: string;
    synset: string[];
    gloss: string;
  }[]
).map((c) => ({ index: c.cid, key: c.wnid, names: c.synset, gloss: c.gloss }));

describe('createVocabularySearch over ImageNet', () => {
  const search = createVocabularySearch(imagenet);
  const firstNames = (q: string, limit = 5) => search.search(q, limit).map((c) => c.names[0]);

  it('ranks an exact name first', () => {
    expect(firstNames('espresso')[0]).toBe('espresso');
    expect(firstNames('cup')[0]).toBe('cup');
  });

  it('ranks the whole words of names before word prefixes, and substrings last (“cup” is no porcupine)', () => {
    const cup = firstNames('cup', 20);
    expect(cup.slice(0, 2)).toEqual(['cup', 'measuring cup']);
    // A whole word of the gloss (the plunger's "suction cup") still comes before a name that merely contains it.
    expect(cup.indexOf('plunger')).toBeGreaterThan(1);
    expect(cup.indexOf('plunger')).toBeLessThan(cup.indexOf('porcupine'));

    const cat = search.search('cat', 40).map((c) => c.key);
    const wholeWord = ['n02123045', 'n02123159', 'n02123394', 'n02123597', 'n02124075']; // tabby (cat), tiger, Persian, Siamese, Egyptian cat
    const prefix = 'n02125311'; // cougar: "catamount"
    const substring = 'n02443114'; // polecat
    for (const key of wholeWord) expect(cat.indexOf(key), key).toBeGreaterThanOrEqual(0);
    expect(Math.max(...wholeWord.map((key) => cat.indexOf(key)))).toBeLessThan(cat.indexOf(prefix));
    expect(cat.indexOf(prefix)).toBeLessThan(cat.indexOf(substring));

    // "car": the cars before the goldfish (Carassius: a word prefix) and the carriage dog (a prefix of a later word).
    const car = firstNames('car', 30);
    for (const name of ['car mirror', 'car wheel', 'freight car', 'sports car']) expect(car.indexOf(name), name).toBeLessThan(car.indexOf('goldfish'));
    expect(car.indexOf('goldfish')).toBeGreaterThan(0);
  });

  it('ranks a name starting with the word before a later word of a name starting with it', () => {
    const pot = firstNames('pot', 8);
    expect(pot[0]).toBe('pot');
    expect(pot.indexOf('potpie')).toBeLessThan(pot.indexOf('ocarina')); // ocarina: "sweet potato"
  });

  it('finds a class by a synonym', () => {
    // "tabby cat" is a synonym of n02123045 "tabby"
    expect(search.search('tabby cat', 3).map((c) => c.key)).toContain('n02123045');
  });

  it('finds a class by its key', () => {
    expect(search.search('n07920052', 1)[0]?.names[0]).toBe('espresso');
  });

  it('falls back to the gloss when no name matches', () => {
    const keys = search.search('dace-like', 5).map((c) => c.key);
    expect(keys).toContain('n01440764'); // tench: "freshwater dace-like game fish ..."
  });

  it('requires every word to match and ignores case and punctuation', () => {
    const results = search.search('Egyptian CAT', 5);
    expect(results[0]?.key).toBe('n02124075');
    expect(search.search('egyptian zebra', 5)).toEqual([]);
  });

  it('returns nothing for an empty query and respects the limit', () => {
    expect(search.search('   ')).toEqual([]);
    expect(search.search('dog', 7)).toHaveLength(7);
  });
});

/**
 * The ranking written plainly, as it was before the search was made fast (every class scored, every match sorted):
 * the fast search must give the same classes in the same order.
 */
function plainSearch(classes: readonly VocabularyClass[], query: string, limit: number): VocabularyClass[] {
  const normalize = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[_-]+/g, ' ').trim();
  const asWords = (s: string) => ` ${s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;
  const scoreWord = (cls: VocabularyClass, word: string): number => {
    const words = asWords(word);
    if (words.trim() === '') return 0;
    const start = words.trimEnd();
    const gloss = normalize(cls.gloss);
    const key = cls.key.toLowerCase();
    let best = 0;
    for (const name of cls.names.map(normalize)) {
      if (name === word) return 100;
      if (asWords(name).includes(words)) best = Math.max(best, 80);
      else if (name.startsWith(word)) best = Math.max(best, 65);
      else if (asWords(name).includes(start)) best = Math.max(best, 60);
      else if (name.includes(word)) best = Math.max(best, 40);
    }
    if (key === word) best = Math.max(best, 90);
    else if (key.startsWith(word)) best = Math.max(best, 50);
    if (best < 45 && asWords(gloss).includes(words)) best = 45;
    else if (best === 0 && gloss.includes(word)) best = 10;
    return best;
  };
  const q = normalize(query);
  if (!q) return [];
  const words = q.split(/\s+/);
  const scored: { cls: VocabularyClass; score: number }[] = [];
  for (const cls of classes) {
    let score = words.length > 1 ? scoreWord(cls, q) * 2 : 0;
    if (score === 0) {
      for (const word of words) {
        const s = scoreWord(cls, word);
        if (s === 0) {
          score = 0;
          break;
        }
        score += s;
      }
    }
    if (score > 0) scored.push({ cls, score });
  }
  scored.sort((a, b) => b.score - a.score || a.cls.index - b.cls.index);
  return scored.slice(0, limit).map((s) => s.cls);
}

describe('the fast search', () => {
  // ImageNet, with classes whose names have accents, punctuation and other scripts, in an order that is not the index's.
  const classes: VocabularyClass[] = [
    ...imagenet,
    { index: 1000, key: 'x-crème', names: ['Crème brûlée', 'burnt cream'], gloss: 'custard under caramelized sugar; “crème” à la française' },
    { index: 1001, key: 'x-jp', names: ['寿司', 'sushi'], gloss: 'vinegared rice with raw fish' },
    { index: 1002, key: 'x_under', names: ['t-shirt', 'tee_shirt', "O'Brien's cup"], gloss: 'a shirt of 100% cotton (no collar)' },
    // A key that is also a letter many names start with: the exact key ranks high, though no name has it as a word.
    { index: 1003, key: 'E', names: ['drinking vessel'], gloss: 'a vessel to drink from' },
  ].toReversed();
  const fast = createVocabularySearch(classes);

  it('ranks exactly as the plain scan does, over prefixes of names, keys, glosses, phrases and punctuation', () => {
    const queries = new Set<string>(['', ' ', 'a', 'e', 'cat', 'tabby cat', 'egyptian cat', 'cup', 'crème', 'creme brulee', 'BRÛLÉE', '寿', 'sushi rice',
      't-shirt', 't shirt', 'tee_shirt', "o'brien", 'o brien', "o'lantern", "jack-o'-l", '100%', '(no', 'n0212', 'N07920052', 'dace-like', 'dog dog', 'x_', 'x-', '-', '--', 'e e e']);
    for (const cls of classes.filter((_, i) => i % 97 === 0)) {
      for (const text of [cls.names[0]!, cls.key, cls.gloss.slice(0, 12)]) for (let n = 1; n <= Math.min(text.length, 6); n++) queries.add(text.slice(0, n));
    }
    for (const query of queries) {
      for (const limit of [1, 7, 30]) {
        expect(fast.search(query, limit).map((c) => c.key), `${query} (${limit})`).toEqual(plainSearch(classes, query, limit).map((c) => c.key));
      }
    }
  });

  it('narrows the last matches as a query is typed, and searches everything again when it changes otherwise', () => {
    const typed = (text: string) => Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
    const steps = [...typed('golden retriever'), ...typed('golden retriever').toReversed(), ...typed("o'brien's c"), 'cup', 'cu', 'cup', ...typed('crème b'), ...typed('t-shirt'), 'e', 'e e', 'e e e', 'e'];
    for (const query of steps) {
      expect(fast.search(query, 30).map((c) => c.key), query).toEqual(plainSearch(classes, query, 30).map((c) => c.key));
    }
  });

  it('is built a slice at a time, searching what is indexed so far', () => {
    const builder = vocabularySearchBuilder(imagenet);
    expect(builder.search.search('espresso')).toEqual([]);
    expect(builder.step(500)).toBe(false);
    expect(builder.search.search('tench', 1)[0]?.key).toBe('n01440764');
    // "e" matches among the first 500 classes; espresso (index 967) is not among them yet.
    expect(builder.search.search('e', 1)).toHaveLength(1);
    expect(builder.step(499)).toBe(false);
    expect(builder.step(500)).toBe(true);
    expect(builder.step(1)).toBe(true);
    // "espresso" extends "e", but what matched "e" then is not all that is indexed now.
    expect(builder.search.search('espresso', 3).map((c) => c.key)).toEqual(createVocabularySearch(imagenet).search('espresso', 3).map((c) => c.key));
  });
});
