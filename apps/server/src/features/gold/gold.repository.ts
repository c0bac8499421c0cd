import { FinalLabels, type GoldMark, type ParsedVerdictRequest, type Verdict } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';
import { toVerdict as verdictOfRow, type OwnVerdictRow, type VerdictRow } from '../review/verdicts.repository';

/** A gold item served to one expert (gold_probes), with their latest answer if any. */
export interface GoldProbe {
  itemId: number;
  servedAt: string;
  /** Unix ms: the probe is reserved for the expert until then, as a claim is. */
  expiresAt: number;
  skipped: boolean;
  /** Their latest answer, as a verdict revision (never seen by anyone else), or null before they answer. */
  answer: Verdict | null;
}

/** A stored answer to a gold item: a verdict's columns, without what only the panel's verdicts record. */
type ProbeAnswerRow = Omit<VerdictRow, 'username' | 'after_seeing_panel' | 'models_hidden'>;

const probeRow = preparedQuery((db, itemId: number, userId: number) =>
  db.selectFrom('gold_probes').select(['item_id', 'served_at', 'expires_at', 'skipped_at']).where('item_id', '=', itemId).where('user_id', '=', userId),
);
const latestAnswer = preparedQuery((db, itemId: number, userId: number) =>
  db
    .selectFrom('gold_probe_answers')
    .select(['item_id', 'revision', 'labels', 'problematic', 'mistakes', 'comment', 'created_at'])
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId)
    .orderBy('revision', 'desc')
    .limit(1),
);

// An expert answering a gold item never sees a panel there (afterSeeingPanel), and judges it as the item shows it.
const toVerdict = (row: ProbeAnswerRow, username: string): Verdict => verdictOfRow({ ...row, username, after_seeing_panel: 0, models_hidden: 0 });

/**
 * Gold items and the probes that serve them to experts (docs/AGGREGATION.md, "Gold items"). Takes the database's
 * queries or a write's transaction.
 */
export function createGoldRepository(db: Queries) {
  return {
    /** The user's probe of the item, or null when the item was never served to them as gold. */
    async probeOf(itemId: number, user: { id: number; username: string }): Promise<GoldProbe | null> {
      const row = await probeRow.first(db, itemId, user.id);
      if (!row) return null;
      const answer = await latestAnswer.first(db, itemId, user.id);
      return {
        itemId: row.item_id,
        servedAt: row.served_at,
        expiresAt: Number(row.expires_at),
        skipped: row.skipped_at !== null,
        answer: answer ? toVerdict(answer, user.username) : null,
      };
    },

    /** Whether the project has any gold item (the queue's gold step costs nothing without). */
    async projectHasGold(projectId: number): Promise<boolean> {
      return (await db.selectFrom('gold_items').select('item_id').where('project_id', '=', projectId).limit(1).executeTakeFirst()) !== undefined;
    },

    /**
     * The user's live, unanswered, unskipped probe in the project other than `after` (what a reload returns, as a held
     * claim), with when it was served (unix ms), or null.
     */
    async heldProbe(userId: number, projectId: number, now: number, after: number): Promise<{ itemId: number; servedMs: number } | null> {
      const row = await sql<{ item_id: number; served_at: string }>`
        SELECT p.item_id, p.served_at FROM gold_probes p
        WHERE p.user_id = ${userId} AND p.project_id = ${projectId} AND p.expires_at > ${now} AND p.skipped_at IS NULL AND p.item_id <> ${after}
          AND NOT EXISTS (SELECT 1 FROM gold_probe_answers a WHERE a.item_id = p.item_id AND a.user_id = p.user_id)
        ORDER BY p.served_at, p.item_id LIMIT 1`.execute(db);
      const first = row.rows[0];
      return first ? { itemId: Number(first.item_id), servedMs: Date.parse(first.served_at) } : null;
    },

    /** When the user's oldest live claim in the project other than `after` was taken (unix ms), or null. */
    async oldestHeldClaimMs(userId: number, projectId: number, now: number, after: number): Promise<number | null> {
      const { rows } = await sql<{ claimed_at: number }>`
        SELECT min(c.claimed_at) AS claimed_at FROM claims c JOIN items i ON i.id = c.item_id
        WHERE c.user_id = ${userId} AND c.expires_at > ${now} AND i.project_id = ${projectId} AND c.item_id <> ${after}`.execute(db);
      const value = rows[0]?.claimed_at;
      return value === null || value === undefined ? null : Number(value);
    },

    /** Items the user has been handed in the project so far: their first verdicts and the gold items served to them. */
    async itemsHanded(userId: number, projectId: number): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        SELECT (SELECT count(*) FROM verdicts v JOIN items i ON i.id = v.item_id WHERE v.user_id = ${userId} AND v.revision = 1 AND i.project_id = ${projectId})
          + (SELECT count(*) FROM gold_probes p WHERE p.user_id = ${userId} AND p.project_id = ${projectId}) AS n`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Gold items of the project the user may be served: never served to them, not judged by them in the panel, their
     * panel not seen by them, and neither claimed nor skipped by them in the panel (an imported gold item is in the
     * panel's queue too: an expert is never handed one item twice). The first `limit` by id.
     */
    async servable(userId: number, projectId: number, limit: number): Promise<number[]> {
      const { rows } = await sql<{ item_id: number }>`
        SELECT g.item_id FROM gold_items g
        WHERE g.project_id = ${projectId}
          AND NOT EXISTS (SELECT 1 FROM gold_probes p WHERE p.item_id = g.item_id AND p.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM verdicts v WHERE v.item_id = g.item_id AND v.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM panel_views pv WHERE pv.item_id = g.item_id AND pv.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM claims c WHERE c.item_id = g.item_id AND c.user_id = ${userId})
          AND NOT EXISTS (SELECT 1 FROM skips s WHERE s.item_id = g.item_id AND s.user_id = ${userId})
        ORDER BY g.item_id LIMIT ${limit}`.execute(db);
      return rows.map((row) => Number(row.item_id));
    },

    async serve(itemId: number, userId: number, projectId: number, servedAt: string, expiresAt: number): Promise<void> {
      await db.insertInto('gold_probes').values({ item_id: itemId, user_id: userId, project_id: projectId, served_at: servedAt, expires_at: expiresAt }).execute();
    },

    /** Renews the probe's reservation. */
    async renew(itemId: number, userId: number, expiresAt: number): Promise<void> {
      await db.updateTable('gold_probes').set({ expires_at: expiresAt }).where('item_id', '=', itemId).where('user_id', '=', userId).execute();
    },

    async skip(itemId: number, userId: number, skippedAt: string): Promise<void> {
      await db.updateTable('gold_probes').set({ skipped_at: skippedAt }).where('item_id', '=', itemId).where('user_id', '=', userId).execute();
    },

    /** The user's current answer revision on the item (0 before their first). */
    async currentRevision(itemId: number, userId: number): Promise<number> {
      const row = await db
        .selectFrom('gold_probe_answers')
        .select((eb) => eb.fn.max('revision').as('revision'))
        .where('item_id', '=', itemId)
        .where('user_id', '=', userId)
        .executeTakeFirst();
      return Number(row?.revision ?? 0);
    },

    async appendAnswer(itemId: number, userId: number, revision: number, verdict: ParsedVerdictRequest, createdAt: string): Promise<void> {
      await db
        .insertInto('gold_probe_answers')
        .values({
          item_id: itemId,
          user_id: userId,
          revision,
          labels: JSON.stringify(verdict.labels),
          problematic: verdict.problematic === null ? null : JSON.stringify(verdict.problematic),
          mistakes: JSON.stringify(verdict.mistakes),
          comment: verdict.comment,
          created_at: createdAt,
        })
        .execute();
    },

    /**
     * The user's current answers to gold items of the project, most recent first (the first `limit`), in the shape of
     * their own verdicts' list, and how many there are: a gold item shows in the expert's verdicts as any item in
     * review does.
     */
    async answersOfUserInProject(userId: number, projectId: number, limit: number): Promise<{ total: number; rows: OwnVerdictRow[] }> {
      const counted = await sql<{ n: number }>`
        SELECT count(DISTINCT a.item_id) AS n FROM gold_probe_answers a JOIN gold_probes p ON p.item_id = a.item_id AND p.user_id = a.user_id
        WHERE a.user_id = ${userId} AND p.project_id = ${projectId}`.execute(db);
      const { rows } = await sql<OwnVerdictRow>`
        SELECT a.item_id, i.image_id, im.file, im.original_class_idx, 'in_review' AS status, a.revision, a.created_at, a.labels,
          CASE WHEN a.problematic IS NOT NULL THEN 1 ELSE 0 END AS problematic, a.comment
        FROM gold_probe_answers a JOIN gold_probes p ON p.item_id = a.item_id AND p.user_id = a.user_id
          JOIN items i ON i.id = a.item_id JOIN images im ON im.id = i.image_id
        WHERE a.user_id = ${userId} AND p.project_id = ${projectId}
          AND a.revision = (SELECT max(b.revision) FROM gold_probe_answers b WHERE b.item_id = a.item_id AND b.user_id = a.user_id)
        ORDER BY a.created_at DESC, a.item_id DESC LIMIT ${limit}`.execute(db);
      return { total: Number(counted.rows[0]?.n ?? 0), rows };
    },

    /** Marks the item gold with `answer` (FinalLabels JSON), or changes nothing if it is gold already (marked or imported). */
    async mark(itemId: number, projectId: number, answer: string, userId: number, markedAt: string): Promise<void> {
      await db
        .insertInto('gold_items')
        .values({ item_id: itemId, project_id: projectId, answer, marked_by: userId, marked_at: markedAt })
        .onConflict((conflict) => conflict.column('item_id').doNothing())
        .execute();
    },

    async unmark(itemId: number): Promise<void> {
      await db.deleteFrom('gold_items').where('item_id', '=', itemId).execute();
    },

    /** The item's gold answer (its final labels when it was marked), or null when it is not gold. */
    async answerOf(itemId: number): Promise<FinalLabels | null> {
      const row = await db.selectFrom('gold_items').select('answer').where('item_id', '=', itemId).executeTakeFirst();
      return row ? FinalLabels.parse(JSON.parse(row.answer)) : null;
    },

    /** The item's gold mark, or null when it is not gold. */
    async goldOf(itemId: number): Promise<GoldMark | null> {
      const row = await db
        .selectFrom('gold_items as g')
        .leftJoin('users as u', 'u.id', 'g.marked_by')
        .select(['g.marked_at', 'g.answer', 'u.username'])
        .where('g.item_id', '=', itemId)
        .executeTakeFirst();
      return row ? { markedAt: row.marked_at, markedBy: row.username, answer: FinalLabels.parse(JSON.parse(row.answer)) } : null;
    },
  };
}
export type GoldRepository = ReturnType<typeof createGoldRepository>;
