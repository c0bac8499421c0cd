import type { CandidateSource, ItemStatus, Judgement } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

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

export interface PredictionRecord {
  modelId: number;
  rank: number;
  classIndex: number;
  score: number | null;
}

/** Reads one item: its image, accepted labels and the models' predictions (classes by index; see the project catalog). */
export function createItemsRepository(db: Db) {
  const item = db.prepare<[number], { id: number; project_id: number; status: ItemStatus; image_id: number; file: string; missing: number; original_class_idx: number }>(
    `SELECT i.id, i.project_id, i.status, i.image_id, im.file, im.missing, im.original_class_idx
     FROM items i JOIN images im ON im.id = i.image_id WHERE i.id = ?`,
  );
  const accepted = db.prepare<[number], { class_idx: number }>('SELECT class_idx FROM accepted_labels WHERE image_id = ? ORDER BY class_idx');
  // Classes the import attached to the item: judged before the review (prior labels) or left uncertain by the crowd.
  const extraCandidates = db.prepare<[number], { class_idx: number; source: 'prior' | 'crowd'; judgement: string | null; posterior: number | null }>(
    `SELECT x.class_idx, x.source, p.judgement, cp.posterior
     FROM item_extra_candidates x
     JOIN items i ON i.id = x.item_id
     LEFT JOIN prior_labels p ON p.image_id = i.image_id AND p.class_idx = x.class_idx
     LEFT JOIN crowd_posteriors cp ON cp.image_id = i.image_id AND cp.class_idx = x.class_idx
     WHERE x.item_id = ? ORDER BY x.class_idx`,
  );
  const predictions = db.prepare<[number, number], { model_id: number; rank: number; class_idx: number; score: number | null }>(
    'SELECT model_id, rank, class_idx, score FROM predictions WHERE image_id = ? AND rank <= ? ORDER BY model_id, rank',
  );

  return {
    findById(itemId: number): ItemRecord | null {
      const row = item.get(itemId);
      if (!row) return null;
      return {
        id: row.id,
        projectId: row.project_id,
        status: row.status,
        imageId: row.image_id,
        file: row.file,
        missingAtImport: row.missing === 1,
        originalClassIndex: row.original_class_idx,
      };
    },
    acceptedClassIndices(imageId: number): number[] {
      return accepted.all(imageId).map((r) => r.class_idx);
    },
    extraCandidates(itemId: number): ExtraCandidateRecord[] {
      return extraCandidates.all(itemId).map((row) =>
        row.source === 'crowd'
          ? { classIndex: row.class_idx, source: { kind: 'crowd', posterior: row.posterior ?? 0 } }
          : { classIndex: row.class_idx, source: { kind: 'prior', judgement: (row.judgement ?? 'wrong') as Judgement } },
      );
    },
    /** Each model's predictions up to rank `topK`, best first. */
    predictions(imageId: number, topK: number): PredictionRecord[] {
      return predictions
        .all(imageId, topK)
        .map((row) => ({ modelId: row.model_id, rank: row.rank, classIndex: row.class_idx, score: row.score }));
    },
  };
}
export type ItemsRepository = ReturnType<typeof createItemsRepository>;
