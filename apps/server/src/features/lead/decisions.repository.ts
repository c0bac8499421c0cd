import type { Decision, FinalLabels } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

interface DecisionRow {
  sequence: number;
  kind: Decision['kind'];
  username: string;
  final: string | null;
  note: string;
  created_at: string;
}

const toDecision = (row: DecisionRow): Decision => ({
  sequence: row.sequence,
  kind: row.kind,
  lead: row.username,
  final: row.final === null ? null : (JSON.parse(row.final) as FinalLabels),
  note: row.note,
  createdAt: row.created_at,
});

/** Decisions are append-only: an override or a reopen is a new row, so every decision stays on record with who and when. */
export function createDecisionsRepository(db: Db) {
  const ofItem = db.prepare<[number], DecisionRow>(
    `SELECT d.sequence, d.kind, u.username, d.final, d.note, d.created_at
     FROM decisions d JOIN users u ON u.id = d.lead_id WHERE d.item_id = ? ORDER BY d.sequence`,
  );
  const count = db.prepare<[number], { n: number }>('SELECT count(*) AS n FROM decisions WHERE item_id = ?');
  const insert = db.prepare<[number, number, string, number, string | null, string, string]>(
    'INSERT INTO decisions (item_id, sequence, kind, lead_id, final, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );

  return {
    /** Every decision on the item, oldest first. */
    ofItem(itemId: number): Decision[] {
      return ofItem.all(itemId).map(toDecision);
    },
    count(itemId: number): number {
      return count.get(itemId)!.n;
    },
    /** Appends the next decision (its sequence is the count so far + 1); the caller has checked the count in the same transaction. */
    append(itemId: number, decision: { kind: Decision['kind']; leadId: number; final: FinalLabels | null; note: string; createdAt: string }): number {
      const sequence = count.get(itemId)!.n + 1;
      insert.run(itemId, sequence, decision.kind, decision.leadId, decision.final === null ? null : JSON.stringify(decision.final), decision.note, decision.createdAt);
      return sequence;
    },
  };
}
export type DecisionsRepository = ReturnType<typeof createDecisionsRepository>;
