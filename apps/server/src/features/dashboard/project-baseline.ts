import type { Judgement } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Database, Queries } from '../../db/database';
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

/** Per database (a SQLite connection, or PostgreSQL's pool): the baselines computed, or being computed, by project. */
const baselines = new WeakMap<object, Map<number, Promise<ProjectBaseline>>>();

/** Images whose predictions are read at a time: the largest project's top-1 predictions are not all held at once. */
const IMAGES_PER_READ = 10_000;

/**
 * The scoreboard's starting point: every model on every image of the project, against the original labels and
 * against the labels each image has before the panel's (accepted or prior). It depends only on what the import
 * wrote (images, predictions, accepted and prior labels), which never changes once the import has finished (a
 * project is visible only then, and an imported project is never removed), so each instance computes it once per
 * project and database and keeps it: what another instance writes cannot make it stale. The dashboard then adds,
 * per item with final labels, the difference those labels make (project_score_deltas), which keeps it fast on a
 * large project.
 */
export function projectBaseline(database: Database, entry: CatalogProject): Promise<ProjectBaseline> {
  const key = database.sqlite ?? database;
  const perDatabase = baselines.get(key) ?? new Map<number, Promise<ProjectBaseline>>();
  baselines.set(key, perDatabase);
  const projectId = entry.project.id;
  let baseline = perDatabase.get(projectId);
  if (!baseline) {
    // Requests that come while it is computed wait for the same computation; a failed one is tried again next time.
    baseline = computeBaseline(database.queries, entry);
    perDatabase.set(projectId, baseline);
    baseline.catch(() => perDatabase.delete(projectId));
  }
  return baseline;
}

async function computeBaseline(db: Queries, entry: CatalogProject): Promise<ProjectBaseline> {
  const projectId = entry.project.id;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const images = await db.selectFrom('images').select(['id', 'original_class_idx']).where('project_id', '=', projectId).orderBy('id').execute();
  const accepted = groupByImage(
    (
      await db
        .selectFrom('accepted_labels as a')
        .innerJoin('images as im', 'im.id', 'a.image_id')
        .select(['a.image_id', 'a.class_idx'])
        .where('im.project_id', '=', projectId)
        .execute()
    ).map((r) => [r.image_id, r.class_idx] as [number, number]),
  );
  const prior = groupByImage(
    (
      await db
        .selectFrom('prior_labels as pl')
        .innerJoin('images as im', 'im.id', 'pl.image_id')
        .select(['pl.image_id', 'pl.class_idx', 'pl.judgement'])
        .where('im.project_id', '=', projectId)
        .execute()
    ).map((r) => [r.image_id, r.class_idx, r.judgement as Judgement] as [number, number, Judgement]),
  );
  const ids = (rows: { image_id: number }[]) => new Set(rows.map((r) => r.image_id));
  const priorSlice = ids(
    await db.selectFrom('prior_major_slice as ps').innerJoin('images as im', 'im.id', 'ps.image_id').select('ps.image_id').where('im.project_id', '=', projectId).execute(),
  );
  const priorProblematic = ids(
    await db.selectFrom('prior_problematic as pp').innerJoin('images as im', 'im.id', 'pp.image_id').select('pp.image_id').where('im.project_id', '=', projectId).execute(),
  );
  const top1 = new Map<number, Map<number, number>>(entry.models.map((m) => [m.id, new Map()]));
  // By ranges of image ids (the images are in id order), through the predictions' primary key (`+project_id`: a
  // filter only, or SQLite would walk the whole project's images for each range).
  for (let i = 0; i < images.length; i += IMAGES_PER_READ) {
    const from = images[i]!.id;
    const to = images[Math.min(i + IMAGES_PER_READ, images.length) - 1]!.id;
    const rows = await db
      .selectFrom('predictions as p')
      .innerJoin('images as im', 'im.id', 'p.image_id')
      .select(['p.image_id', 'p.model_id', 'p.class_idx'])
      .where(sql`+im.project_id`, '=', projectId)
      .where('im.id', '>=', from)
      .where('im.id', '<=', to)
      .where('p.rank', '=', 1)
      .execute();
    for (const { image_id, model_id, class_idx } of rows) top1.get(model_id)?.set(image_id, class_idx);
  }

  const models = new Map<number, ModelBaseline>(
    entry.models.map((m) => [
      m.id,
      { ranked: 0, before: { hits: 0, mistakes: 0, byClass: new Map() }, priorSlice: new Map(), base: { byClass: new Map(), realCounted: 0, realHits: 0, mistakes: 0 } },
    ]),
  );
  for (const { id: imageId, original_class_idx: originalIndex } of images) {
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
