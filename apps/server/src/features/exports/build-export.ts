import type { ExportFormat } from '@bagel/contracts';
import { writeCsvExport, writeHumanAccuracyV3, writeMistakesJson, writeRealJson, type HumanAccuracyV3 } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { badRequest } from '../../plugins/errors';
import { labelLists } from '../consensus/image-labels';
import { decodeOutcomes } from '../consensus/project-totals';
import { ProgressPhase, type ProgressListener } from '../../lib/step-progress';
import type { CatalogProject } from '../projects/project-catalog';
import { buildBagelArchive } from './bagel-archive';
import { readProjectResults, type ImageResult } from './project-results';

export interface BuiltExport {
  text: string;
  /** A file name for a download: the project's name and the format. */
  fileName: string;
  contentType: string;
  /** What is in it, in a few words, for the command line. */
  summary: string;
}

/** `Demo: ImageNet mistakes` → `demo-imagenet-mistakes`: safe in a file name and a Content-Disposition header. */
export function fileSlug(text: string): string {
  return (
    text
      .normalize('NFKD')
      .replace(/[^\x00-\x7f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'project'
  );
}

const JSON_TYPE = 'application/json; charset=utf-8';

export interface BuildExportOptions {
  /** The model of a `mistakes` export. */
  model?: string;
  /**
   * human-accuracy-v3 only: write the images that were judged or came with prior data (labels, a problematic record,
   * a Major-slice entry) instead of every image of the project.
   */
  onlyReviewed?: boolean;
  /** Clock in unix ms (the archive's `exportedAt`). */
  now: number;
  /**
   * Hears the steps: `reading results` (images; items for the mistakes and the archive), then `writing <format>`,
   * each ticking at most every 100 ms and ending with a milestone. The download route passes none.
   */
  onProgress?: ProgressListener;
}

/**
 * Builds an export of the project's current results (docs/FORMATS.md, "Exports"). The whole text is built before
 * anything is written or sent, so a refused export (an unknown model) writes nothing.
 */
export function buildExport(db: Db, entry: CatalogProject, format: ExportFormat, options: BuildExportOptions): BuiltExport {
  const slug = fileSlug(entry.project.name);
  const orderOf = (key: string) => entry.vocabulary.byKey(key)?.index ?? Number.MAX_SAFE_INTEGER;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const onProgress = options.onProgress ?? (() => {});
  const writingPhase = (total: number, unit: string) => new ProgressPhase(onProgress, `writing ${format}`, total, unit);
  /** Ends the writing step with what the export holds. */
  const written = (phase: ProgressPhase, built: BuiltExport): BuiltExport => {
    phase.end(`built ${format}: ${built.summary}`);
    return built;
  };
  if (options.onlyReviewed && format !== 'human-accuracy-v3') {
    throw badRequest(`Only the human-accuracy-v3 export can be limited to the reviewed images; ${format} always holds every image`, 'ONLY_REVIEWED_UNSUPPORTED');
  }
  switch (format) {
    case 'human-accuracy-v3': {
      const onlyReviewed = options.onlyReviewed ?? false;
      const images = readProjectResults(db, entry, { onProgress });
      const writing = writingPhase(images.length, 'images');
      const doc = humanAccuracy(images, orderOf, writing, onlyReviewed);
      const annotated = Object.keys(doc.initial_annots).length;
      const judged = images.filter((image) => image.judged).length;
      return written(writing, {
        text: writeHumanAccuracyV3(doc),
        fileName: `${slug}-human-accuracy-v3${onlyReviewed ? '-reviewed' : ''}.json`,
        contentType: JSON_TYPE,
        summary: [
          onlyReviewed ? `${annotated} images judged or with prior labels (only reviewed)` : `${annotated} images (${judged} judged by the panel or the lead)`,
          `${Object.keys(doc.problematic_images).length} problematic`,
          `${doc.imagenet_m.length} in imagenet_m`,
        ].join(', '),
      });
    }
    case 'mistakes': {
      if (options.model === undefined || options.model === '') {
        throw badRequest(`The mistakes export is per model: name one (the project's models: ${entry.models.map((m) => m.name).join(', ')})`, 'MODEL_REQUIRED');
      }
      const model = entry.models.find((m) => m.name === options.model);
      if (!model) throw badRequest(`Unknown model "${options.model}" (the project's models: ${entry.models.map((m) => m.name).join(', ')})`, 'UNKNOWN_MODEL');
      // The graded mistakes of the model under the final labels (problematic images have none: they are left out).
      const graded = db
        .prepare<[number, number], { file: string; class_idx: number; outcomes: string }>(
          `SELECT im.file, p.class_idx, c.outcomes
           FROM item_consensus c JOIN items i ON i.id = c.item_id JOIN images im ON im.id = i.image_id
             JOIN predictions p ON p.image_id = im.id AND p.model_id = ? AND p.rank = 1
           WHERE c.project_id = ? AND c.outcomes IS NOT NULL
           ORDER BY im.position`,
        )
        .all(model.id, entry.project.id);
      const reading = new ProgressPhase(onProgress, 'reading results', graded.length, 'items');
      const rows = graded.flatMap((r, index) => {
        reading.tick(index);
        const outcome = decodeOutcomes(r.outcomes).find((o) => o.modelId === model.id);
        if (!outcome || outcome.severity === null || outcome.severity === 'ungraded' || outcome.category === null) return [];
        return [{ file: r.file, topPrediction: r.class_idx, category: outcome.category, severity: outcome.severity }];
      });
      reading.end(`read the grades of ${graded.length} items`);
      const writing = writingPhase(rows.length, 'mistakes');
      return written(writing, {
        text: writeMistakesJson(rows),
        fileName: `${slug}-mistakes-${fileSlug(model.name)}.json`,
        contentType: JSON_TYPE,
        summary: `${rows.length} mistakes of ${model.name}`,
      });
    }
    case 'real': {
      const images = readProjectResults(db, entry, { onProgress });
      const writing = writingPhase(images.length, 'images');
      const rows = images.map((image, index) => {
        writing.tick(index);
        return { file: image.file, classIndices: isProblematic(image) ? [] : labelLists(image.labels, orderOf).correct.map(orderOf) };
      });
      return written(writing, {
        text: writeRealJson(rows),
        fileName: `${slug}-real.json`,
        contentType: JSON_TYPE,
        summary: `${rows.length} images, ${rows.filter((r) => r.classIndices.length === 0).length} left out`,
      });
    }
    case 'csv': {
      const models = entry.models.map((m) => m.name);
      const images = readProjectResults(db, entry, { onProgress });
      const writing = writingPhase(images.length, 'images');
      const rows = images.map((image, index) => {
        writing.tick(index);
        const lists = labelLists(image.labels, orderOf);
        return {
          file: image.file,
          originalLabel: keyOf(image.originalClassIndex),
          correct: lists.correct,
          unclear: lists.unclear,
          wrong: lists.wrong,
          problematic: image.problematic === null ? null : { reason: image.problematic.reason },
          mistakes: image.final?.mistakes ?? {},
        };
      });
      return written(writing, { text: writeCsvExport({ models, rows }), fileName: `${slug}.csv`, contentType: 'text/csv; charset=utf-8', summary: `${rows.length} images` });
    }
    case 'bagel': {
      const archive = buildBagelArchive(db, entry, new Date(options.now).toISOString(), onProgress);
      // One JSON.stringify: nothing to tick, the step reports its end (and its time, when it is long).
      const writing = writingPhase(archive.items.length, 'items');
      return written(writing, {
        text: JSON.stringify(archive, null, 2) + '\n',
        fileName: `${slug}-bagel-archive.json`,
        contentType: JSON_TYPE,
        summary: `${archive.items.length} items, ${archive.items.reduce((n, i) => n + i.verdicts.length, 0)} verdict revisions, ${archive.items.reduce((n, i) => n + i.decisions.length, 0)} decisions`,
      });
    }
  }
}

const isProblematic = (image: ImageResult) => image.problematic !== null;

/**
 * The human-accuracy-v3 document (docs/FORMATS.md): `initial_annots` for every image of the project with the labels
 * the dashboard scores it by (final labels over prior ones, per class the final judgement wins; else the prior
 * labels; else the accepted labels as `correct`), `problematic_images` (prior records exactly as imported for images
 * not judged since), `imagenet_m` = the Major slice plus prior entries of images not judged, in the prior file's
 * order first. With `onlyReviewed`, only images judged or with prior data. Either way every key of
 * `problematic_images` and every `imagenet_m` entry is a key of `initial_annots`: TFDS's builder raises KeyError on
 * an `imagenet_m` name that is not, and drops a problematic image that is not.
 */
function humanAccuracy(images: readonly ImageResult[], orderOf: (key: string) => number, writing: ProgressPhase, onlyReviewed: boolean): HumanAccuracyV3 {
  const doc: HumanAccuracyV3 = { initial_annots: {}, problematic_images: {}, imagenet_m: [] };
  const slice: ImageResult[] = [];
  for (const [index, image] of images.entries()) {
    writing.tick(index);
    if (onlyReviewed && !image.judged && !image.hasPrior && image.problematic === null && !image.inMajorSlice) continue;
    const lists = labelLists(image.labels, orderOf);
    setOwn(doc.initial_annots, image.file, { correct: lists.correct, wrong: lists.wrong, unclear: lists.unclear });
    if (image.problematic !== null) setOwn(doc.problematic_images, image.file, image.problematic);
    if (image.inMajorSlice) slice.push(image);
  }
  // Stable: images of the prior list keep its order, new ones follow in project order.
  slice.sort((a, b) => (a.priorMajorSlicePosition ?? Number.MAX_SAFE_INTEGER) - (b.priorMajorSlicePosition ?? Number.MAX_SAFE_INTEGER));
  doc.imagenet_m = slice.map((image) => image.file);
  return doc;
}

/** Sets an own property even for a file named `__proto__`. */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
  else record[key] = value;
}
