import type { VocabularyClass } from '@bagel/contracts';

/**
 * Search over names, synonyms, keys and glosses of a whole vocabulary, built once and queried on every keystroke.
 * Ranking, best first: a name equal to the query, a name starting with it, a word of a name starting with it,
 * the key, a name containing it, then the gloss. Every word of the query must match somewhere.
 */
export interface VocabularySearch {
  search(query: string, limit?: number): VocabularyClass[];
}

interface Entry {
  cls: VocabularyClass;
  names: string[];
  key: string;
  gloss: string;
}

const normalize = (s: string) => s.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[_-]+/g, ' ').trim();

function scoreWord(entry: Entry, word: string): number {
  let best = 0;
  for (const name of entry.names) {
    if (name === word) return 100;
    if (name.startsWith(word)) best = Math.max(best, 80);
    else if (name.split(/\s+/).some((w) => w.startsWith(word))) best = Math.max(best, 60);
    else if (name.includes(word)) best = Math.max(best, 40);
  }
  if (best < 70 && entry.key === word) best = 70;
  else if (best < 50 && entry.key.startsWith(word)) best = 50;
  if (best === 0 && entry.gloss.includes(word)) best = 10;
  return best;
}

export function createVocabularySearch(classes: readonly VocabularyClass[]): VocabularySearch {
  const entries: Entry[] = classes.map((cls) => ({
    cls,
    names: cls.names.map(normalize),
    key: cls.key.toLowerCase(),
    gloss: normalize(cls.gloss),
  }));
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
