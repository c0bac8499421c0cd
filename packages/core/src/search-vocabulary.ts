import type { VocabularyClass } from '@bagel/contracts';

/**
 * Search over names, synonyms, keys and glosses of a whole vocabulary, built once and queried on every keystroke.
 * Ranking of each query word, best first: a name equal to it; the key equal to it; a whole word of a name equal to it
 * ("cup" in "measuring cup"); a name starting with it; a word of a name starting with it; the key starting with it; a
 * whole word of the gloss ("cup" in coffee mug's); a name merely containing it ("cup" in "porcupine"); last, a gloss
 * containing it.
 * Every word of the query must match somewhere; a query of several words matching a name as one phrase counts most.
 */
export interface VocabularySearch {
  search(query: string, limit?: number): VocabularyClass[];
}

interface Entry {
  cls: VocabularyClass;
  names: string[];
  /** Each name as its words between spaces, with a space at both ends (" measuring cup "): word bounds are spaces. */
  wordNames: string[];
  key: string;
  gloss: string;
  wordGloss: string;
}

const normalize = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[_-]+/g, ' ').trim();
/** A normalized text as its words only (any other character is a word bound), between spaces. */
const asWords = (s: string) => ` ${s.replace(/[^\p{L}\p{N}]+/gu, ' ').trim()} `;

const SCORE = {
  exactName: 100,
  exactKey: 90,
  wholeWord: 80,
  namePrefix: 65,
  wordPrefix: 60,
  keyPrefix: 50,
  glossWord: 45,
  substring: 40,
  glossSubstring: 10,
} as const;

function scoreWord(entry: Entry, word: string): number {
  const words = asWords(word);
  if (words.trim() === '') return 0;
  // " cup " as a whole word, " cup" as the start of one.
  const start = words.trimEnd();
  let best = 0;
  for (const [i, name] of entry.names.entries()) {
    if (name === word) return SCORE.exactName;
    const wordName = entry.wordNames[i]!;
    if (wordName.includes(words)) best = Math.max(best, SCORE.wholeWord);
    else if (name.startsWith(word)) best = Math.max(best, SCORE.namePrefix);
    else if (wordName.includes(start)) best = Math.max(best, SCORE.wordPrefix);
    else if (name.includes(word)) best = Math.max(best, SCORE.substring);
  }
  if (entry.key === word) best = Math.max(best, SCORE.exactKey);
  else if (entry.key.startsWith(word)) best = Math.max(best, SCORE.keyPrefix);
  if (best < SCORE.glossWord && entry.wordGloss.includes(words)) best = SCORE.glossWord;
  else if (best === 0 && entry.gloss.includes(word)) best = SCORE.glossSubstring;
  return best;
}

export function createVocabularySearch(classes: readonly VocabularyClass[]): VocabularySearch {
  const entries: Entry[] = classes.map((cls) => {
    const names = cls.names.map(normalize);
    const gloss = normalize(cls.gloss);
    return { cls, names, wordNames: names.map(asWords), key: cls.key.toLowerCase(), gloss, wordGloss: asWords(gloss) };
  });
  return {
    search(query, limit = 20) {
      const q = normalize(query);
      if (!q) return [];
      const words = q.split(/\s+/);
      const scored: { entry: Entry; score: number }[] = [];
      for (const entry of entries) {
        // The whole query as one phrase counts most; otherwise every word must match.
        let score = words.length > 1 ? scoreWord(entry, q) * 2 : 0;
        if (score === 0) {
          for (const word of words) {
            const s = scoreWord(entry, word);
            if (s === 0) {
              score = 0;
              break;
            }
            score += s;
          }
        }
        if (score > 0) scored.push({ entry, score });
      }
      scored.sort((a, b) => b.score - a.score || a.entry.cls.index - b.entry.cls.index);
      return scored.slice(0, limit).map((s) => s.entry.cls);
    },
  };
}
