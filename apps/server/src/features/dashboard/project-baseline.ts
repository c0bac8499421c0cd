import type { Judgement } from '@bagel/contracts';
import type { Db } from '../../db/open-database';
import { baseJudgements, hasCorrect, isAcceptable } from '../consensus/image-labels';
import { outcome } from '../consensus/item-state';
import type { CatalogProject } from '../projects/project-catalog';

/** Hits out of images of one original class. */
export interface ClassTally {
  total: number;
  hits: number;
}

/** One model's figures over every image of the project it ranks, before any final label (see projectBaseline). */
export interface ModelBaseline {
  /** Images of the project the model ranks (gives a top-1 for): the images it is scored on. */
  ranked: number;
  /** Against the original labels: top-1 equal to the original label. */
  before: { hits: number; mistakes: number; byClass: Map<number, ClassTally> };
  /**
   * The prior Major-slice images (`imagenet_m` of imported prior labels) the model ranks, by image id, each with
   * whether its top-1 is acceptable under the image's prior labels (ImageNet-M counts problematic images too).
   */
  priorSlice: Map<number, boolean>;
  /** Against each image's accepted or prior labels (what an image keeps until it has final labels). */
  base: { byClass: Map<number, ClassTally>; realCounted: number; realHits: number; mistakes: number };
}

export interface ProjectBaseline {
  images: number;
  /** By model id. */
  models: Map<number, ModelBaseline>;
}

const baselines = new WeakMap<Db, Map<number, ProjectBaseline>>();

/**
 * The scoreboard's starting point: every model on every image of the project, against the original labels and
 * against the labels each image has before the panel's (accepted or prior). It depends only on what the import
 * wrote (images, predictions, accepted and prior labels), which never changes, so it is computed once per project
 * and connection; the dashboard then adds, per item with final labels, the difference those labels make
 * (item_model_outcomes), which keeps it fast on a large project.
 */
export function projectBaseline(db: Db, entry: CatalogProject): ProjectBaseline {
  let perDb = baselines.get(db);
  if (!perDb) {
    perDb = new Map();
    baselines.set(db, perDb);
  }
  let baseline = perDb.get(entry.project.id);
  if (!baseline) {
    baseline = computeBaseline(db, entry);
    perDb.set(entry.project.id, baseline);
  }
  return baseline;
}

function computeBaseline(db: Db, entry: CatalogProject): ProjectBaseline {
  const projectId = entry.project.id;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const images = db.prepare<[number], [number, number]>('SELECT id, original_class_idx FROM images WHERE project_id = ? ORDER BY id').raw(true).all(projectId);
  const accepted = groupByImage(
    db.prepare<[number], [number, number]>('SELECT a.image_id, a.class_idx FROM accepted_labels a JOIN images im ON im.id = a.image_id WHERE im.project_id = ?').raw(true).all(projectId),
  );
  const prior = groupByImage(
    db
      .prepare<[number], [number, number, Judgement]>('SELECT pl.image_id, pl.class_idx, pl.judgement FROM prior_labels pl JOIN images im ON im.id = pl.image_id WHERE im.project_id = ?')
      .raw(true)
      .all(projectId),
  );
  const priorSlice = new Set(
    db.prepare<[number], [number]>('SELECT ps.image_id FROM prior_major_slice ps JOIN images im ON im.id = ps.image_id WHERE im.project_id = ?').raw(true).all(projectId).map(([id]) => id),
  );
  const priorProblematic = new Set(
    db.prepare<[number], [number]>('SELECT pp.image_id FROM prior_problematic pp JOIN images im ON im.id = pp.image_id WHERE im.project_id = ?').raw(true).all(projectId).map(([id]) => id),
  );
  const top1 = new Map<number, Map<number, number>>(entry.models.map((m) => [m.id, new Map()]));
  for (const [imageId, modelId, classIndex] of db
    .prepare<[number], [number, number, number]>(
      'SELECT p.image_id, p.model_id, p.class_idx FROM predictions p JOIN images im ON im.id = p.image_id WHERE im.project_id = ? AND p.rank = 1',
    )
    .raw(true)
    .iterate(projectId)) {
    top1.get(modelId)?.set(imageId, classIndex);
  }

  const models = new Map<number, ModelBaseline>(
    entry.models.map((m) => [
      m.id,
      { ranked: 0, before: { hits: 0, mistakes: 0, byClass: new Map() }, priorSlice: new Map(), base: { byClass: new Map(), realCounted: 0, realHits: 0, mistakes: 0 } },
    ]),
  );
  for (const [imageId, originalIndex] of images) {
    const labels = baseJudgements(
      (prior.get(imageId) ?? []).map(([classIndex, judgement]) => ({ key: keyOf(classIndex as number), judgement: judgement as Judgement })),
      (accepted.get(imageId) ?? []).map(([classIndex]) => keyOf(classIndex as number)),
    );
    const counted = !priorProblematic.has(imageId);
    const realCounted = counted && hasCorrect(labels);
    for (const model of entry.models) {
      const stats = models.get(model.id)!;
      const predicted = top1.get(model.id)!.get(imageId);
      // A model is scored on the images it ranks (outcome() says the same for the labels after review).
      if (predicted === undefined) continue;
      stats.ranked++;
      const beforeHit = predicted === originalIndex;
      stats.before.hits += beforeHit ? 1 : 0;
      stats.before.mistakes += beforeHit ? 0 : 1;
      tally(stats.before.byClass, originalIndex, 1, beforeHit ? 1 : 0);
      if (priorSlice.has(imageId)) stats.priorSlice.set(imageId, isAcceptable(labels, keyOf(predicted)));
      const o = outcome(labels, keyOf(predicted), counted, realCounted);
      tally(stats.base.byClass, originalIndex, o.counted ? 1 : 0, o.hit ? 1 : 0);
      stats.base.realCounted += o.realCounted ? 1 : 0;
      stats.base.realHits += o.realHit ? 1 : 0;
      stats.base.mistakes += o.mistake ? 1 : 0;
    }
  }
  return { images: images.length, models };
}

export function tally(byClass: Map<number, ClassTally>, classIndex: number, total: number, hits: number): void {
  const entry = byClass.get(classIndex);
  if (entry) {
    entry.total += total;
    entry.hits += hits;
  } else {
    byClass.set(classIndex, { total, hits });
  }
}

function groupByImage<R extends [number, ...unknown[]]>(rows: R[]): Map<number, unknown[][]> {
  const byImage = new Map<number, unknown[][]>();
  for (const [imageId, ...rest] of rows) {
    const list = byImage.get(imageId);
    if (list) list.push(rest);
    else byImage.set(imageId, [rest]);
  }
  return byImage;
}
