import type { DisputeKind, FinalSeverity } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { executeCompiled, shapedChunks } from '../../db/compiled-queries';

/** Most rows per multi-row INSERT (shapedChunks), well under both engines' limits of bound values. */
const ROWS_PER_INSERT = 500;

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
 * it in the transaction that writes item_consensus, with the same items (a `Database.write` job's).
 */
export function createItemFacetsRepository(db: Queries) {
  /** Replaces the facets of the project's items with ids in [from, to) by those of `items` (ids in that range; state null: no consensus). */
  async function replace(from: number, to: number, projectId: number, items: readonly { itemId: number; projectId: number; state: ItemFacetsSource | null }[]): Promise<void> {
    // Ranges are of one project's items (another project's items may fall between its ids: imports may interleave).
    // `+project_id`: a filter only, so that the rows are found through the primary key's item_id, not by reading every
    // row of the project through the (project_id, ...) indexes.
    const range = [from, to, projectId];
    await executeCompiled(db, 'facets.deleteKinds', range, () => sql`DELETE FROM item_dispute_kinds WHERE item_id >= ${from} AND item_id < ${to} AND +project_id = ${projectId}`.compile(db));
    await executeCompiled(db, 'facets.deleteMistakes', range, () => sql`DELETE FROM item_final_mistakes WHERE item_id >= ${from} AND item_id < ${to} AND +project_id = ${projectId}`.compile(db));
    const kinds: { item_id: number; kind: DisputeKind; project_id: number }[] = [];
    const mistakes: { item_id: number; model_id: number; project_id: number; severity: FinalSeverity; category: string | null }[] = [];
    for (const { itemId, projectId, state } of items) {
      if (!state) continue;
      if (state.consensus.status !== 'incomplete') for (const kind of new Set(state.consensus.disputes.map((d) => d.kind))) kinds.push({ item_id: itemId, kind, project_id: projectId });
      for (const o of state.outcomes) if (o.severity !== null) mistakes.push({ item_id: itemId, model_id: o.modelId, project_id: projectId, severity: o.severity, category: o.category });
    }
    // A range's rows in a few multi-row statements.
    for (const chunk of shapedChunks(kinds, ROWS_PER_INSERT)) {
      await executeCompiled(db, `facets.insertKinds.${chunk.length}`, chunk.flatMap(Object.values), () => db.insertInto('item_dispute_kinds').values(chunk).compile());
    }
    for (const chunk of shapedChunks(mistakes, ROWS_PER_INSERT)) {
      await executeCompiled(db, `facets.insertMistakes.${chunk.length}`, chunk.flatMap(Object.values), () => db.insertInto('item_final_mistakes').values(chunk).compile());
    }
  }

  return {
    /** One item's facets; `state` null when the item has no consensus (no verdict). */
    replaceItem(itemId: number, projectId: number, state: ItemFacetsSource | null): Promise<void> {
      return replace(itemId, itemId + 1, projectId, [{ itemId, projectId, state }]);
    },
    /** The facets of a range of the project's items written together (every judged item of the project in [from, to) is in `items`). */
    replaceRange(from: number, to: number, projectId: number, items: readonly { itemId: number; projectId: number; state: ItemFacetsSource }[]): Promise<void> {
      return replace(from, to, projectId, items);
    },
  };
}
export type ItemFacetsRepository = ReturnType<typeof createItemFacetsRepository>;
