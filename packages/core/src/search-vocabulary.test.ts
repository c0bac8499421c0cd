import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VocabularyClass } from '@bagel/contracts';
import { createVocabularySearch } from './search-vocabulary';

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
