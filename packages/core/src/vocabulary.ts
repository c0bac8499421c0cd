import type { VocabularyClass } from '@bagel/contracts';

/** A project's vocabulary with O(1) lookups by key and by index. */
export interface Vocabulary {
  readonly classes: readonly VocabularyClass[];
  byKey(key: string): VocabularyClass | undefined;
  byIndex(index: number): VocabularyClass | undefined;
}

export function createVocabulary(classes: readonly VocabularyClass[]): Vocabulary {
  const keyMap = new Map<string, VocabularyClass>();
  const indexMap = new Map<number, VocabularyClass>();
  for (const c of classes) {
    keyMap.set(c.key, c);
    indexMap.set(c.index, c);
  }
  return {
    classes,
    byKey: (key) => keyMap.get(key),
    byIndex: (index) => indexMap.get(index),
  };
}

/** The name people know a class by: its first name, or its key when it has none. */
export function displayName(c: Pick<VocabularyClass, 'names' | 'key'>): string {
  return c.names[0] ?? c.key;
}
