import type { CandidateSource, ItemStatus, Judgement } from '@bagel/contracts';
import type { Queries } from '../../db/database';
import { preparedQuery } from '../../db/prepared-query';

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
    /** Each model's predictions up to rank `topK`, best first. */
    async predictions(imageId: number, topK: number): Promise<PredictionRecord[]> {
      return (await predictions.all(db, imageId, topK)).map((row) => ({ modelId: row.model_id, rank: row.rank, classIndex: row.class_idx, score: row.score }));
    },
  };
}
export type ItemsRepository = ReturnType<typeof createItemsRepository>;
