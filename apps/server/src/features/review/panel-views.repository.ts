import type { Db } from '../../db/open-database';

/** How a reviewer came to see the panel's verdicts of an item: the verdicts route, or the lead's desk. */
export type PanelViewVia = 'verdicts' | 'desk';

/**
 * When each reviewer first saw the panel's verdicts of an item (migration 013). Blind review rests on it: a
 * revision stored after it is marked (verdicts.after_seeing_panel) and left out of the agreement figures, and a
 * reviewer who saw the panel before giving a verdict (a lead at the desk) never joins that panel.
 */
export function createPanelViewsRepository(db: Db) {
  const firstSeen = db.prepare<[number, number], { first_seen_at: string }>('SELECT first_seen_at FROM panel_views WHERE item_id = ? AND user_id = ?');
  const insert = db.prepare<[number, number, string, PanelViewVia]>(
    'INSERT INTO panel_views (item_id, user_id, first_seen_at, via) VALUES (?, ?, ?, ?) ON CONFLICT (item_id, user_id) DO NOTHING',
  );
  // A reviewer who has seen the panel without a verdict of their own can no longer join it: their claim goes back.
  const releaseClaim = db.prepare<[number, number]>('DELETE FROM claims WHERE item_id = ? AND user_id = ?');

  const record = db.transaction((itemId: number, userId: number, at: string, via: PanelViewVia) => {
    if (insert.run(itemId, userId, at, via).changes > 0) releaseClaim.run(itemId, userId);
  });

  return {
    /** When the user first saw the panel's verdicts of the item (ISO time), or null. */
    firstSeenAt(itemId: number, userId: number): string | null {
      return firstSeen.get(itemId, userId)?.first_seen_at ?? null;
    },
    /** Records that the user is being shown the panel's verdicts of the item; only the first time counts. */
    record(itemId: number, userId: number, at: string, via: PanelViewVia): void {
      // Read first: the common case (seen before) then takes no write lock.
      if (firstSeen.get(itemId, userId)) return;
      record.immediate(itemId, userId, at, via);
    },
  };
}
export type PanelViewsRepository = ReturnType<typeof createPanelViewsRepository>;
