import type { VerdictDraft, VerdictDraftRequest } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

interface DraftRow {
  item_id: number;
  base_revision: number;
  content: string;
  updated_at: string;
}

/** What the content column holds: the draft but its base revision, which has a column of its own. */
type DraftContent = Omit<VerdictDraftRequest, 'baseRevision'>;

const toDraft = (row: DraftRow): VerdictDraft => ({
  ...(JSON.parse(row.content) as DraftContent),
  itemId: row.item_id,
  baseRevision: row.base_revision,
  updatedAt: row.updated_at,
});

/**
 * Reviewers' verdicts in progress, one per reviewer and item. Every statement is keyed by the user as well as the
 * item: a draft is only ever read, written or deleted by its owner (blind review).
 */
export function createDraftsRepository(db: Db) {
  const get = db.prepare<[number, number], DraftRow>(
    'SELECT item_id, base_revision, content, updated_at FROM verdict_drafts WHERE user_id = ? AND item_id = ?',
  );
  const upsert = db.prepare<[number, number, number, string, string]>(
    `INSERT INTO verdict_drafts (user_id, item_id, base_revision, content, updated_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (user_id, item_id) DO UPDATE SET
       base_revision = excluded.base_revision, content = excluded.content, updated_at = excluded.updated_at`,
  );
  const remove = db.prepare<[number, number]>('DELETE FROM verdict_drafts WHERE user_id = ? AND item_id = ?');

  return {
    ofUser(userId: number, itemId: number): VerdictDraft | null {
      const row = get.get(userId, itemId);
      return row ? toDraft(row) : null;
    },
    save(userId: number, itemId: number, draft: VerdictDraftRequest, updatedAt: string): VerdictDraft {
      const { baseRevision, labels, addedKeys, mistakes, problematic, problematicReason, comment } = draft;
      const content: DraftContent = { labels, addedKeys, mistakes, problematic, problematicReason, comment };
      upsert.run(userId, itemId, baseRevision, JSON.stringify(content), updatedAt);
      return { ...content, itemId, baseRevision, updatedAt };
    },
    remove(userId: number, itemId: number): void {
      remove.run(userId, itemId);
    },
  };
}
export type DraftsRepository = ReturnType<typeof createDraftsRepository>;
