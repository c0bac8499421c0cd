import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';

/** How a reviewer came to see the panel's verdicts of an item: the verdicts route, or the lead's desk. */
export type PanelViewVia = 'verdicts' | 'desk';

// Every review item says when its reviewer saw the panel: compiled once (db/prepared-query.ts).
const firstSeen = preparedQuery((db, itemId: number, userId: number) =>
  db.selectFrom('panel_views').select('first_seen_at').where('item_id', '=', itemId).where('user_id', '=', userId),
);

/**
 * When each reviewer first saw the panel's verdicts of an item (migration 013). Blind review rests on it: a
 * revision stored after it is marked (verdicts.after_seeing_panel) and left out of the agreement figures, and a
 * reviewer who saw the panel before giving a verdict (a lead at the desk) never joins that panel.
 */
export function createPanelViewsRepository(db: Queries) {
  return {
    /** When the user first saw the panel's verdicts of the item (ISO time), or null. */
    async firstSeenAt(itemId: number, userId: number): Promise<string | null> {
      return (await firstSeen.first(db, itemId, userId))?.first_seen_at ?? null;
    },
    /**
     * Records that the user is being shown the panel's verdicts of the item; only the first time counts. In a write
     * that has locked the item's row, as a verdict does: a first verdict of the same user at the same moment is then
     * either stored before (and the view recorded after it) or refused (409 PANEL_SEEN).
     */
    async record(itemId: number, userId: number, at: string, via: PanelViewVia): Promise<void> {
      const inserted = await db
        .insertInto('panel_views')
        .values({ item_id: itemId, user_id: userId, first_seen_at: at, via })
        .onConflict((oc) => oc.columns(['item_id', 'user_id']).doNothing())
        .executeTakeFirst();
      // A reviewer who has seen the panel without a verdict of their own can no longer join it: their claim goes back.
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) {
        await db.deleteFrom('claims').where('item_id', '=', itemId).where('user_id', '=', userId).execute();
      }
    },
  };
}
export type PanelViewsRepository = ReturnType<typeof createPanelViewsRepository>;
