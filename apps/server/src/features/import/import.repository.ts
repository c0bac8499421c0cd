import type { Aggregation, Judgement, ModelEvidence, PanelPolicy, VocabularyClass } from '@bagel/contracts';
import type {
  CrowdAnswers,
  CrowdRouting,
  CrowdRoutingSettings,
  GoldAnswer,
  GoldenQuestionsSummary,
  ExtraCandidateSource,
  PriorJudgementSource,
  ProblematicImageRecord,
  TopKTable,
} from '@bagel/core';
import { scoreAt } from '@bagel/core';
import type { Queries } from '../../db/database';
import { bulkStepScale, insertRows, refreshStatistics } from '../../db/dialect';
import { emptyItemTotals } from '../consensus/project-totals';
import { createBaselineTally, insertProjectBaseline } from '../dashboard/project-baseline';

/** Everything an import writes, parsed and checked beforehand. */
export interface ProjectToImport {
  name: string;
  description: string;
  imageDir: string;
  panelSize: number;
  /** How many experts an item gets (the manifest's project.panel; default fixed). */
  panel: PanelPolicy;
  /** Whether experts see the models before judging (the manifest's project.modelEvidence; default shown). */
  modelEvidence: ModelEvidence;
  /** Share of each expert's items that are gold items (the manifest's project.goldRate; default 0.05). */
  goldRate: number;
  /** A new expert's first items that are gold items (the manifest's project.goldQualification; default 0). */
  goldQualification: number;
  /** Whether an expert's answer to a gold item is answered with feedback (the manifest's project.goldFeedback; default false). */
  goldFeedback: boolean;
  /** Decoys per item while the models are hidden (the manifest's project.decoys; default 0). */
  decoys: number;
  /** How verdicts become final labels (the manifest's project.aggregation; default quorum). */
  aggregation: Aggregation;
  topK: number;
  claimMs: number;
  mistakeCategories: readonly string[];
  manifestSha256: string;
  classes: readonly VocabularyClass[];
  /** In manifest order, each with its top-k on every image (already cut to the project's top-k). */
  models: readonly { name: string; displayName: string; illustrative: boolean; predictions: TopKTable }[];
  /** In project order (the image list, or the original labels file). */
  images: ImagesToImport;
  /**
   * human-accuracy-v3 `problematic_images`, ReaL's empty label lists and the crowd's no-label images (one record per
   * image), by project position.
   */
  priorProblematic: readonly { position: number; record: ProblematicImageRecord }[];
  /** human-accuracy-v3 `imagenet_m`, project positions in the file's order. */
  priorMajorSlice: readonly number[];
  crowd: CrowdToImport | null;
  /** Gold answers imported with the project (the manifest's `gold` file), each of an image that is an item. */
  gold: readonly GoldAnswer[];
}

/** Crowd answers with their Dawid–Skene routing. */
export interface CrowdToImport {
  settings: CrowdRoutingSettings;
  answers: CrowdAnswers;
  routing: CrowdRouting;
  /** What the golden questions added, when the manifest names them. */
  golden?: GoldenQuestionsSummary;
}

/**
 * A project's images, each made when the import writes it: at a million images, an object per image held at once took
 * most of the import's memory.
 */
export interface ImagesToImport {
  readonly count: number;
  /** Of them, those that enter the review queue. */
  readonly items: number;
  at(position: number): ImageToImport;
}

export interface ImageToImport {
  file: string;
  originalClassIndex: number;
  missing: boolean;
  /** The accepted labels (class indices): the original label, unless prior judgements say otherwise. */
  accepted: readonly number[];
  /** Judgements the image starts with (prior labels file, confident crowd pairs). */
  priorJudgements: readonly { classIndex: number; judgement: Judgement; source: PriorJudgementSource }[];
  /** Present when the image enters the review queue. */
  item: { modelsWrong: number; confidence: number; extraCandidates: readonly { classIndex: number; source: ExtraCandidateSource }[] } | null;
}

export interface ImportedProjectSummary {
  projectId: number;
  manifestSha256: string;
  images: number;
  items: number;
  models: number;
  missingImages: string[];
  imageDir: string;
}

/** Presence answer codes (PRESENCE_ANSWER) as stored. */
const ANSWER_NAMES = ['no', 'maybe', 'yes'] as const;

/** Images whose rows are written per step on SQLite (times bulkStepScale): they go in a few statements (insertRows). */
const IMAGES_PER_STEP = 64;
/** Steps' worth of images written at a time, ahead of the steps that write their rows (which need their ids). */
const STEPS_AHEAD = 8;
/** Crowd pairs written per step on SQLite (times bulkStepScale), each with its answers (about 5 each). */
const CROWD_PAIRS_PER_STEP = 2048;

/** The tables an import writes rows of by the thousand. */
const BULK_TABLES = [
  'images',
  'accepted_labels',
  'prior_labels',
  'predictions',
  'items',
  'item_extra_candidates',
  'prior_problematic',
  'prior_major_slice',
  'crowd_answers',
  'crowd_posteriors',
] as const;

/** Images written before the statistics are refreshed the first time, in the middle of an import. */
const STATISTICS_AFTER_IMAGES = 2_000;

/** Models at positions below this have a bit in items.top1_mistake_models (migration 007); SQLite integers are 64-bit. */
const MASK_POSITIONS = 62;

/**
 * An item's top-1 mistake mask (items.top1_mistake_models), as the trigger items_top1_mistake_models computes it from
 * the rows the import writes before the item: bit p for the model at position p (below 62) whose top-1 on the image
 * is not among its accepted labels; none for a model that does not rank the image. Written with the item, so that the
 * trigger need not look it up (migration 020): a number while a double holds it exactly, else a bigint.
 */
function top1MistakeMask(models: ProjectToImport['models'], position: number, accepted: readonly number[]): number | bigint {
  let mask = 0n;
  for (let m = 0; m < Math.min(models.length, MASK_POSITIONS); m++) {
    const table = models[m]!.predictions;
    const top1 = table.k > 0 ? table.classIndex[position * table.k]! : -1;
    if (top1 >= 0 && !accepted.includes(top1)) mask |= 1n << BigInt(m);
  }
  return mask <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(mask) : mask;
}

/** The rows hanging on a step's images, made before they are written (writeStep). */
interface StepRows {
  accepted: unknown[][];
  prior: unknown[][];
  predictions: unknown[][];
  items: unknown[][];
  extras: { imageId: number; candidates: readonly { classIndex: number; source: ExtraCandidateSource }[] }[];
}

/**
 * Writes a step's rows, in primary-key order (image by image, then model, then rank), which keeps the WITHOUT ROWID
 * tables' inserts appending on SQLite. The items after the predictions and accepted labels: the insert trigger reads
 * them for an item whose mask is 0 (top1MistakeMask).
 */
async function writeStep(db: Queries, projectId: number, rows: StepRows): Promise<void> {
  await insertRows(db, 'accepted_labels', ['image_id', 'class_idx'], rows.accepted);
  await insertRows(db, 'prior_labels', ['image_id', 'class_idx', 'judgement', 'source'], rows.prior);
  await insertRows(db, 'predictions', ['image_id', 'model_id', 'rank', 'class_idx', 'score'], rows.predictions);
  await insertRows(db, 'items', ['project_id', 'image_id', 'file', 'models_wrong', 'confidence', 'top1_mistake_models'], rows.items);
  if (rows.extras.length === 0) return;
  const itemRows = await db
    .selectFrom('items')
    .select(['id', 'image_id'])
    .where('project_id', '=', projectId)
    .where('image_id', 'in', rows.extras.map((e) => e.imageId))
    .execute();
  const itemIdOfImage = new Map(itemRows.map((r) => [r.image_id, r.id]));
  await insertRows(
    db,
    'item_extra_candidates',
    ['item_id', 'class_idx', 'source'],
    rows.extras.flatMap(({ imageId, candidates }) => candidates.map((c) => [itemIdOfImage.get(imageId), c.classIndex, c.source])),
  );
}

/** Writes an imported project (features/import) and finds what earlier imports left. */
/** Gold answers written per step: their items' ids are read back first, by image. */
const GOLD_PER_STEP = 500;

/** Imported gold answers: each image's item becomes a gold item, with no lead as its marker (migration 032). */
async function* insertGold(
  slice: { readonly queries: Queries },
  projectId: number,
  gold: readonly GoldAnswer[],
  imageIds: ArrayLike<number>,
  markedAt: string,
): AsyncGenerator<void, void, undefined> {
  for (let first = 0; first < gold.length; first += GOLD_PER_STEP) {
    const step = gold.slice(first, first + GOLD_PER_STEP);
    const itemRows = await slice.queries
      .selectFrom('items')
      .select(['id', 'image_id'])
      .where('project_id', '=', projectId)
      .where(
        'image_id',
        'in',
        step.map(({ position }) => imageIds[position]!),
      )
      .execute();
    const itemOfImage = new Map(itemRows.map((row) => [Number(row.image_id), Number(row.id)]));
    await insertRows(
      slice.queries,
      'gold_items',
      ['item_id', 'project_id', 'answer', 'marked_by', 'marked_at'],
      step.map(({ position, answer }) => [itemOfImage.get(imageIds[position]!)!, projectId, JSON.stringify(answer), null, markedAt]),
    );
    yield;
  }
}

export function createImportRepository(db: Queries) {
  async function count(table: 'images' | 'items' | 'models', projectId: number): Promise<number> {
    const row = await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function summary(projectId: number): Promise<Omit<ImportedProjectSummary, 'manifestSha256' | 'imageDir'>> {
    const missing = await db.selectFrom('images').select('file').where('project_id', '=', projectId).where('missing', '=', 1).orderBy('position').execute();
    return {
      projectId,
      images: await count('images', projectId),
      items: await count('items', projectId),
      models: await count('models', projectId),
      missingImages: missing.map((r) => r.file),
    };
  }

  /**
   * The crowd's raters (with their estimated confusion matrices), its answers about project images and the pairs'
   * posteriors. Answers go in primary-key order (image, class, rater) so that the WITHOUT ROWID table appends.
   */
  async function* insertCrowd(
    slice: { readonly queries: Queries },
    projectId: number,
    crowd: CrowdToImport,
    imageIds: ArrayLike<number>,
    onAnswers?: (written: number) => void,
  ): AsyncGenerator<void, void, undefined> {
    const { settings, answers, routing } = crowd;
    const { result } = routing;
    await slice.queries
      .insertInto('crowd_aggregations')
      .values({
        project_id: projectId,
        threshold: settings.threshold,
        band_low: settings.uncertainBand[0],
        band_high: settings.uncertainBand[1],
        questions: answers.questionFiles.length,
        answers: answers.answers.question.length,
        iterations: result.iterations,
        converged: result.converged ? 1 : 0,
        prior_absent: result.priors[0]!,
        prior_present: result.priors[1]!,
      })
      .execute();
    const cells = result.truthClasses * result.answerOptions;
    const raterIds: number[] = [];
    for (const [r, externalId] of answers.raterIds.entries()) {
      const confusion = Array.from({ length: result.truthClasses }, (_, k) =>
        Array.from(result.confusion.subarray(r * cells + k * result.answerOptions, r * cells + (k + 1) * result.answerOptions)),
      );
      const row = await slice.queries
        .insertInto('crowd_raters')
        .values({ project_id: projectId, external_id: externalId, position: r, confusion: JSON.stringify(confusion) })
        .returning('id')
        .executeTakeFirstOrThrow();
      raterIds.push(row.id);
    }

    // The answers of each question, in rater order (the reader appends them rater by rater), by a counting sort.
    const { question, rater, answer } = answers.answers;
    const questionCount = answers.questionFiles.length;
    const start = new Int32Array(questionCount + 1);
    for (let i = 0; i < question.length; i++) start[question[i]! + 1]!++;
    for (let q = 0; q < questionCount; q++) start[q + 1]! += start[q]!;
    const next = start.slice(0, questionCount);
    const byQuestion = new Int32Array(question.length);
    for (let i = 0; i < question.length; i++) byQuestion[next[question[i]!]!++] = i;

    const pairs = [...routing.pairs].sort((a, b) => a.position - b.position || a.classIndex - b.classIndex);
    const pairsPerStep = CROWD_PAIRS_PER_STEP * bulkStepScale(slice.queries);
    let written = 0;
    for (let first = 0; first < pairs.length; first += pairsPerStep) {
      const posteriors: unknown[][] = [];
      const answerRows: unknown[][] = [];
      for (const pair of pairs.slice(first, first + pairsPerStep)) {
        const imageId = imageIds[pair.position]!;
        posteriors.push([imageId, pair.classIndex, pair.posterior, pair.answers, pair.route]);
        for (let j = start[pair.question]!; j < start[pair.question + 1]!; j++) {
          const i = byQuestion[j]!;
          answerRows.push([imageId, pair.classIndex, raterIds[rater[i]!], ANSWER_NAMES[answer[i]!]]);
        }
      }
      await insertRows(slice.queries, 'crowd_posteriors', ['image_id', 'class_idx', 'posterior', 'answers', 'route'], posteriors);
      await insertRows(slice.queries, 'crowd_answers', ['image_id', 'class_idx', 'rater_id', 'answer'], answerRows);
      written += answerRows.length;
      onAnswers?.(written);
      yield;
    }
  }

  return {
    /** The project of that name with what was imported, or null. */
    async findProject(name: string): Promise<ImportedProjectSummary | null> {
      // A project being imported (or whose import stopped midway) has `importing` set: it is nobody's project yet.
      const row = await db.selectFrom('projects').select(['id', 'manifest_sha256', 'image_dir']).where('name', '=', name).where('importing', 'is', null).executeTakeFirst();
      if (!row) return null;
      return { ...(await summary(row.id)), manifestSha256: row.manifest_sha256, imageDir: row.image_dir };
    },

    /** A project of that name in any state: imported (`importing` null), or being imported by `importing` (`pid@host`). */
    async projectNamed(name: string): Promise<{ id: number; importing: string | null } | null> {
      return (await db.selectFrom('projects').select(['id', 'importing']).where('name', '=', name).executeTakeFirst()) ?? null;
    },

    /** After an import: the statistics the database plans its queries with, brought up to date with what it wrote. */
    async refreshStatistics(): Promise<void> {
      await refreshStatistics(db, BULK_TABLES);
    },

    /** Projects whose import has not finished: under way, or stopped midway (a crash) and to be removed. */
    async incompleteProjects(): Promise<{ id: number; name: string; importing: string }[]> {
      const rows = await db.selectFrom('projects').select(['id', 'name', 'importing']).where('importing', 'is not', null).orderBy('id').execute();
      return rows.map((r) => ({ id: r.id, name: r.name, importing: r.importing as string }));
    },

    /**
     * Writes a whole project, step by step: each `yield` is a place where the caller may commit (writeInSlices), so
     * that no transaction is long. The project is written with `importing` set, which hides it from everything but
     * the import, and its last step clears it: the project appears whole, in the last commit, or not at all. The
     * images go a few steps' worth at a time, ahead of the rows that hang on them; a step writes those of 64 images
     * (512 on PostgreSQL: bulkStepScale) in a few statements (writeStep), while the import makes the next step's.
     * `onImages` hears after each step how many images are written with their rows. Returns its id.
     */
    async *insertProject(
      slice: { readonly queries: Queries },
      project: ProjectToImport,
      createdAt: string,
      importing: string,
      onImages?: (written: number) => void,
      onCrowdAnswers?: (written: number) => void,
    ): AsyncGenerator<void, number, undefined> {
      const inserted = await slice.queries
        .insertInto('projects')
        .values({
          name: project.name,
          description: project.description,
          image_dir: project.imageDir,
          panel_size: project.panelSize,
          panel: JSON.stringify(project.panel),
          model_evidence: project.modelEvidence,
          gold_rate: project.goldRate,
          gold_qualification: project.goldQualification,
          gold_feedback: project.goldFeedback ? 1 : 0,
          decoys: project.decoys,
          aggregation: project.aggregation,
          top_k: project.topK,
          claim_ms: project.claimMs,
          mistake_categories: JSON.stringify(project.mistakeCategories),
          manifest_sha256: project.manifestSha256,
          created_at: createdAt,
          importing,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const projectId = inserted.id;
      await insertRows(
        slice.queries,
        'classes',
        ['project_id', 'idx', 'key', 'names', 'gloss'],
        project.classes.map((c) => [projectId, c.index, c.key, JSON.stringify(c.names), c.gloss]),
      );
      const modelIds: number[] = [];
      for (const [position, m] of project.models.entries()) {
        const row = await slice.queries
          .insertInto('models')
          .values({ project_id: projectId, position, name: m.name, display_name: m.displayName, illustrative: m.illustrative ? 1 : 0 })
          .returning('id')
          .executeTakeFirstOrThrow();
        modelIds.push(row.id);
      }
      // The dashboard's baseline, tallied from the rows as they are made and stored with the project: read back from
      // the tables once written, a million images took another 20 s.
      const keyByIndex = new Map(project.classes.map((c) => [c.index, c.key]));
      const baseline = createBaselineTally(modelIds, (index) => keyByIndex.get(index) ?? `#${index}`);
      const problematicPositions = new Set(project.priorProblematic.map((p) => p.position));
      const priorSlicePositions = new Set(project.priorMajorSlice);
      const imagesPerStep = IMAGES_PER_STEP * bulkStepScale(slice.queries);
      const imageCount = project.images.count;
      const imageIds = new Float64Array(imageCount);
      /** Images written so far (their ids in imageIds): STEPS_AHEAD steps' worth at a time, ahead of their rows. */
      let imagesWritten = 0;
      const writeImages = async (until: number): Promise<void> => {
        while (imagesWritten < until) {
          const first = imagesWritten;
          const last = Math.min(first + STEPS_AHEAD * imagesPerStep, imageCount);
          const rows: unknown[][] = [];
          for (let position = first; position < last; position++) {
            const image = project.images.at(position);
            rows.push([projectId, position, image.file, image.originalClassIndex, image.missing ? 1 : 0]);
          }
          await insertRows(slice.queries, 'images', ['project_id', 'position', 'file', 'original_class_idx', 'missing'], rows);
          // Their ids are the database's to give (on both engines): read back by position, in the slice's transaction.
          const idRows = await slice.queries
            .selectFrom('images')
            .select(['id', 'position'])
            .where('project_id', '=', projectId)
            .where('position', '>=', first)
            .where('position', '<', last)
            .execute();
          for (const { id, position } of idRows) imageIds[position] = id;
          imagesWritten = last;
        }
      };
      /** The rows of the images in [first, last) that hang on them, for writeStep. */
      const rowsOfStep = (first: number, last: number): StepRows => {
        const step: StepRows = { accepted: [], prior: [], predictions: [], items: [], extras: [] };
        for (let position = first; position < last; position++) {
          const image = project.images.at(position);
          const imageId = imageIds[position]!;
          for (const classIndex of image.accepted) step.accepted.push([imageId, classIndex]);
          for (const j of image.priorJudgements) step.prior.push([imageId, j.classIndex, j.judgement, j.source]);
          project.models.forEach(({ predictions: table }, m) => {
            const modelId = modelIds[m]!;
            const offset = position * table.k;
            for (let r = 0; r < table.k; r++) {
              const classIndex = table.classIndex[offset + r]!;
              if (classIndex < 0) break;
              step.predictions.push([imageId, modelId, r + 1, classIndex, scoreAt(table, offset + r)]);
            }
          });
          baseline.add({
            imageId,
            originalIndex: image.originalClassIndex,
            prior: image.priorJudgements,
            accepted: image.accepted,
            top1: (modelId) => {
              const table = project.models[modelIds.indexOf(modelId)]!.predictions;
              const classIndex = table.classIndex[position * table.k]!;
              return classIndex < 0 ? undefined : classIndex;
            },
            problematic: problematicPositions.has(position),
            inPriorSlice: priorSlicePositions.has(position),
          });
          if (image.item) {
            step.items.push([projectId, imageId, image.file, image.item.modelsWrong, image.item.confidence, top1MistakeMask(project.models, position, image.accepted)]);
            if (image.item.extraCandidates.length > 0) step.extras.push({ imageId, candidates: image.item.extraCandidates });
          }
        }
        return step;
      };
      // A step's rows are written while the next step's are made (on PostgreSQL, the server stores a step's rows as
      // the import makes the next step's), and a step's writes are awaited before the next `yield`, so that a commit
      // never comes before what the slice wrote (nor a rollback before a write under way).
      let writing: { done: Promise<void>; last: number } | null = null;
      try {
        for (let first = 0; first < imageCount; first += imagesPerStep) {
          const last = Math.min(first + imagesPerStep, imageCount);
          if (last > imagesWritten) {
            await writing?.done;
            await writeImages(last);
          }
          const rows = rowsOfStep(first, last);
          if (writing) {
            await writing.done;
            onImages?.(writing.last);
            // Once the tables hold a fair sample of the project: the statistics brought up to date, for the plans of
            // the rest of the import (PostgreSQL's items trigger, planned for tables it took to be empty, took 4 times
            // longer when it ran for every item).
            if (first < STATISTICS_AFTER_IMAGES && last >= STATISTICS_AFTER_IMAGES) await refreshStatistics(slice.queries, BULK_TABLES);
            yield;
          }
          const done = writeStep(slice.queries, projectId, rows);
          // Awaited before the next yield (or the end); a failure meanwhile is thrown there, not left unhandled.
          done.catch(() => {});
          writing = { done, last };
        }
        if (writing) {
          await writing.done;
          onImages?.(writing.last);
        }
      } finally {
        // Thrown out of the loop with a step's writes under way: they end before the transaction is rolled back.
        await writing?.done.catch(() => {});
      }
      await insertRows(
        slice.queries,
        'prior_problematic',
        ['image_id', 'reason', 'reviewer', 'server_username', 'time_marked', 'time_reviewed'],
        project.priorProblematic.map(({ position, record }) => [
          imageIds[position],
          record.reason,
          record.reviewer,
          record.server_username,
          record.time_marked,
          record.time_reviewed,
        ]),
      );
      await insertRows(
        slice.queries,
        'prior_major_slice',
        ['image_id', 'position'],
        project.priorMajorSlice.map((position, order) => [imageIds[position], order]),
      );
      if (project.crowd) yield* insertCrowd(slice, projectId, project.crowd, imageIds, onCrowdAnswers);
      yield* insertGold(slice, projectId, project.gold, imageIds, createdAt);
      // The dashboard's totals (project_item_totals) start from every image and every item, all open.
      await slice.queries
        .insertInto('project_item_totals')
        .values({ project_id: projectId, ...emptyItemTotals(0), images: imageCount, items_open: project.images.items })
        .execute();
      await insertProjectBaseline(slice.queries, projectId, baseline.result());
      await slice.queries.updateTable('projects').set({ importing: null }).where('id', '=', projectId).execute();
      return projectId;
    },

    /**
     * Removes a project whose import did not finish, step by step (a few hundred images and all that hangs on them
     * per step, then the project's own rows), for writeInSlices.
     */
    async *deleteIncompleteProject(slice: { readonly queries: Queries }, projectId: number): AsyncGenerator<void, void, undefined> {
      for (;;) {
        const some = slice.queries.selectFrom('images').select('id').where('project_id', '=', projectId).limit(200);
        const deleted = await slice.queries.deleteFrom('images').where('id', 'in', some).executeTakeFirst();
        if (Number(deleted.numDeletedRows) === 0) break;
        yield;
      }
      await slice.queries.deleteFrom('projects').where('id', '=', projectId).execute();
    },
  };
}
