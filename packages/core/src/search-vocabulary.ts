import type { VocabularyClass } from '@bagel/contracts';

/**
 * Search over names, synonyms, keys and glosses of a whole vocabulary, built once and queried on every keystroke.
 * Ranking of each query word, best first: a name equal to it; the key equal to it; a whole word of a name equal to it
 * ("cup" in "measuring cup"); a name starting with it; a word of a name starting with it; the key starting with it; a
 * whole word of the gloss ("cup" in coffee mug's); a name merely containing it ("cup" in "porcupine"); last, a gloss
 * containing it.
 * Every word of the query must match somewhere; a query of several words matching a name as one phrase counts most.
 * Ties go to the class of lower index.
 */
export interface VocabularySearch {
  search(query: string, limit?: number): VocabularyClass[];
}

/**
 * Builds a search a slice of the vocabulary at a time, so that indexing a large vocabulary (ImageNet-21k's 21,841
 * classes) never holds a page for long: `step` indexes the next classes, `search` searches those indexed so far.
 */
export interface VocabularySearchBuilder {
  /** Indexes up to `count` more classes; true once every class is indexed. */
  step(count: number): boolean;
  readonly search: VocabularySearch;
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

/** A query word in the forms the ranking compares. */
interface Word {
  /** As typed, normalized. */
  text: string;
  /** " cup ": a whole word. */
  whole: string;
  /** " cup": the start of a word. */
  start: string;
  /** Its words alone ("o brien" for "o'brien"): every match has the text or this. */
  core: string;
}

const ASCII = /^[\x00-\x7f]*$/;

/** Lower case, accents dropped (NFKD), `_` and `-` as spaces, trimmed. */
const normalize = (s: string) => {
  const lower = s.toLowerCase();
  const plain = ASCII.test(lower) ? lower : lower.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  return plain.replace(/[_-]+/g, ' ').trim();
};
/** A normalized text as its words only (any other character is a word bound), between spaces. */
const asWords = (s: string) => ` ${(ASCII.test(s) ? s.replace(/[^a-zA-Z0-9]+/g, ' ') : s.replace(/[^\p{L}\p{N}]+/gu, ' ')).trim()} `;

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

function queryWord(text: string): Word {
  const whole = asWords(text);
  return { text, whole, start: whole.trimEnd(), core: whole.trim() };
}

function scoreWord(entry: Entry, word: Word): number {
  const { text, whole, start, core } = word;
  if (core === '') return 0;
  let best = 0;
  for (let i = 0; i < entry.names.length; i++) {
    const name = entry.names[i]!;
    if (name === text) return SCORE.exactName;
    const wordName = entry.wordNames[i]!;
    if (wordName.includes(whole)) best = Math.max(best, SCORE.wholeWord);
    else if (name.startsWith(text)) best = Math.max(best, SCORE.namePrefix);
    else if (wordName.includes(start)) best = Math.max(best, SCORE.wordPrefix);
    else if (name.includes(text)) best = Math.max(best, SCORE.substring);
  }
  if (entry.key === text) best = Math.max(best, SCORE.exactKey);
  else if (entry.key.startsWith(text)) best = Math.max(best, SCORE.keyPrefix);
  if (best < SCORE.glossWord && entry.wordGloss.includes(whole)) best = SCORE.glossWord;
  else if (best === 0 && entry.gloss.includes(text)) best = SCORE.glossSubstring;
  return best;
}

function entryOf(cls: VocabularyClass): Entry {
  const names = cls.names.map(normalize);
  const gloss = normalize(cls.gloss);
  return { cls, names, wordNames: names.map(asWords), key: cls.key.toLowerCase(), gloss, wordGloss: asWords(gloss) };
}

/** Whether a scored class ranks before another: higher score, then lower index. */
const before = (score: number, index: number, other: { score: number; entry: Entry }) =>
  score > other.score || (score === other.score && index < other.entry.cls.index);

/** Keeps the best `limit` of the classes offered, best first: most are passed over at once, nothing is sorted. */
function bestOf(limit: number) {
  const top: { score: number; entry: Entry }[] = [];
  return {
    offer(entry: Entry, score: number) {
      const index = entry.cls.index;
      if (top.length === limit && !before(score, index, top[limit - 1]!)) return;
      let at = top.length;
      while (at > 0 && before(score, index, top[at - 1]!)) at--;
      top.splice(at, 0, { score, entry });
      if (top.length > limit) top.pop();
    },
    results: () => top.map((t) => t.entry.cls),
  };
}

/**
 * The texts of a slice of the classes, each class's ended by a line break (which no query word holds), to find the
 * classes a word may match with one native search over the slice rather than a look at every class: `text` holds
 * their names, key and gloss, `words` the same as words only (the word form a query word with punctuation matches).
 */
interface Haystack {
  /** The slice's first class, in `Index.entries`. */
  first: number;
  text: string;
  /** Where each class's text starts, and (last) the end. */
  textStarts: Int32Array;
  words: string;
  wordsStarts: Int32Array;
}

function haystackOf(entries: readonly Entry[], first: number): Haystack {
  const texts = entries.map((e) => `${[...e.names, e.key, e.gloss].join('\n')}\n`);
  const words = entries.map((e) => `${[...e.wordNames, e.wordGloss].join('\n')}\n`);
  const startsOf = (parts: string[]) => {
    const starts = new Int32Array(parts.length + 1);
    for (let i = 0, at = 0; i <= parts.length; at += parts[i]?.length ?? 0, i++) starts[i] = at;
    return starts;
  };
  return { first, text: texts.join(''), textStarts: startsOf(texts), words: words.join(''), wordsStarts: startsOf(words) };
}

/** Marks (in `hit`, by class) the classes of a haystack whose part holds `needle`. */
function markHits(haystack: string, starts: Int32Array, first: number, needle: string, hit: Uint8Array): void {
  let i = 0;
  for (let at = haystack.indexOf(needle); at >= 0; at = haystack.indexOf(needle, starts[i + 1])) {
    while (starts[i + 1]! <= at) i++;
    hit[first + i] = 1;
  }
}

/** The classes indexed so far, and the look-ups that spare a query most of them. */
interface Index {
  entries: Entry[];
  haystacks: Haystack[];
  /** The classes by the first character of each word of their names. */
  byWordStart: Map<string, Entry[]>;
  /** The classes by key (lower case), and, made when first needed, sorted by key. */
  byKey: Map<string, Entry>;
  sortedByKey: Entry[] | null;
}

function addToIndex(index: Index, classes: readonly VocabularyClass[]): void {
  const added = classes.map(entryOf);
  index.haystacks.push(haystackOf(added, index.entries.length));
  for (const entry of added) {
    index.entries.push(entry);
    index.byKey.set(entry.key, entry);
    const starts = new Set<string>();
    for (const wordName of entry.wordNames) for (const word of wordName.split(' ')) if (word) starts.add(word[0]!);
    for (const start of starts) {
      const list = index.byWordStart.get(start);
      if (list) list.push(entry);
      else index.byWordStart.set(start, [entry]);
    }
  }
  index.sortedByKey = null;
}

/** The classes whose key starts with `text`. */
function keysStartingWith(index: Index, text: string): Entry[] {
  index.sortedByKey ??= index.entries.toSorted((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const sorted = index.sortedByKey;
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (sorted[mid]!.key < text) low = mid + 1;
    else high = mid;
  }
  const found: Entry[] = [];
  for (let i = low; i < sorted.length && sorted[i]!.key.startsWith(text); i++) found.push(sorted[i]!);
  return found;
}

/**
 * One word, from the look-ups alone when they give enough classes: every class the word scores 60 or more in has a
 * word of a name starting with it (an exact name, a whole word, a name or a word starting with it), but for an exact
 * key (90); a class whose key starts with it and is not among those scores 50; any other, 45 at most. So when the
 * first are at least `limit`, the best are among them; else when they and the second are, the best are the first and
 * the second of lowest index. Null when they are not enough.
 */
function searchOneWord(index: Index, word: Word, limit: number): VocabularyClass[] | null {
  if (word.core === '') return null;
  const found = new Set<Entry>();
  for (const entry of index.byWordStart.get(word.core[0]!) ?? []) if (entry.wordNames.some((name) => name.includes(word.start))) found.add(entry);
  const exactKey = index.byKey.get(word.text);
  if (exactKey) found.add(exactKey);
  const keyed = found.size < limit ? keysStartingWith(index, word.text).filter((entry) => !found.has(entry)) : [];
  if (found.size + keyed.length < limit) return null;
  const best = bestOf(limit);
  for (const entry of found) best.offer(entry, scoreWord(entry, word));
  for (const entry of keyed) best.offer(entry, SCORE.keyPrefix);
  return best.results();
}

/** A query's classes that match (score above 0), kept for the next query: typing only narrows them. */
interface Matches {
  /** The normalized query. */
  query: string;
  /** How many classes were indexed when it ran. */
  indexed: number;
  entries: Entry[];
}

/** The score of a class for a query (0: it does not match). */
function scoreQuery(entry: Entry, words: readonly Word[], phrase: Word | null): number {
  // The whole query as one phrase counts most; otherwise every word must match.
  const score = phrase ? scoreWord(entry, phrase) * 2 : 0;
  if (score > 0) return score;
  let sum = 0;
  for (const word of words) {
    const s = scoreWord(entry, word);
    if (s === 0) return 0;
    sum += s;
  }
  return sum;
}

/**
 * The classes that may match a query: those holding its longest word, or that word's words, somewhere. Every match
 * does (its phrase holds every word; otherwise every word matches, each somewhere in the class's texts).
 */
function mayMatch(index: Index, words: readonly Word[]): Entry[] {
  const longest = words.reduce((a, b) => (b.text.length > a.text.length ? b : a));
  const hit = new Uint8Array(index.entries.length);
  for (const haystack of index.haystacks) {
    markHits(haystack.text, haystack.textStarts, haystack.first, longest.text, hit);
    // A word of letters and digits only is in a text exactly when it is in its word form.
    if (longest.core !== longest.text && longest.core !== '') markHits(haystack.words, haystack.wordsStarts, haystack.first, longest.core, hit);
  }
  return index.entries.filter((_, i) => hit[i] === 1);
}

/**
 * Searches the classes, keeping the best `limit`: a one-word query from the look-ups when they are enough
 * (searchOneWord); else the classes that may match (mayMatch), or, when the query extends the last one, only the
 * classes that matched it (a class that matches a query matches every query it extends, since each word of the
 * longer query contains a word of the shorter one, or its phrase, at the same place).
 */
function searchIndex(index: Index, query: string, limit: number, last: Matches | null): { results: VocabularyClass[]; matches: Matches | null } {
  const q = normalize(query);
  if (!q || limit <= 0) return { results: [], matches: null };
  const words = q.split(/\s+/).map(queryWord);
  if (words.length === 1) {
    const results = searchOneWord(index, words[0]!, limit);
    if (results) return { results, matches: null };
  }
  const phrase = words.length > 1 ? queryWord(q) : null;
  const narrowed = last !== null && last.indexed === index.entries.length && q.startsWith(last.query);
  const pool = narrowed ? last.entries : mayMatch(index, words);
  const matched: Entry[] = [];
  const best = bestOf(limit);
  for (const entry of pool) {
    const score = scoreQuery(entry, words, phrase);
    if (score === 0) continue;
    matched.push(entry);
    best.offer(entry, score);
  }
  return { results: best.results(), matches: { query: q, indexed: index.entries.length, entries: matched } };
}

export function vocabularySearchBuilder(classes: readonly VocabularyClass[]): VocabularySearchBuilder {
  const index: Index = { entries: [], haystacks: [], byWordStart: new Map(), byKey: new Map(), sortedByKey: null };
  let last: Matches | null = null;
  return {
    step(count) {
      const from = index.entries.length;
      const to = Math.min(classes.length, from + count);
      if (to > from) addToIndex(index, classes.slice(from, to));
      return index.entries.length === classes.length;
    },
    search: {
      search(query, limit = 20) {
        const { results, matches } = searchIndex(index, query, limit, last);
        last = matches;
        return results;
      },
    },
  };
}

export function createVocabularySearch(classes: readonly VocabularyClass[]): VocabularySearch {
  const builder = vocabularySearchBuilder(classes);
  builder.step(classes.length);
  return builder.search;
}
