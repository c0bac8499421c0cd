import type { DisputeKind, FinalSeverity, ItemStatus } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { executeCompiled, shapedChunks } from '../../db/prepared-query';

/**
 * What the item browser filters on from an item's computed state (an ItemState of the consensus feature fits): the
 * kinds of the aggregate's disputes once the panel is complete (before, its classes merely lack votes), and per
 * model the final grade of its mistake (severity null: no mistake), with the item's status (which a grade's rows
 * keep: migration 035).
 */
export interface ItemFacetsSource {
  status: ItemStatus;
  consensus: { status: 'agreed' | 'disputed' | 'incomplete'; disputes: readonly { kind: DisputeKind }[] };
  outcomes: readonly { modelId: number; severity: FinalSeverity | null; category: string | null }[];
}

type FacetItems = readonly { itemId: number; projectId: number; state: ItemFacetsSource | null }[];

/** The rows an item's state gives each facet table. */
function facetRows(items: FacetItems) {
  const kinds: { item_id: number; kind: DisputeKind; project_id: number }[] = [];
  const mistakes: { item_id: number; model_id: number; project_id: number; severity: FinalSeverity; category: string | null; status: ItemStatus }[] = [];
  for (const { itemId, projectId, state } of items) {
    if (!state) continue;
    if (state.consensus.status !== 'incomplete') for (const kind of new Set(state.consensus.disputes.map((d) => d.kind))) kinds.push({ item_id: itemId, kind, project_id: projectId });
    for (const o of state.outcomes) if (o.severity !== null) mistakes.push({ item_id: itemId, model_id: o.modelId, project_id: projectId, severity: o.severity, category: o.category, status: state.status });
  }
  return { kinds, mistakes };
}

/** Most rows per INSERT (shapedChunks): a range's rows in a few statements, well under either engine's limit of bound parameters. */
const INSERT_ROWS = 500;

/**
 * Keeps item_dispute_kinds and item_final_mistakes (migration 007) equal to the stored consensus: aggregation calls
 * it in the write that writes item_consensus and sets items.status, with the same items (so that a grade's rows keep
 * the status the item has).
 */
export function createItemFacetsRepository(db: Queries) {
  /** Replaces the facets of the project's items with ids in [from, to) by those of `items` (ids in that range; state null: no consensus). */
  async function replace(from: number, to: number, projectId: number, items: FacetItems): Promise<void> {
    // Ranges are of one project's items (another project's items may fall between its ids: imports may interleave).
    // `+project_id`: a filter only, so that SQLite finds the rows through the primary key's item_id, not by reading
    // every row of the project through the (project_id, ...) indexes.
    // Each statement compiled once (executeCompiled): this runs on every verdict.
    for (const table of ['item_dispute_kinds', 'item_final_mistakes'] as const) {
      await executeCompiled(db, `facets.delete.${table}`, [from, to, projectId], () =>
        db.deleteFrom(table).where('item_id', '>=', from).where('item_id', '<', to).where(sql`+project_id`, '=', projectId).compile(),
      );
    }
    const { kinds, mistakes } = facetRows(items);
    for (const rows of shapedChunks(kinds, INSERT_ROWS)) {
      await executeCompiled(db, `facets.insertKinds.${rows.length}`, rows.flatMap(Object.values), () => db.insertInto('item_dispute_kinds').values(rows).compile());
    }
    for (const rows of shapedChunks(mistakes, INSERT_ROWS)) {
      await executeCompiled(db, `facets.insertMistakes.${rows.length}`, rows.flatMap(Object.values), () => db.insertInto('item_final_mistakes').values(rows).compile());
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
