import { FinalLabels } from '@bagel/contracts';
import type { Queries } from '../../db/database';

/**
 * Gold items' answers as the Dawid–Skene estimation takes known answers (confusion-estimation.ts, KnownAnswers): per
 * gold item among `itemIds`, each class its answer judges `correct` (present) or `wrong` (absent); a class it leaves
 * `unclear` is not known. The estimation starts from them and, where they are plentiful, holds an expert's rows fixed
 * (docs/AGGREGATION.md, "Gold items: initialisation and fixed rows").
 */
export async function goldKnownAnswers(db: Queries, projectId: number, itemIds: readonly number[]): Promise<ReadonlyMap<number, ReadonlyMap<string, boolean>>> {
  const known = new Map<number, Map<string, boolean>>();
  if (itemIds.length === 0) return known;
  const rows = await db.selectFrom('gold_items').select(['item_id', 'answer']).where('project_id', '=', projectId).where('item_id', 'in', itemIds).execute();
  for (const row of rows) {
    const answer = FinalLabels.parse(JSON.parse(row.answer));
    const classes = new Map<string, boolean>();
    for (const [key, judgement] of Object.entries(answer.labels)) if (judgement !== 'unclear') classes.set(key, judgement === 'correct');
    known.set(Number(row.item_id), classes);
  }
  return known;
}
