import type { CandidateSource, ItemStatus, Judgement, Verdict, VerdictDraft } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';
import { toDraft } from './drafts.repository';
import { toVerdict, type VerdictRow } from './verdicts.repository';

export interface ItemRecord {
  id: number;
  projectId: number;
  status: ItemStatus;
  imageId: number;
  file: string;
  missingAtImport: boolean;
  originalClassIndex: number;
}

export interface ExtraCandidateRecord {
  classIndex: number;
  source: Extract<CandidateSource, { kind: 'prior' | 'crowd' }>;
}

/** What one reviewer has of an item: their current verdict, their draft, when they saw the panel, their live claim. */
export interface ReviewerState {
  verdict: Verdict | null;
  draft: VerdictDraft | null;
  /** ISO time, or null. */
  panelSeenAt: string | null;
  /** Unix ms, or null when they hold no live claim on the item. */
  claimExpiresAt: number | null;
  /** ISO time they asked for the models after judging every candidate with them hidden (model_reveals), or null. */
  modelsRevealedAt: string | null;
}

/** The user's verdict on the item (username and revision null when they have none), draft, claim, panel view and reveal. */
interface ReviewerStateRow extends Omit<VerdictRow, 'username' | 'revision'> {
  username: string | null;
  revision: number | null;
  draft_base_revision: number | null;
  draft_content: string;
  draft_updated_at: string;
  panel_seen_at: string | null;
  claim_expires_at: number | null;
  models_revealed_at: string | null;
}

export interface PredictionRecord {
  modelId: number;
  rank: number;
  classIndex: number;
  score: number | null;
}

// Every review request reads these: compiled once (db/prepared-query.ts).
const item = preparedQuery((db, itemId: number) =>
  db
    .selectFrom('items as i')
    .innerJoin('images as im', 'im.id', 'i.image_id')
    .select(['i.id', 'i.project_id', 'i.status', 'i.image_id', 'im.file', 'im.missing', 'im.original_class_idx'])
    .where('i.id', '=', itemId),
);
const accepted = preparedQuery((db, imageId: number) => db.selectFrom('accepted_labels').select('class_idx').where('image_id', '=', imageId).orderBy('class_idx'));
// Classes the import attached to the item: judged before the review (prior labels) or left uncertain by the crowd.
const extraCandidates = preparedQuery((db, itemId: number) =>
  db
    .selectFrom('item_extra_candidates as x')
    .innerJoin('items as i', 'i.id', 'x.item_id')
    .leftJoin('prior_labels as p', (join) => join.onRef('p.image_id', '=', 'i.image_id').onRef('p.class_idx', '=', 'x.class_idx'))
    .leftJoin('crowd_posteriors as cp', (join) => join.onRef('cp.image_id', '=', 'i.image_id').onRef('cp.class_idx', '=', 'x.class_idx'))
    .select(['x.class_idx', 'x.source', 'p.judgement', 'cp.posterior'])
    .where('x.item_id', '=', itemId)
    .orderBy('x.class_idx'),
);
const predictions = preparedQuery((db, imageId: number, topK: number) =>
  db.selectFrom('predictions').select(['model_id', 'rank', 'class_idx', 'score']).where('image_id', '=', imageId).where('rank', '<=', topK).orderBy('model_id').orderBy('rank'),
);

// One statement for the five, each keyed by the user as well as the item (blind review: only the reviewer's own).
const reviewerState = preparedQuery(
  (db, itemId: number, userId: number, now: number) => sql<ReviewerStateRow>`
    SELECT i.id AS item_id, u.username, v.revision, v.labels, v.problematic, v.mistakes, v.comment, v.created_at, v.after_seeing_panel, v.models_hidden,
      d.base_revision AS draft_base_revision, d.content AS draft_content, d.updated_at AS draft_updated_at,
      (SELECT pv.first_seen_at FROM panel_views pv WHERE pv.item_id = i.id AND pv.user_id = ${userId}) AS panel_seen_at,
      (SELECT c.expires_at FROM claims c WHERE c.item_id = i.id AND c.user_id = ${userId} AND c.expires_at > ${now}) AS claim_expires_at,
      (SELECT r.revealed_at FROM model_reveals r WHERE r.item_id = i.id AND r.user_id = ${userId}) AS models_revealed_at
    FROM items i
    LEFT JOIN verdicts v ON v.item_id = i.id AND v.user_id = ${userId}
      AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = i.id AND w.user_id = ${userId})
    LEFT JOIN users u ON u.id = v.user_id
    LEFT JOIN verdict_drafts d ON d.item_id = i.id AND d.user_id = ${userId}
    WHERE i.id = ${itemId}`,
);

/** Reads one item: its image, accepted labels and the models' predictions (classes by index; see the project catalog). */
export function createItemsRepository(db: Queries) {
  return {
    async findById(itemId: number): Promise<ItemRecord | null> {
      const row = await item.first(db, itemId);
      if (!row) return null;
      return {
        id: row.id,
        projectId: row.project_id,
        status: row.status as ItemStatus,
        imageId: row.image_id,
        file: row.file,
        missingAtImport: row.missing === 1,
        originalClassIndex: row.original_class_idx,
      };
    },
    async acceptedClassIndices(imageId: number): Promise<number[]> {
      return (await accepted.all(db, imageId)).map((r) => r.class_idx);
    },
    async extraCandidates(itemId: number): Promise<ExtraCandidateRecord[]> {
      return (await extraCandidates.all(db, itemId)).map((row) =>
        row.source === 'crowd'
          ? { classIndex: row.class_idx, source: { kind: 'crowd', posterior: row.posterior ?? 0 } }
          : { classIndex: row.class_idx, source: { kind: 'prior', judgement: (row.judgement ?? 'wrong') as Judgement } },
      );
    },
    /** What the user has of the item (see ReviewerState); null for an unknown item. Their claim counts if live at `now`. */
    async reviewerState(itemId: number, userId: number, now: number): Promise<ReviewerState | null> {
      const row = await reviewerState.first(db, itemId, userId, now);
      if (!row) return null;
      return {
        verdict: row.revision === null ? null : toVerdict({ ...row, username: row.username as string, revision: row.revision }),
        draft:
          row.draft_base_revision === null
            ? null
            : toDraft({ item_id: row.item_id, base_revision: row.draft_base_revision, content: row.draft_content, updated_at: row.draft_updated_at }),
        panelSeenAt: row.panel_seen_at,
        claimExpiresAt: row.claim_expires_at,
        modelsRevealedAt: row.models_revealed_at,
      };
    },
    /** Each model's predictions up to rank `topK`, best first. */
    async predictions(imageId: number, topK: number): Promise<PredictionRecord[]> {
      return (await predictions.all(db, imageId, topK)).map((row) => ({ modelId: row.model_id, rank: row.rank, classIndex: row.class_idx, score: row.score }));
    },
  };
}
export type ItemsRepository = ReturnType<typeof createItemsRepository>;
