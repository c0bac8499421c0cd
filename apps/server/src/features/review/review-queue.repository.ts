import type { Db } from '../../db/open-database';

export interface Claim {
  itemId: number;
  expiresAt: number;
}

/** Claims an expert may hold at once in a project: the item being judged and the one claimed ahead. */
const MAX_CLAIMS = 2;

interface ClaimTargetRow {
  project_id: number;
  status: string;
  panel_size: number;
  claim_ms: number;
  verdicts: number;
  judged: number;
  seen: number;
  own_expiry: number | null;
  claimed_by_others: number;
  other_claims: number;
}

export type ClaimOutcome =
  | { outcome: 'claimed'; expiresAt: number; claimMs: number }
  | { outcome: 'not-found' }
  | { outcome: 'judged' }
  | { outcome: 'final'; status: string }
  | { outcome: 'panel-seen' }
  | { outcome: 'panel-full'; panelSize: number; verdicts: number; claimedByOthers: number }
  | { outcome: 'too-many-claims'; held: number };

/**
 * The review queue: which item an expert judges next, reserved for them by a claim.
 *
 * An item needs `panelSize` verdicts. Its free slots are panelSize - verdicts - live claims of other experts, and
 * `next` only hands out an item with a free slot, taking the slot in the same transaction that counted it. Since
 * better-sqlite3 runs a transaction synchronously, no other request of the process can interleave, so an item never
 * holds more live claims plus verdicts than its panel, however many experts ask at once. An expired claim stops
 * counting by its expiry time alone; no sweeper is needed (the rows are deleted lazily). A reviewer who has seen the
 * panel's verdicts of an item without judging it (a lead at the desk: panel_views) is never handed that item.
 */
export function createReviewQueueRepository(db: Db) {
  // The oldest held claim first: after a reload, the item the expert was working on rather than the one claimed ahead.
  const heldClaim = db.prepare<{ user: number; project: number; now: number; after: number }, { item_id: number }>(
    `SELECT c.item_id FROM claims c JOIN items i ON i.id = c.item_id
     WHERE c.user_id = :user AND c.expires_at > :now AND i.project_id = :project AND i.status IN ('open', 'in_review')
       AND c.item_id <> :after
       AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = c.item_id AND v.user_id = :user)
       AND NOT EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = c.item_id AND pv.user_id = :user)
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
         AND NOT EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = :user)
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
  const claimTarget = db.prepare<{ item: number; user: number; now: number }, ClaimTargetRow>(
    `SELECT i.project_id, i.status, p.panel_size, p.claim_ms, i.verdict_count AS verdicts,
       EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id AND v.user_id = :user) AS judged,
       EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = :user) AS seen,
       (SELECT c.expires_at FROM claims c WHERE c.item_id = i.id AND c.user_id = :user AND c.expires_at > :now) AS own_expiry,
       (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> :user AND c.expires_at > :now) AS claimed_by_others,
       (SELECT count(*) FROM claims c JOIN items o ON o.id = c.item_id
        WHERE c.user_id = :user AND c.expires_at > :now AND c.item_id <> i.id AND o.project_id = i.project_id) AS other_claims
     FROM items i JOIN projects p ON p.id = i.project_id WHERE i.id = :item`,
  );

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

  const claimItem = db.transaction((itemId: number, userId: number, now: number): ClaimOutcome => {
    const row = claimTarget.get({ item: itemId, user: userId, now });
    if (!row) return { outcome: 'not-found' };
    if (row.judged === 1) return { outcome: 'judged' };
    if (row.status === 'agreed' || row.status === 'final') return { outcome: 'final', status: row.status };
    if (row.seen === 1) return { outcome: 'panel-seen' };
    if (row.own_expiry === null) {
      // Taking a slot anew (the claim expired, or was never taken): only a free one, and as `next` would, at most two
      // claims per expert and project.
      if (row.verdicts + row.claimed_by_others >= row.panel_size) {
        return { outcome: 'panel-full', panelSize: row.panel_size, verdicts: row.verdicts, claimedByOthers: row.claimed_by_others };
      }
      if (row.other_claims >= MAX_CLAIMS) return { outcome: 'too-many-claims', held: row.other_claims };
    }
    const expiresAt = now + row.claim_ms;
    upsertClaim.run(itemId, userId, expiresAt, now);
    return { outcome: 'claimed', expiresAt, claimMs: row.claim_ms };
  });

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
    /**
     * Renews the user's live claim on an item they have not judged (its expiry moves to now + the project's claim
     * time), or takes it anew when it has expired or was never taken, if the panel has a free slot (panelSize minus
     * verdicts minus other experts' live claims) and the user holds fewer than two other claims in the project.
     */
    claim(itemId: number, userId: number, now: number): ClaimOutcome {
      return claimItem.immediate(itemId, userId, now);
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
