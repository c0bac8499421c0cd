import type { Decision, FinalLabels } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';

interface DecisionRow {
  sequence: number;
  kind: string;
  username: string;
  final: string | null;
  note: string;
  created_at: string;
}

const toDecision = (row: DecisionRow): Decision => ({
  sequence: row.sequence,
  kind: row.kind as Decision['kind'],
  lead: row.username,
  final: row.final === null ? null : (JSON.parse(row.final) as FinalLabels),
  note: row.note,
  createdAt: row.created_at,
});

/** What a decision on an item is checked against. */
export interface DecisionState {
  status: string;
  /** Decisions on record: the `baseDecision` a new one must name. */
  decisions: number;
  /** Verdict revisions on record (verdicts.repository writesOfItem): the panel version a finalize or override names. */
  panelVersion: number;
}

/** Decisions are append-only: an override or a reopen is a new row, so every decision stays on record with who and when. */
export function createDecisionsRepository(db: Queries) {
  return {
    /** Every decision on the item, oldest first. */
    async ofItem(itemId: number): Promise<Decision[]> {
      const rows = await db
        .selectFrom('decisions as d')
        .innerJoin('users as u', 'u.id', 'd.lead_id')
        .select(['d.sequence', 'd.kind', 'u.username', 'd.final', 'd.note', 'd.created_at'])
        .where('d.item_id', '=', itemId)
        .orderBy('d.sequence')
        .execute();
      return rows.map(toDecision);
    },
    /** The item's status, decisions and panel version in one statement, or undefined for an unknown item. */
    async state(itemId: number): Promise<DecisionState | undefined> {
      const { rows } = await sql<{ status: string; decisions: number; panel_version: number }>`
        SELECT i.status,
          (SELECT count(*) FROM decisions d WHERE d.item_id = i.id) AS decisions,
          (SELECT count(*) FROM verdicts v WHERE v.item_id = i.id) AS panel_version
        FROM items i WHERE i.id = ${itemId}`.execute(db);
      const row = rows[0];
      return row && { status: row.status, decisions: row.decisions, panelVersion: row.panel_version };
    },
    /** Appends decision number `sequence` (the count so far + 1); the caller has checked the count in the same write, under the item's lock. */
    async append(itemId: number, sequence: number, decision: { kind: Decision['kind']; leadId: number; final: FinalLabels | null; note: string; createdAt: string }): Promise<void> {
      await db
        .insertInto('decisions')
        .values({
          item_id: itemId,
          sequence,
          kind: decision.kind,
          lead_id: decision.leadId,
          final: decision.final === null ? null : JSON.stringify(decision.final),
          note: decision.note,
          created_at: decision.createdAt,
        })
        .execute();
    },
  };
}
export type DecisionsRepository = ReturnType<typeof createDecisionsRepository>;
