import type { PanelPolicy } from '@bagel/contracts';
import { panelBounds } from '@bagel/core';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { forUpdate, indexedBy, lockRows } from '../../db/dialect';
import { preparedQuery } from '../../db/prepared-query';
import { panelRoom, storedPanelPolicy } from './panel-room';

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
  panel: string;
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
 * Whether the user may take a slot of item `i` now: open or in review, not judged by them, its panel not seen by
 * them, not served to them as gold (an imported gold item is in the panel's queue too), and a slot free: verdicts plus other experts' live claims below the slots the item takes now (panel-room.ts):
 * `fewest` until that many verdicts are in, then one more than the verdicts in, below `most`. A fixed panel has
 * fewest = most = its size: its slots are the panel size. An adaptive one has min and max, and aggregation keeps an
 * item in review only while it needs more experts. The status and the flag are literals, as items_queue's predicate:
 * PostgreSQL then walks that partial index.
 */
const claimable = (userId: number, fewest: number, most: number, now: number) => sql`
  i.status IN ('open', 'in_review') AND i.panel_complete = 0 AND i.verdict_count < ${most}
  AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id AND v.user_id = ${userId})
  AND NOT EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = ${userId})
  AND NOT EXISTS (SELECT 1 FROM gold_probes gp WHERE gp.item_id = i.id AND gp.user_id = ${userId})
  AND i.verdict_count + (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> ${userId} AND c.expires_at > ${now})
    < CASE WHEN i.verdict_count < ${fewest} THEN ${fewest} ELSE i.verdict_count + 1 END`;

// The statements of `next` and of a claim, compiled once (db/prepared-query.ts).
const deleteExpiredClaims = preparedQuery((db, userId: number, now: number) => db.deleteFrom('claims').where('user_id', '=', userId).where('expires_at', '<=', now));

/**
 * Renews the user's oldest live claim in the project other than `after` on an item they may still judge (after a
 * reload, the item the expert was working on rather than the one claimed ahead); returns its item. An UPDATE rather
 * than a read then a write: a verdict deleting the claim at the same moment leaves nothing to renew.
 */
const renewHeldClaim = preparedQuery(
  (db, userId: number, projectId: number, now: number, after: number, expiresAt: number) => sql<{ item_id: number }>`
    UPDATE claims SET expires_at = ${expiresAt}
    WHERE user_id = ${userId} AND item_id = (
      SELECT c.item_id FROM claims c JOIN items i ON i.id = c.item_id
      WHERE c.user_id = ${userId} AND c.expires_at > ${now} AND i.project_id = ${projectId} AND i.status IN ('open', 'in_review')
        AND c.item_id <> ${after}
        AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = c.item_id AND v.user_id = ${userId})
        AND NOT EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = c.item_id AND pv.user_id = ${userId})
      ORDER BY c.claimed_at, c.item_id LIMIT 1)
    RETURNING item_id`,
);

/**
 * The first item in priority order the user may claim (other than `after` and the items `tried`), locked for this
 * write where the engine needs it (see above), waiting for a write that holds it. Walks the partial index items_queue in priority order and stops at the
 * first item with a free slot; complete panels are not in the index (migration 002), so the walk only passes items
 * this user judged or others hold. Two statements (not skipped, then skipped) rather than one ORDER BY on "skipped",
 * which would sort the whole queue.
 */
const pickQuery = (
  db: Queries,
  skipped: boolean,
  userId: number,
  projectId: number,
  fewest: number,
  most: number,
  now: number,
  after: number,
  tried: readonly number[],
) => sql<{ id: number }>`
  SELECT i.id FROM items i ${indexedBy(db, 'items_queue')}
  WHERE i.project_id = ${projectId} AND ${claimable(userId, fewest, most, now)} AND i.id <> ${after}
    ${tried.length > 0 ? sql`AND i.id NOT IN (${sql.join(tried)})` : sql``}
    AND ${skipped ? sql`` : sql`NOT`} EXISTS (SELECT 1 FROM skips s WHERE s.item_id = i.id AND s.user_id = ${userId})
  ORDER BY i.models_wrong DESC, i.confidence DESC, i.id
  LIMIT 1 ${forUpdate(db, 'i')}`;
const picks = [false, true].map((skipped) =>
  preparedQuery((db, userId: number, projectId: number, fewest: number, most: number, now: number, after: number) =>
    pickQuery(db, skipped, userId, projectId, fewest, most, now, after, []),
  ),
);

/** Takes a slot of the item for the user if it is still free (checked by this statement); returns a row if it did. */
const claimIfFree = preparedQuery(
  // SQLite reads "SELECT … ON CONFLICT" as a join unless the SELECT has a WHERE clause, which this one always has.
  (db, itemId: number, userId: number, fewest: number, most: number, now: number, expiresAt: number) => sql<{ item_id: number }>`
    INSERT INTO claims (item_id, user_id, expires_at, claimed_at)
    SELECT i.id, CAST(${userId} AS bigint), CAST(${expiresAt} AS bigint), CAST(${now} AS bigint) FROM items i
    WHERE i.id = ${itemId} AND ${claimable(userId, fewest, most, now)}
    ON CONFLICT (item_id, user_id) DO UPDATE SET expires_at = excluded.expires_at
    RETURNING item_id`,
);

const upsertClaim = preparedQuery((db, itemId: number, userId: number, expiresAt: number, now: number) =>
  db
    .insertInto('claims')
    .values({ item_id: itemId, user_id: userId, expires_at: expiresAt, claimed_at: now })
    .onConflict((oc) => oc.columns(['item_id', 'user_id']).doUpdateSet({ expires_at: (eb) => eb.ref('excluded.expires_at') })),
);

const claimTarget = preparedQuery(
  (db, itemId: number, userId: number, now: number) => sql<ClaimTargetRow>`
    SELECT i.project_id, i.status, p.panel_size, p.panel, p.claim_ms, i.verdict_count AS verdicts,
      CASE WHEN EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = i.id AND v.user_id = ${userId}) THEN 1 ELSE 0 END AS judged,
      CASE WHEN EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = ${userId}) THEN 1 ELSE 0 END AS seen,
      (SELECT c.expires_at FROM claims c WHERE c.item_id = i.id AND c.user_id = ${userId} AND c.expires_at > ${now}) AS own_expiry,
      (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> ${userId} AND c.expires_at > ${now}) AS claimed_by_others,
      (SELECT count(*) FROM claims c JOIN items o ON o.id = c.item_id
       WHERE c.user_id = ${userId} AND c.expires_at > ${now} AND c.item_id <> i.id AND o.project_id = i.project_id) AS other_claims
    FROM items i JOIN projects p ON p.id = i.project_id WHERE i.id = ${itemId}`,
);

/**
 * The review queue: which item an expert judges next, reserved for them by a claim.
 *
 * An item needs `panelSize` verdicts (an adaptive panel: the slots panel-room.ts says). Its free slots are
 * panelSize - verdicts - live claims of other experts, and
 * `next` only hands out an item with a free slot, taking the slot in the same write that counted it, so an item never
 * holds more live claims plus verdicts than its panel, however many experts ask at once. An expired claim stops
 * counting by its expiry time alone; no sweeper is needed (the rows are deleted lazily). A reviewer who has seen the
 * panel's verdicts of an item without judging it (a lead at the desk: panel_views) is never handed that item.
 *
 * The writes (`claimNext`, `claim`, `skip`) run in a `Database.write` job on the transaction they are given. On
 * SQLite one write runs at a time, so what they check holds until they commit. On PostgreSQL they lock first:
 * - the user's row, so that one expert's claims are taken one request at a time (two tabs asking `next` together get
 *   the same item, and never make an expert hold more than two claims);
 * - `claimNext` locks the item it picks (dialect.forUpdate), waiting for a write that holds it (another expert's
 *   claim, a verdict being written: short writes), and inserts the claim only if the item still has a free slot, in a
 *   statement run after the lock (which sees every write committed before it); if a write that committed meanwhile
 *   took the slot, the next item is picked. Experts asking at once are thus handed items in priority order, each
 *   item's panel filled before the next one's, as on SQLite: passing over a held item instead (SKIP LOCKED) handed
 *   30 experts asking at once 16 items' slots rather than the first 10 items' whole panels;
 * - `claim` of a given item locks the item's row (dialect.lockRows) before counting its slots, as a verdict does.
 * Always the user's row before an item's, and a `next` takes items' locks in priority order, so that two writes
 * seldom wait for each other (a deadlock, which PostgreSQL breaks by failing one write, is run again by the engine).
 */
export function createReviewQueueRepository(db: Queries) {
  async function pick(
    userId: number,
    project: { id: number; panelSize: number; panel: PanelPolicy },
    now: number,
    after: number,
    skipped: boolean,
    tried: readonly number[],
  ): Promise<number | undefined> {
    const { min: fewest, max: most } = panelBounds(project.panel, project.panelSize);
    const row =
      tried.length === 0
        ? await picks[skipped ? 1 : 0]!.first(db, userId, project.id, fewest, most, now, after)
        : (await pickQuery(db, skipped, userId, project.id, fewest, most, now, after, tried).execute(db)).rows[0];
    return row?.id;
  }

  return {
    /**
     * Assigns the user their next item of the project (see above), other than `after` (an item they hold, when
     * claiming ahead), or null when nothing is left for them. In a write.
     */
    async claimNext(userId: number, project: { id: number; panelSize: number; panel: PanelPolicy; claimMs: number }, now: number, after?: number): Promise<Claim | null> {
      const { min: fewest, max: most } = panelBounds(project.panel, project.panelSize);
      // PostgreSQL: this expert's claims, one request at a time (see above). SQLite: nothing to do.
      await lockRows(db, 'users', [userId]);
      await deleteExpiredClaims.run(db, userId, now);
      const expiresAt = now + project.claimMs;
      // A refresh of the page returns the item already held rather than grabbing another one; claiming ahead
      // (`after`) returns the other item held, if any: so an expert never holds more than two claims.
      const held = await renewHeldClaim.first(db, userId, project.id, now, after ?? 0, expiresAt);
      if (held) return { itemId: held.item_id, expiresAt };
      // Twice when the first pass finds nothing, on PostgreSQL: a pick that waited for another write's lock on an item
      // (a verdict on it) rechecks the item's row as that write left it, but counts its claims as they were before
      // it, so the claim that verdict released still counts and the item's free slot is missed; when it was the last
      // item, the expert was told nothing is left (1 run in 6 of the PostgreSQL outage test). A second statement
      // sees the write whole. On SQLite, one write at a time, the second pass finds what the first did.
      for (let pass = 0; pass < 2; pass++) {
        for (const skipped of [false, true]) {
          // On SQLite the first item picked is claimed. On PostgreSQL the pick locks the item and the claim checks
          // its slot again: a write that committed between the pick's snapshot and its lock may have taken the slot,
          // and then the next item is picked (never the same one again).
          const tried: number[] = [];
          for (;;) {
            const itemId = await pick(userId, project, now, after ?? 0, skipped, tried);
            if (itemId === undefined) break;
            if (await claimIfFree.first(db, itemId, userId, fewest, most, now, expiresAt)) return { itemId, expiresAt };
            tried.push(itemId);
          }
        }
      }
      return null;
    },
    /**
     * Renews the user's live claim on an item they have not judged (its expiry moves to now + the project's claim
     * time), or takes it anew when it has expired or was never taken, if the panel has a free slot (panelSize minus
     * verdicts minus other experts' live claims) and the user holds fewer than two other claims in the project.
     * In a write.
     */
    async claim(itemId: number, userId: number, now: number): Promise<ClaimOutcome> {
      // PostgreSQL: the user's row (their claims, one request at a time), then the item's (its slots, as a verdict
      // counts them), both before anything is counted. Always in this order, so two writes cannot wait on each other.
      await lockRows(db, 'users', [userId]);
      await lockRows(db, 'items', [itemId]);
      const row = await claimTarget.first(db, itemId, userId, now);
      if (!row) return { outcome: 'not-found' };
      if (row.judged === 1) return { outcome: 'judged' };
      if (row.status === 'agreed' || row.status === 'final') return { outcome: 'final', status: row.status };
      if (row.seen === 1) return { outcome: 'panel-seen' };
      if (row.own_expiry === null) {
        // Taking a slot anew (the claim expired, or was never taken): only a free one, and as `next` would, at most two
        // claims per expert and project.
        const room = panelRoom(storedPanelPolicy(row.panel), row.panel_size, row.verdicts, row.status);
        if (row.verdicts + row.claimed_by_others >= room) {
          return { outcome: 'panel-full', panelSize: room, verdicts: row.verdicts, claimedByOthers: row.claimed_by_others };
        }
        if (row.other_claims >= MAX_CLAIMS) return { outcome: 'too-many-claims', held: row.other_claims };
      }
      const expiresAt = now + row.claim_ms;
      await upsertClaim.run(db, itemId, userId, expiresAt, now);
      return { outcome: 'claimed', expiresAt, claimMs: row.claim_ms };
    },
    /**
     * Records the skip (the item then comes after all others for this user) and frees the user's panel slot. In a
     * write; on PostgreSQL after the user's row is locked, as their claims are taken.
     */
    async skip(itemId: number, userId: number, skippedAt: string): Promise<void> {
      await lockRows(db, 'users', [userId]);
      await db
        .insertInto('skips')
        .values({ item_id: itemId, user_id: userId, skipped_at: skippedAt })
        .onConflict((oc) => oc.columns(['item_id', 'user_id']).doUpdateSet({ skipped_at: (eb) => eb.ref('excluded.skipped_at') }))
        .execute();
      await db.deleteFrom('claims').where('item_id', '=', itemId).where('user_id', '=', userId).execute();
    },
  };
}
export type ReviewQueueRepository = ReturnType<typeof createReviewQueueRepository>;
