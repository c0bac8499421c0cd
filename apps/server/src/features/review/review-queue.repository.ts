import type { Db } from '../../db/open-database';

export interface Claim {
  itemId: number;
  expiresAt: number;
}

/**
 * The review queue: which item an expert judges next, reserved for them by a claim.
 *
 * An item needs `panelSize` verdicts. Its free slots are panelSize - verdicts - live claims of other experts, and
 * `next` only hands out an item with a free slot, taking the slot in the same transaction that counted it. Since
 * better-sqlite3 runs a transaction synchronously, no other request of the process can interleave, so an item never
 * holds more live claims plus verdicts than its panel, however many experts ask at once. An expired claim stops
 * counting by its expiry time alone; no sweeper is needed (the rows are deleted lazily).
 */
export function createReviewQueueRepository(db: Db) {
  // The oldest held claim first: after a reload, the item the expert was working on rather than the one claimed ahead.
  const heldClaim = db.prepare<{ user: number; project: number; now: number; after: number }, { item_id: number }>(
    `SELECT c.item_id FROM claims c JOIN items i ON i.id = c.item_id
     WHERE c.user_id = :user AND c.expires_at > :now AND i.project_id = :project AND i.status IN ('open', 'in_review')
       AND c.item_id <> :after
       AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = c.item_id AND v.user_id = :user)
     ORDER BY c.claimed_at, c.item_id LIMIT 1`,
  );
  // Walks the partial index items_queue in priority order and stops at the first item with a free slot. Complete
  // panels are not in the index (migration 002), so the walk only passes items this user judged or others hold.
  // Two statements (not skipped, then skipped) rather than one ORDER BY on "skipped", which would sort the whole queue.
  const pick = (skipped: boolean) =>
    db.prepare<{ user: number; project: number; panel: number; now: number; after: number }, { id: number }>(
      `SELECT i.id FROM items i INDEXED BY items_queue
       WHERE i.project_id = :project AND i.status IN ('open', 'in_review') AND i.panel_complete = 0
         AND i.verdict_count < :panel AND i.id <> :after
         AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id AND v.user_id = :user)
         AND ${skipped ? '' : 'NOT'} EXISTS (SELECT 1 FROM skips s WHERE s.item_id = i.id AND s.user_id = :user)
         AND i.verdict_count + (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> :user AND c.expires_at > :now) < :panel
       ORDER BY i.models_wrong DESC, i.confidence DESC, i.id
       LIMIT 1`,
    );
  const pickUnskipped = pick(false);
  const pickSkipped = pick(true);
  const upsertClaim = db.prepare<[number, number, number, number]>(
    `INSERT INTO claims (item_id, user_id, expires_at, claimed_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (item_id, user_id) DO UPDATE SET expires_at = excluded.expires_at`,
  );
  const deleteExpiredClaimsOfUser = db.prepare<[number, number]>('DELETE FROM claims WHERE user_id = ? AND expires_at <= ?');
  const claimOf = db.prepare<[number, number, number], { expires_at: number }>(
    'SELECT expires_at FROM claims WHERE item_id = ? AND user_id = ? AND expires_at > ?',
  );
  const insertSkip = db.prepare<[number, number, string]>(
    `INSERT INTO skips (item_id, user_id, skipped_at) VALUES (?, ?, ?)
     ON CONFLICT (item_id, user_id) DO UPDATE SET skipped_at = excluded.skipped_at`,
  );
  const deleteClaim = db.prepare<[number, number]>('DELETE FROM claims WHERE item_id = ? AND user_id = ?');

  // IMMEDIATE takes the write lock up front, so a second process on the same file (an import) waits instead of
  // failing the transaction half-way with SQLITE_BUSY.
  const claimNext = db.transaction(
    (userId: number, project: { id: number; panelSize: number; claimMs: number }, now: number, after: number): Claim | null => {
      deleteExpiredClaimsOfUser.run(userId, now);
      const params = { user: userId, project: project.id, panel: project.panelSize, now, after };
      // A refresh of the page returns the item already held rather than grabbing another one; claiming ahead
      // (`after`) returns the other item held, if any: so an expert never holds more than two claims.
      const itemId =
        heldClaim.get({ user: userId, project: project.id, now, after })?.item_id ?? pickUnskipped.get(params)?.id ?? pickSkipped.get(params)?.id;
      if (itemId === undefined) return null;
      const expiresAt = now + project.claimMs;
      upsertClaim.run(itemId, userId, expiresAt, now);
      return { itemId, expiresAt };
    },
  );

  const skip = db.transaction((itemId: number, userId: number, skippedAt: string) => {
    insertSkip.run(itemId, userId, skippedAt);
    deleteClaim.run(itemId, userId);
  });

  return {
    /**
     * Assigns the user their next item of the project (see above), other than `after` (an item they hold, when
     * claiming ahead), or null when nothing is left for them.
     */
    claimNext(userId: number, project: { id: number; panelSize: number; claimMs: number }, now: number, after?: number): Claim | null {
      return claimNext.immediate(userId, project, now, after ?? 0);
    },
    /** Expiry (unix ms) of the user's live claim on the item, or null. */
    claimExpiry(itemId: number, userId: number, now: number): number | null {
      return claimOf.get(itemId, userId, now)?.expires_at ?? null;
    },
    /** Records the skip (the item then comes after all others for this user) and frees the user's panel slot. */
    skip(itemId: number, userId: number, skippedAt: string): void {
      skip.immediate(itemId, userId, skippedAt);
    },
  };
}
export type ReviewQueueRepository = ReturnType<typeof createReviewQueueRepository>;
