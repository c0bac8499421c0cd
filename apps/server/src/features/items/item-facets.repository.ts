import type { DisputeKind, FinalSeverity } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

/**
 * What the item browser filters on from an item's computed state (an ItemState of the consensus feature fits): the
 * kinds of the aggregate's disputes once the panel is complete (before, its classes merely lack votes), and per
 * model the final grade of its mistake (severity null: no mistake).
 */
export interface ItemFacetsSource {
  consensus: { status: 'agreed' | 'disputed' | 'incomplete'; disputes: readonly { kind: DisputeKind }[] };
  outcomes: readonly { modelId: number; severity: FinalSeverity | null; category: string | null }[];
}

/**
 * Keeps item_dispute_kinds and item_final_mistakes (migration 007) equal to the stored consensus: aggregation calls
 * it in the transaction that writes item_consensus, with the same items.
 */
export function createItemFacetsRepository(db: Db) {
  // Ranges are of one project's items (another project's items may fall between its ids: imports may interleave).
  // `+project_id`: a filter only, so that the rows are found through the primary key's item_id, not by reading every
  // row of the project through the (project_id, ...) indexes.
  const deleteKinds = db.prepare<[number, number, number]>('DELETE FROM item_dispute_kinds WHERE item_id >= ? AND item_id < ? AND +project_id = ?');
  const deleteMistakes = db.prepare<[number, number, number]>('DELETE FROM item_final_mistakes WHERE item_id >= ? AND item_id < ? AND +project_id = ?');
  // A whole range in one statement each: the rows come as one JSON array.
  const insertKinds = db.prepare<[string]>(
    `INSERT INTO item_dispute_kinds (item_id, kind, project_id) SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)`,
  );
  const insertMistakes = db.prepare<[string]>(
    `INSERT INTO item_final_mistakes (item_id, model_id, project_id, severity, category)
     SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 FROM json_each(?)`,
  );

  /** Replaces the facets of the project's items with ids in [from, to) by those of `items` (ids in that range; state null: no consensus). */
  function replace(from: number, to: number, projectId: number, items: readonly { itemId: number; projectId: number; state: ItemFacetsSource | null }[]): void {
    deleteKinds.run(from, to, projectId);
    deleteMistakes.run(from, to, projectId);
    const kinds: [number, DisputeKind, number][] = [];
    const mistakes: [number, number, number, FinalSeverity, string | null][] = [];
    for (const { itemId, projectId, state } of items) {
      if (!state) continue;
      if (state.consensus.status !== 'incomplete') for (const kind of new Set(state.consensus.disputes.map((d) => d.kind))) kinds.push([itemId, kind, projectId]);
      for (const o of state.outcomes) if (o.severity !== null) mistakes.push([itemId, o.modelId, projectId, o.severity, o.category]);
    }
    if (kinds.length > 0) insertKinds.run(JSON.stringify(kinds));
    if (mistakes.length > 0) insertMistakes.run(JSON.stringify(mistakes));
  }

  return {
    /** One item's facets; `state` null when the item has no consensus (no verdict). */
    replaceItem(itemId: number, projectId: number, state: ItemFacetsSource | null): void {
      replace(itemId, itemId + 1, projectId, [{ itemId, projectId, state }]);
    },
    /** The facets of a range of the project's items written together (every judged item of the project in [from, to) is in `items`). */
    replaceRange(from: number, to: number, projectId: number, items: readonly { itemId: number; projectId: number; state: ItemFacetsSource }[]): void {
      replace(from, to, projectId, items);
    },
  };
}
export type ItemFacetsRepository = ReturnType<typeof createItemFacetsRepository>;
