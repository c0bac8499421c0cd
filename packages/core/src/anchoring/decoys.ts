import { mixIds } from '../id-draw';
import { seededRandom } from '../seeded-random';

/**
 * Decoys for one expert's view of one item (docs/AGGREGATION.md, "Decoys"): `count` classes the image most likely does
 * not show, though they look plausible: the classes the project's models confuse with its original label (their top-k
 * on the other images of that label), most confused first, without any class the item already lists. Drawn per item
 * and expert from the `pool` (twice the count, or what there is), so two experts do not meet the same decoys on an item,
 * and the draw is the same on every request.
 */
export function pickDecoys(confusedWithOriginal: readonly string[], exclude: ReadonlySet<string>, count: number, itemId: number, userId: number): string[] {
  if (count <= 0) return [];
  const pool = confusedWithOriginal.filter((key) => !exclude.has(key)).slice(0, count * 2);
  const random = seededRandom(mixIds(itemId ^ 0x3c6ef372, userId));
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}
