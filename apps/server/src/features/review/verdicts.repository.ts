import type { ItemStatus, ParsedVerdictRequest, Verdict } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

interface VerdictRow {
  item_id: number;
  username: string;
  revision: number;
  labels: string;
  problematic: string | null;
  mistakes: string;
  comment: string;
  created_at: string;
  after_seeing_panel: number;
}

const toVerdict = (row: VerdictRow): Verdict => ({
  itemId: row.item_id,
  expert: row.username,
  revision: row.revision,
  labels: JSON.parse(row.labels),
  problematic: row.problematic === null ? null : JSON.parse(row.problematic),
  mistakes: JSON.parse(row.mistakes),
  comment: row.comment,
  createdAt: row.created_at,
  afterSeeingPanel: row.after_seeing_panel === 1,
});

const VERDICT_COLUMNS = 'v.item_id, u.username, v.revision, v.labels, v.problematic, v.mistakes, v.comment, v.created_at, v.after_seeing_panel';

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
  | { outcome: 'stored'; revision: number; afterSeeingPanel: boolean }
  | { outcome: 'stale'; currentRevision: number }
  | { outcome: 'final' }
  | { outcome: 'panel-full'; panelSize: number; verdicts: number; claimedByOthers: number }
  | { outcome: 'panel-seen'; seenAt: string };

/** Verdicts are append-only: a revision is a new row, so no verdict is ever overwritten. */
export function createVerdictsRepository(db: Db) {
  const currentOfUser = db.prepare<[number, number], VerdictRow>(
    `SELECT ${VERDICT_COLUMNS} FROM verdicts v JOIN users u ON u.id = v.user_id
     WHERE v.item_id = ? AND v.user_id = ? ORDER BY v.revision DESC LIMIT 1`,
  );
  const currentOfItem = db.prepare<[number], VerdictRow>(
    `SELECT ${VERDICT_COLUMNS} FROM verdicts v JOIN users u ON u.id = v.user_id
     WHERE v.item_id = ?
       AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id)
     ORDER BY u.username`,
  );
  const insert = db.prepare<[number, number, number, string, string | null, string, string, string, number]>(
    `INSERT INTO verdicts (item_id, user_id, revision, labels, problematic, mistakes, comment, created_at, after_seeing_panel)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const currentRevision = db.prepare<[number, number], { revision: number | null }>(
    'SELECT max(revision) AS revision FROM verdicts WHERE item_id = ? AND user_id = ?',
  );
  // Every revision is a new row, so the count of an item's rows moves with every verdict written on it: the version
  // of the panel the lead's desk shows.
  const writesOfItem = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM verdicts WHERE item_id = ?');
  const itemStatus = db.prepare<[number], { status: string }>('SELECT status FROM items WHERE id = ?');
  // The panel's room for a first verdict: its size, the experts with a verdict, and the live claims of others.
  const panelRoom = db.prepare<{ item: number; user: number; now: number }, { panel_size: number; verdicts: number; claimed: number }>(
    `SELECT p.panel_size, i.verdict_count AS verdicts,
       (SELECT count(*) FROM claims c WHERE c.item_id = i.id AND c.user_id <> :user AND c.expires_at > :now) AS claimed
     FROM items i JOIN projects p ON p.id = i.project_id WHERE i.id = :item`,
  );
  const panelSeenAt = db.prepare<[number, number], { first_seen_at: string }>('SELECT first_seen_at FROM panel_views WHERE item_id = ? AND user_id = ?');
  const countFirstVerdict = db.prepare<[number]>(
    `UPDATE items SET
       verdict_count = verdict_count + 1,
       status = CASE WHEN status = 'open' THEN 'in_review' ELSE status END,
       panel_complete = verdict_count + 1 >= (SELECT panel_size FROM projects p WHERE p.id = items.project_id)
     WHERE id = ?`,
  );
  const releaseClaim = db.prepare<[number, number]>('DELETE FROM claims WHERE item_id = ? AND user_id = ?');
  // A reviewer's items of one project, by their current revision, most recent first (verdicts_by_user finds them).
  const ofUserInProject = db.prepare<[number, number, number, number], OwnVerdictRow>(
    `SELECT v.item_id, i.image_id, im.file, im.original_class_idx, i.status, v.revision, v.created_at, v.labels,
       v.problematic IS NOT NULL AS problematic, v.comment
     FROM verdicts v JOIN items i ON i.id = v.item_id JOIN images im ON im.id = i.image_id
     WHERE v.user_id = ? AND i.project_id = ?
       AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id)
     ORDER BY v.created_at DESC, v.item_id DESC LIMIT ? OFFSET ?`,
  );
  const countOfUserInProject = db.prepare<[number, number], { n: number }>(
    'SELECT count(DISTINCT v.item_id) AS n FROM verdicts v JOIN items i ON i.id = v.item_id WHERE v.user_id = ? AND i.project_id = ?',
  );

  const append = db.transaction((itemId: number, userId: number, verdict: ParsedVerdictRequest, createdAt: string, now: number): AppendOutcome => {
    // An agreed item is final too (automatically); a reopen puts an item back to disputed, open to revisions again.
    const status = itemStatus.get(itemId)?.status;
    if (status === 'final' || status === 'agreed') return { outcome: 'final' };
    const current = currentRevision.get(itemId, userId)?.revision ?? 0;
    if (verdict.baseRevision !== current) return { outcome: 'stale', currentRevision: current };
    const seenAt = panelSeenAt.get(itemId, userId)?.first_seen_at ?? null;
    if (current === 0) {
      // Blind review: whoever saw the panel's verdicts (a lead at the desk) does not join the panel afterwards.
      if (seenAt !== null) return { outcome: 'panel-seen', seenAt };
      // The panel's size holds here, not only in `next`: a first verdict needs a free slot, one that no other
      // expert holds with a live claim (the user's own claim is not counted: it reserved this very slot).
      const room = panelRoom.get({ item: itemId, user: userId, now })!;
      if (room.verdicts + room.claimed >= room.panel_size) {
        return { outcome: 'panel-full', panelSize: room.panel_size, verdicts: room.verdicts, claimedByOthers: room.claimed };
      }
    }
    const revision = current + 1;
    const afterSeeingPanel = seenAt !== null;
    insert.run(
      itemId,
      userId,
      revision,
      JSON.stringify(verdict.labels),
      verdict.problematic === null ? null : JSON.stringify(verdict.problematic),
      JSON.stringify(verdict.mistakes),
      verdict.comment,
      createdAt,
      afterSeeingPanel ? 1 : 0,
    );
    if (revision === 1) {
      // The first verdict fills one panel slot, and the claim that reserved the slot is fulfilled.
      countFirstVerdict.run(itemId);
      releaseClaim.run(itemId, userId);
    }
    return { outcome: 'stored', revision, afterSeeingPanel };
  });

  return {
    /** The user's latest revision on the item, or null when they have not judged it. */
    currentOfUser(itemId: number, userId: number): Verdict | null {
      const row = currentOfUser.get(itemId, userId);
      return row ? toVerdict(row) : null;
    },
    /** A page of the user's current verdicts in the project, most recent first, and how many items they judged there. */
    pageOfUserInProject(userId: number, projectId: number, offset: number, limit: number): { total: number; rows: OwnVerdictRow[] } {
      return { total: countOfUserInProject.get(userId, projectId)?.n ?? 0, rows: ofUserInProject.all(userId, projectId, limit, offset) };
    },
    /** How many verdict revisions the item has (of any expert): it grows with every verdict written on the item. */
    writesOfItem(itemId: number): number {
      return writesOfItem.get(itemId)!.n;
    },
    /** Every expert's latest revision on the item. */
    currentOfItem(itemId: number): Verdict[] {
      return currentOfItem.all(itemId).map(toVerdict);
    },
    /**
     * Appends the user's next revision, unless the item is agreed or final, `baseRevision` is not the user's current
     * revision (0 when none), or a first verdict finds no room on the panel (panelSize experts with a verdict, or the
     * rest of the slots held by other experts' live claims at `now`, unix ms) or comes from someone who saw the
     * panel's verdicts: then nothing is written and the caller learns why. Checked and written in one transaction,
     * so two submissions racing from the same base, or for the last slot, cannot both win. A revision stored after
     * the user saw the panel's verdicts is marked so.
     */
    append(itemId: number, userId: number, verdict: ParsedVerdictRequest, createdAt: string, now: number): AppendOutcome {
      return append.immediate(itemId, userId, verdict, createdAt, now);
    },
  };
}
export type VerdictsRepository = ReturnType<typeof createVerdictsRepository>;
