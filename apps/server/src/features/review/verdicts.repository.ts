import type { ItemStatus, ModelEvidence, ParsedVerdictRequest, Verdict } from '@bagel/contracts';
import { panelBounds } from '@bagel/core';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';
import { panelRoom, storedPanelPolicy } from './panel-room';

export interface VerdictRow {
  item_id: number;
  username: string;
  revision: number;
  labels: string;
  problematic: string | null;
  mistakes: string;
  comment: string;
  created_at: string;
  after_seeing_panel: number;
  models_hidden: number;
}

export const toVerdict = (row: VerdictRow): Verdict => ({
  itemId: row.item_id,
  expert: row.username,
  revision: row.revision,
  labels: JSON.parse(row.labels),
  problematic: row.problematic === null ? null : JSON.parse(row.problematic),
  mistakes: JSON.parse(row.mistakes),
  comment: row.comment,
  createdAt: row.created_at,
  afterSeeingPanel: row.after_seeing_panel === 1,
  modelsHidden: row.models_hidden === 1,
});

const VERDICT_COLUMNS = ['v.item_id', 'u.username', 'v.revision', 'v.labels', 'v.problematic', 'v.mistakes', 'v.comment', 'v.created_at', 'v.after_seeing_panel', 'v.models_hidden'] as const;

/** A reviewer's current verdict on one item, with what a list of their verdicts shows of the item. */
export interface OwnVerdictRow {
  item_id: number;
  image_id: number;
  file: string;
  original_class_idx: number;
  status: ItemStatus;
  revision: number;
  created_at: string;
  labels: string;
  problematic: number;
  comment: string;
}

export type AppendOutcome =
  | { outcome: 'stored'; revision: number; afterSeeingPanel: boolean; modelsHidden: boolean }
  | { outcome: 'stale'; currentRevision: number }
  | { outcome: 'final' }
  | { outcome: 'panel-full'; panelSize: number; verdicts: number; claimedByOthers: number }
  | { outcome: 'panel-seen'; seenAt: string };

/** What `append` checks, read in one statement. */
interface AppendStateRow {
  status: string;
  panel_size: number;
  panel: string;
  model_evidence: ModelEvidence;
  verdicts: number;
  current_revision: number | null;
  seen_at: string | null;
  claimed: number;
  revealed: number;
}

const verdictsWithUser = (db: Queries) => db.selectFrom('verdicts as v').innerJoin('users as u', 'u.id', 'v.user_id').select(VERDICT_COLUMNS);

// The review loop's statements, compiled once (db/prepared-query.ts).
const currentRevision = preparedQuery((db, itemId: number, userId: number) =>
  db
    .selectFrom('verdicts')
    .select((eb) => eb.fn.max('revision').as('revision'))
    .where('item_id', '=', itemId)
    .where('user_id', '=', userId),
);
// Everything `append` checks in one statement: the item's status, the user's current revision, when they saw the
// panel, and the panel's room for a first verdict (its size, the experts with a verdict, others' live claims).
const appendState = preparedQuery(
  (db, itemId: number, userId: number, now: number) => sql<AppendStateRow>`
    SELECT i.status, p.panel_size, p.panel, p.model_evidence, i.verdict_count AS verdicts,
      (SELECT max(v.revision) FROM verdicts v WHERE v.item_id = i.id AND v.user_id = ${userId}) AS current_revision,
      (SELECT count(*) FROM model_reveals r WHERE r.item_id = i.id AND r.user_id = ${userId}) AS revealed,
      (SELECT pv.first_seen_at FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = ${userId}) AS seen_at,
      (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> ${userId} AND c.expires_at > ${now}) AS claimed
    FROM items i JOIN projects p ON p.id = i.project_id WHERE i.id = ${itemId}`,
);
const insertVerdict = preparedQuery(
  (
    db,
    itemId: number,
    userId: number,
    revision: number,
    labels: string,
    problematic: string | null,
    mistakes: string,
    comment: string,
    createdAt: string,
    afterSeeingPanel: number,
    modelsHidden: number,
    evidenceSetting: ModelEvidence,
  ) =>
    db.insertInto('verdicts').values({
      item_id: itemId,
      user_id: userId,
      revision,
      labels,
      problematic,
      mistakes,
      comment,
      created_at: createdAt,
      after_seeing_panel: afterSeeingPanel,
      models_hidden: modelsHidden,
      evidence_setting: evidenceSetting,
    }),
);
// The first verdict fills one panel slot (the panel is complete at the most verdicts an item gets: the panel size,
// or an adaptive panel's max). The item's status is aggregation's to set (refreshItem, in the same write), which
// moves the project's totals with it.
const countFirstVerdict = preparedQuery(
  (db, itemId: number, most: number) => sql`
    UPDATE items SET
      verdict_count = verdict_count + 1,
      panel_complete = CASE WHEN verdict_count + 1 >= ${most} THEN 1 ELSE 0 END
    WHERE id = ${itemId}`,
);
const releaseClaim = preparedQuery((db, itemId: number, userId: number) => db.deleteFrom('claims').where('item_id', '=', itemId).where('user_id', '=', userId));

/** Verdicts are append-only: a revision is a new row, so no verdict is ever overwritten. */
export function createVerdictsRepository(db: Queries) {
  return {
    /** The user's current revision on the item (0 when they have not judged it). */
    async currentRevision(itemId: number, userId: number): Promise<number> {
      return (await currentRevision.first(db, itemId, userId))?.revision ?? 0;
    },
    /**
     * A page of the user's current verdicts in the project, most recent first (verdicts_by_user finds them), and how
     * many items they judged there. Two statements: in a snapshot, so that they agree.
     */
    async pageOfUserInProject(userId: number, projectId: number, offset: number, limit: number): Promise<{ total: number; rows: OwnVerdictRow[] }> {
      const counted = await db
        .selectFrom('verdicts as v')
        .innerJoin('items as i', 'i.id', 'v.item_id')
        .select(sql<number>`count(DISTINCT v.item_id)`.as('n'))
        .where('v.user_id', '=', userId)
        .where('i.project_id', '=', projectId)
        .executeTakeFirst();
      const { rows } = await sql<OwnVerdictRow>`
        SELECT v.item_id, i.image_id, im.file, im.original_class_idx, i.status, v.revision, v.created_at, v.labels,
          CASE WHEN v.problematic IS NOT NULL THEN 1 ELSE 0 END AS problematic, v.comment
        FROM verdicts v JOIN items i ON i.id = v.item_id JOIN images im ON im.id = i.image_id
        WHERE v.user_id = ${userId} AND i.project_id = ${projectId}
          AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id)
        ORDER BY v.created_at DESC, v.item_id DESC LIMIT ${limit} OFFSET ${offset}`.execute(db);
      return { total: counted?.n ?? 0, rows };
    },
    /**
     * How many verdict revisions the item has (of any expert): every revision is a new row, so the count moves with
     * every verdict written on the item. It is the version of the panel the lead's desk shows.
     */
    async writesOfItem(itemId: number): Promise<number> {
      const row = await db.selectFrom('verdicts').select((eb) => eb.fn.countAll<number>().as('n')).where('item_id', '=', itemId).executeTakeFirstOrThrow();
      return row.n;
    },
    /** Every expert's latest revision on the item. */
    async currentOfItem(itemId: number): Promise<Verdict[]> {
      const rows = await verdictsWithUser(db)
        .where('v.item_id', '=', itemId)
        .where('v.revision', '=', (eb) =>
          eb.selectFrom('verdicts as w').select((w) => w.fn.max('w.revision').as('r')).whereRef('w.item_id', '=', 'v.item_id').whereRef('w.user_id', '=', 'v.user_id'),
        )
        .orderBy('u.username')
        .execute();
      return rows.map(toVerdict);
    },
    /**
     * Appends the user's next revision, unless the item is agreed or final, `baseRevision` is not the user's current
     * revision (0 when none), or a first verdict finds no room on the panel (panelSize experts with a verdict, or the
     * rest of the slots held by other experts' live claims at `now`, unix ms) or comes from someone who saw the
     * panel's verdicts: then nothing is written and the caller learns why. A revision stored after the user saw the
     * panel's verdicts is marked so.
     *
     * Runs in a write that has locked the item's row (dialect.lockRows) before calling it: checked and written under
     * that lock, two submissions racing from the same base, or for the last slot, cannot both win on either engine.
     */
    async append(itemId: number, userId: number, verdict: ParsedVerdictRequest, createdAt: string, now: number): Promise<AppendOutcome> {
      const state = await appendState.first(db, itemId, userId, now);
      if (!state) throw new Error(`item ${itemId} not found`);
      // An agreed item is final too (automatically); a reopen puts an item back to disputed, open to revisions again.
      if (state.status === 'final' || state.status === 'agreed') return { outcome: 'final' };
      const current = state.current_revision ?? 0;
      if (verdict.baseRevision !== current) return { outcome: 'stale', currentRevision: current };
      const seenAt = state.seen_at;
      const policy = storedPanelPolicy(state.panel);
      if (current === 0) {
        // Blind review: whoever saw the panel's verdicts (a lead at the desk) does not join the panel afterwards.
        if (seenAt !== null) return { outcome: 'panel-seen', seenAt };
        // The panel's size holds here, not only in `next`: a first verdict needs a free slot, one that no other
        // expert holds with a live claim (the user's own claim is not counted: it reserved this very slot). Under an
        // adaptive policy the slots are those the item takes now (panel-room.ts), as `next` counts them.
        const room = panelRoom(policy, state.panel_size, state.verdicts, state.status);
        if (state.verdicts + state.claimed >= room) {
          return { outcome: 'panel-full', panelSize: room, verdicts: state.verdicts, claimedByOthers: state.claimed };
        }
      }
      const revision = current + 1;
      const afterSeeingPanel = seenAt !== null;
      // Judged with the models hidden: the expert asked for them only once every candidate was judged (model_reveals,
      // taken only in the hidden condition). A verdict without a reveal was judged with the models shown, whatever the
      // condition is now (the setting may have changed while the expert had the item open), and says so.
      const modelsHidden = state.revealed > 0;
      await insertVerdict.run(
        db,
        itemId,
        userId,
        revision,
        JSON.stringify(verdict.labels),
        verdict.problematic === null ? null : JSON.stringify(verdict.problematic),
        JSON.stringify(verdict.mistakes),
        verdict.comment,
        createdAt,
        afterSeeingPanel ? 1 : 0,
        modelsHidden ? 1 : 0,
        state.model_evidence,
      );
      if (revision === 1) {
        // The first verdict fills one panel slot, and the claim that reserved the slot is fulfilled.
        await countFirstVerdict.run(db, itemId, panelBounds(policy, state.panel_size).max);
        await releaseClaim.run(db, itemId, userId);
      }
      return { outcome: 'stored', revision, afterSeeingPanel, modelsHidden };
    },
  };
}
export type VerdictsRepository = ReturnType<typeof createVerdictsRepository>;
