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

/** Per database (a SQLite connection, or PostgreSQL's pool): the baselines read or computed, or being, by project. */
const baselines = new WeakMap<object, Map<number, Promise<ProjectBaseline>>>();

/** Images whose rows are read at a time by computeBaseline: the largest project is never held whole. */
const IMAGES_PER_READ = 10_000;

/**
 * The scoreboard's starting point: every model on every image of the project, against the original labels and
 * against the labels each image has before the panel's (accepted or prior). It depends only on what the import
 * wrote (images, predictions, accepted and prior labels), which never changes once the import has finished (a
 * project is visible only then, and an imported project is never removed), so it is stored once computed
 * (project_baselines, migration 022: the import tallies it as it writes the project, createBaselineTally) and each
 * instance keeps it once read: what another instance writes cannot make it stale. A project imported before it was
 * stored is computed by its first dashboard, once for every instance. The dashboard then adds, per item with final
 * labels, the difference those labels make (project_score_deltas), which keeps it fast on a large project.
 */
export function projectBaseline(database: Database, entry: CatalogProject): Promise<ProjectBaseline> {
  const key = database.sqlite ?? database;
  const perDatabase = baselines.get(key) ?? new Map<number, Promise<ProjectBaseline>>();
  baselines.set(key, perDatabase);
  const projectId = entry.project.id;
  let baseline = perDatabase.get(projectId);
  if (!baseline) {
    // Requests that come while it is read or computed wait for the same one; a failed one is tried again next time.
    baseline = storedOrComputed(database, entry);
    perDatabase.set(projectId, baseline);
    baseline.catch(() => perDatabase.delete(projectId));
  }
  return baseline;
}

async function storedOrComputed(database: Database, entry: CatalogProject): Promise<ProjectBaseline> {
  const projectId = entry.project.id;
  const stored = await database.queries.selectFrom('project_baselines').select('baseline').where('project_id', '=', projectId).executeTakeFirst();
  const parsed = stored && parseBaseline(stored.baseline);
  if (parsed) return parsed;
  const baseline = await computeBaseline(database.queries, entry);
  const text = serializeBaseline(baseline);
  // Another instance (or the import) may store the same at the same time: either is right.
  await database.write((trx) =>
    trx
      .insertInto('project_baselines')
      .values({ project_id: projectId, baseline: text })
      .onConflict((oc) => oc.column('project_id').doUpdateSet({ baseline: text }))
      .execute(),
  );
  return baseline;
}

/** The stored format's version: a baseline stored in another is computed again (and stored over). */
const FORMAT = 1;

type ClassRows = [classIndex: number, total: number, hits: number][];
interface StoredBaseline {
  format: typeof FORMAT;
  images: number;
  models: [
    modelId: number,
    {
      ranked: number;
      before: { hits: number; mistakes: number; byClass: ClassRows };
      priorSlice: [imageId: number, acceptable: 0 | 1][];
      base: { byClass: ClassRows; realCounted: number; realHits: number; mistakes: number };
    },
  ][];
}

const classRows = (byClass: Map<number, ClassTally>): ClassRows => [...byClass].map(([classIndex, t]) => [classIndex, t.total, t.hits]);
const classMap = (rows: ClassRows): Map<number, ClassTally> => new Map(rows.map(([classIndex, total, hits]) => [classIndex, { total, hits }]));

export function serializeBaseline(baseline: ProjectBaseline): string {
  const stored: StoredBaseline = {
    format: FORMAT,
    images: baseline.images,
    models: [...baseline.models].map(([modelId, m]) => [
      modelId,
      {
        ranked: m.ranked,
        before: { hits: m.before.hits, mistakes: m.before.mistakes, byClass: classRows(m.before.byClass) },
        priorSlice: [...m.priorSlice].map(([imageId, acceptable]) => [imageId, acceptable ? 1 : 0]),
        base: { byClass: classRows(m.base.byClass), realCounted: m.base.realCounted, realHits: m.base.realHits, mistakes: m.base.mistakes },
      },
    ]),
  };
  return JSON.stringify(stored);
}

/** The stored baseline, or null when it is in another format. */
export function parseBaseline(text: string): ProjectBaseline | null {
  const stored = JSON.parse(text) as StoredBaseline;
  if (stored.format !== FORMAT) return null;
  return {
    images: stored.images,
    models: new Map(
      stored.models.map(([modelId, m]) => [
        modelId,
        {
          ranked: m.ranked,
          before: { hits: m.before.hits, mistakes: m.before.mistakes, byClass: classMap(m.before.byClass) },
          priorSlice: new Map(m.priorSlice.map(([imageId, acceptable]) => [imageId, acceptable === 1])),
          base: { byClass: classMap(m.base.byClass), realCounted: m.base.realCounted, realHits: m.base.realHits, mistakes: m.base.mistakes },
        },
      ]),
    ),
  };
}

/**
 * Computes the baseline from the project's rows, a range of IMAGES_PER_READ images at a time (their labels and top-1
 * predictions read by image id, through the tables' primary keys, then tallied and dropped): memory stays that of a
 * range however large the project.
 */
async function computeBaseline(db: Queries, entry: CatalogProject): Promise<ProjectBaseline> {
  const projectId = entry.project.id;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const ids = (rows: { image_id: number }[]) => new Set(rows.map((r) => r.image_id));
  const priorSlice = ids(
    await db.selectFrom('prior_major_slice as ps').innerJoin('images as im', 'im.id', 'ps.image_id').select('ps.image_id').where('im.project_id', '=', projectId).execute(),
  );
  const priorProblematic = ids(
    await db.selectFrom('prior_problematic as pp').innerJoin('images as im', 'im.id', 'pp.image_id').select('pp.image_id').where('im.project_id', '=', projectId).execute(),
  );
  const baseline = createBaselineTally(
    entry.models.map((m) => m.id),
    keyOf,
  );
  for (let after = 0; ; ) {
    const images = await db
      .selectFrom('images')
      .select(['id', 'original_class_idx'])
      .where('project_id', '=', projectId)
      .where('id', '>', after)
      .orderBy('id')
      .limit(IMAGES_PER_READ)
      .execute();
    if (images.length === 0) break;
    const from = images[0]!.id;
    const to = images[images.length - 1]!.id;
    after = to;
    // The range's rows through the tables' primary keys (image id first); `+project_id` filters out another project's
    // images that may lie between the range's ids, without SQLite walking the project's images for each range.
    const accepted = groupByImage(
      (
        await db
          .selectFrom('accepted_labels as a')
          .innerJoin('images as im', 'im.id', 'a.image_id')
          .select(['a.image_id', 'a.class_idx'])
          .where(sql`+im.project_id`, '=', projectId)
          .where('a.image_id', '>=', from)
          .where('a.image_id', '<=', to)
          .execute()
      ).map((r) => [r.image_id, r.class_idx] as [number, number]),
    );
    const prior = groupByImage(
      (
        await db
          .selectFrom('prior_labels as pl')
          .innerJoin('images as im', 'im.id', 'pl.image_id')
          .select(['pl.image_id', 'pl.class_idx', 'pl.judgement'])
          .where(sql`+im.project_id`, '=', projectId)
          .where('pl.image_id', '>=', from)
          .where('pl.image_id', '<=', to)
          .execute()
      ).map((r) => [r.image_id, r.class_idx, r.judgement as Judgement] as [number, number, Judgement]),
    );
    const top1 = new Map<number, Map<number, number>>(entry.models.map((m) => [m.id, new Map()]));
    const predictions = await db
      .selectFrom('predictions as p')
      .innerJoin('images as im', 'im.id', 'p.image_id')
      .select(['p.image_id', 'p.model_id', 'p.class_idx'])
      .where(sql`+im.project_id`, '=', projectId)
      .where('im.id', '>=', from)
      .where('im.id', '<=', to)
      .where('p.rank', '=', 1)
      .execute();
    for (const { image_id, model_id, class_idx } of predictions) top1.get(model_id)?.set(image_id, class_idx);

    for (const { id: imageId, original_class_idx: originalIndex } of images) {
      baseline.add({
        imageId,
        originalIndex,
        prior: (prior.get(imageId) ?? []).map(([classIndex, judgement]) => ({ classIndex: classIndex as number, judgement: judgement as Judgement })),
        accepted: (accepted.get(imageId) ?? []).map(([classIndex]) => classIndex as number),
        top1: (modelId) => top1.get(modelId)!.get(imageId),
        problematic: priorProblematic.has(imageId),
        inPriorSlice: priorSlice.has(imageId),
      });
    }
  }
  return baseline.result();
}

/** What the baseline reads of one image: as imported, before any verdict. */
export interface BaselineImage {
  imageId: number;
  originalIndex: number;
  /** Its prior judgements (prior labels file, confident crowd pairs). */
  prior: readonly { classIndex: number; judgement: Judgement }[];
  /** Its accepted labels. */
  accepted: readonly number[];
  /** A model's top-1 class index on it, undefined when the model does not rank it. */
  top1: (modelId: number) => number | undefined;
  /** Whether the prior labels record it as problematic. */
  problematic: boolean;
  /** Whether it is in the prior Major slice (`imagenet_m`). */
  inPriorSlice: boolean;
}

/**
 * The baseline, tallied an image at a time, in image id order: by computeBaseline from the database, and by the import
 * from what it writes (so that a project's baseline is stored with it at no extra read).
 */
export function createBaselineTally(modelIds: readonly number[], keyOf: (classIndex: number) => string) {
  const models = new Map<number, ModelBaseline>(
    modelIds.map((id) => [
      id,
      { ranked: 0, before: { hits: 0, mistakes: 0, byClass: new Map() }, priorSlice: new Map(), base: { byClass: new Map(), realCounted: 0, realHits: 0, mistakes: 0 } },
    ]),
  );
  let imageCount = 0;
  return {
    add(image: BaselineImage): void {
      imageCount++;
      const { imageId, originalIndex } = image;
      const labels = baseJudgements(
        image.prior.map(({ classIndex, judgement }) => ({ key: keyOf(classIndex), judgement })),
        image.accepted.map((classIndex) => keyOf(classIndex)),
      );
      const counted = !image.problematic;
      const realCounted = counted && hasCorrect(labels);
      for (const [modelId, stats] of models) {
        const predicted = image.top1(modelId);
        // A model is scored on the images it ranks (outcome() says the same for the labels after review).
        if (predicted === undefined) continue;
        stats.ranked++;
        const beforeHit = predicted === originalIndex;
        stats.before.hits += beforeHit ? 1 : 0;
        stats.before.mistakes += beforeHit ? 0 : 1;
        tally(stats.before.byClass, originalIndex, 1, beforeHit ? 1 : 0);
        if (image.inPriorSlice) stats.priorSlice.set(imageId, isAcceptable(labels, keyOf(predicted)));
        const o = outcome(labels, keyOf(predicted), counted, realCounted);
        tally(stats.base.byClass, originalIndex, o.counted ? 1 : 0, o.hit ? 1 : 0);
        stats.base.realCounted += o.realCounted ? 1 : 0;
        stats.base.realHits += o.realHit ? 1 : 0;
        stats.base.mistakes += o.mistake ? 1 : 0;
      }
    },
    result(): ProjectBaseline {
      return { images: imageCount, models };
    },
  };
}

/** Stores a project's baseline (the import's, tallied as it wrote the project), in the transaction `db`. */
export async function insertProjectBaseline(db: Queries, projectId: number, baseline: ProjectBaseline): Promise<void> {
  await db.insertInto('project_baselines').values({ project_id: projectId, baseline: serializeBaseline(baseline) }).execute();
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
