import type { VerdictDraft, VerdictDraftRequest } from '@bagel/contracts';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';

export interface DraftRow {
  item_id: number;
  base_revision: number;
  content: string;
  updated_at: string;
}

/** What the content column holds: the draft but its base revision, which has a column of its own. */
type DraftContent = Omit<VerdictDraftRequest, 'baseRevision'>;

export const toDraft = (row: DraftRow): VerdictDraft => ({
  ...(JSON.parse(row.content) as DraftContent),
  itemId: row.item_id,
  baseRevision: row.base_revision,
  updatedAt: row.updated_at,
});

// Every review item carries the reviewer's draft, and every verdict deletes it: compiled once (db/prepared-query.ts).
const draftOf = preparedQuery((db, userId: number, itemId: number) =>
  db.selectFrom('verdict_drafts').select(['item_id', 'base_revision', 'content', 'updated_at']).where('user_id', '=', userId).where('item_id', '=', itemId),
);
const removeDraft = preparedQuery((db, userId: number, itemId: number) => db.deleteFrom('verdict_drafts').where('user_id', '=', userId).where('item_id', '=', itemId));

/**
 * Reviewers' verdicts in progress, one per reviewer and item. Every statement is keyed by the user as well as the
 * item: a draft is only ever read, written or deleted by its owner (blind review).
 */
export function createDraftsRepository(db: Queries) {
  return {
    async ofUser(userId: number, itemId: number): Promise<VerdictDraft | null> {
      const row = await draftOf.first(db, userId, itemId);
      return row ? toDraft(row) : null;
    },
    /** Saves the draft, replacing the user's on the item. In a write that has checked `baseRevision` under the item's lock. */
    async save(userId: number, itemId: number, draft: VerdictDraftRequest, updatedAt: string): Promise<VerdictDraft> {
      const { baseRevision, labels, addedKeys, mistakes, problematic, problematicReason, comment } = draft;
      const content: DraftContent = { labels, addedKeys, mistakes, problematic, problematicReason, comment };
      await db
        .insertInto('verdict_drafts')
        .values({ user_id: userId, item_id: itemId, base_revision: baseRevision, content: JSON.stringify(content), updated_at: updatedAt })
        .onConflict((oc) =>
          oc.columns(['user_id', 'item_id']).doUpdateSet((eb) => ({
            base_revision: eb.ref('excluded.base_revision'),
            content: eb.ref('excluded.content'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
      return { ...content, itemId, baseRevision, updatedAt };
    },
    async remove(userId: number, itemId: number): Promise<void> {
      await removeDraft.run(db, userId, itemId);
    },
  };
}
export type DraftsRepository = ReturnType<typeof createDraftsRepository>;
