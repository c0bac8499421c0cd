import type { ExportFormat, ExpertReliabilityReport } from '@bagel/contracts';
import {
  csvExportPieces,
  expertReliabilityCsvPieces,
  humanAccuracyV3Pieces,
  imagenetValidationFile,
  mistakesJsonPieces,
  realJsonPieces,
  type CsvExportRow,
  type HumanAccuracyLabels,
  type ModelMistakeRow,
  type ProblematicImageRecord,
  type RealJsonLayout,
  type RealLabelRow,
} from '@bagel/core';
import { sql } from 'kysely';
import type { Database, Queries } from '../../db/database';
import { joinInWrittenOrder } from '../../db/dialect';
import { badRequest } from '../../plugins/errors';
import { labelLists } from '../consensus/image-labels';
import { decodeOutcomes } from '../consensus/project-totals';
import { ProgressPhase, type ProgressListener } from '../../lib/step-progress';
import type { CatalogProject } from '../projects/project-catalog';
import { bagelArchivePieces } from './bagel-archive';
import { expertReliabilityReport } from '../reliability/expert-reliability.service';
import { FINAL_REFERENCE, GOLD_REFERENCE } from '../reliability/reliability-tallies';

/** The references the reliability exports measure against, in the order they are written. */
const RELIABILITY_SOURCES = [FINAL_REFERENCE, GOLD_REFERENCE];
import { projectResultPages, RESULTS_PAGE_IMAGES, type ImageResult } from './project-results';

/**
 * An export ready to be written: its text comes piece by piece from `pieces(db)`, so that neither a file nor a
 * download ever holds the whole of it (an archive of a large project is larger than the longest string JavaScript
 * allows). Everything that may refuse the export (an unknown model) is checked before; a piece may still fail on a
 * database error. Read the pieces on one snapshot (`Database.longSnapshot`, as exportPieces does) for a consistent
 * whole.
 */
export interface PreparedExport {
  /** A file name for a download: the project's name and the format. */
  fileName: string;
  contentType: string;
  /** The text, piece by piece, read on `db`; the generator returns what the export holds, in a few words, for the command line. */
  pieces(db: Queries): AsyncGenerator<string, string, undefined>;
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
 * Prepares an export of the project's current results (docs/FORMATS.md, "Exports"): refuses what must be refused
 * (an unknown model, `onlyReviewed` for another format) before any text is made, so a refused export writes nothing.
 */
export function prepareExport(entry: CatalogProject, format: ExportFormat, options: BuildExportOptions): PreparedExport {
  const slug = fileSlug(entry.project.name);
  const projectId = entry.project.id;
  const orderOf = (key: string) => entry.vocabulary.byKey(key)?.index ?? Number.MAX_SAFE_INTEGER;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const onProgress = options.onProgress ?? (() => {});
  const writingPhase = (total: number, unit: string) => new ProgressPhase(onProgress, `writing ${format}`, total, unit);
  const imageCount = async (db: Queries) =>
    (await db.selectFrom('images').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n;
  /** Reading and writing run together, a page at a time: both steps tick as the rows go by, and end in this order. */
  const steps = (total: number, unit: string) => ({ reading: new ProgressPhase(onProgress, 'reading results', total, unit), writing: writingPhase(total, unit) });
  /** Ends the writing step with what the export holds; the summary is the generator's result. */
  const written = (writing: ProgressPhase, summary: string): string => {
    writing.end(`built ${format}: ${summary}`);
    return summary;
  };
  if (options.onlyReviewed && format !== 'human-accuracy-v3') {
    throw badRequest(`Only the human-accuracy-v3 export can be limited to the reviewed images; ${format} always holds every image`, 'ONLY_REVIEWED_UNSUPPORTED');
  }
  switch (format) {
    case 'human-accuracy-v3': {
      const onlyReviewed = options.onlyReviewed ?? false;
      return {
        fileName: `${slug}-human-accuracy-v3${onlyReviewed ? '-reviewed' : ''}.json`,
        contentType: JSON_TYPE,
        async *pieces(db) {
          const images = await imageCount(db);
          const { reading, writing } = steps(images, 'images');
          const counts = { annotated: 0, judged: 0, problematic: 0 };
          const problematic: [string, ProblematicImageRecord][] = [];
          const slice: { file: string; priorPosition: number }[] = [];
          let index = 0;
          // The document of humanAccuracy (below), streamed: annotations as the pages go by, then the two lists.
          async function* annotations(): AsyncGenerator<[string, HumanAccuracyLabels][], void, undefined> {
            for await (const page of projectResultPages(db, entry, { reading })) {
              const entries: [string, HumanAccuracyLabels][] = [];
              for (const image of page) {
                writing.tick(index++);
                if (image.judged) counts.judged++;
                if (onlyReviewed && !image.judged && !image.hasPrior && image.problematic === null && !image.inMajorSlice) continue;
                counts.annotated++;
                const lists = labelLists(image.labels, orderOf);
                entries.push([image.file, { correct: lists.correct, wrong: lists.wrong, unclear: lists.unclear }]);
                if (image.problematic !== null) problematic.push([image.file, image.problematic]);
                if (image.inMajorSlice) slice.push({ file: image.file, priorPosition: image.priorMajorSlicePosition ?? Number.MAX_SAFE_INTEGER });
              }
              yield entries;
            }
            reading.end(`read the results of ${images} images`);
          }
          yield* fed(annotations(), (annotations) =>
            humanAccuracyV3Pieces({
              annotations,
              problematic: () => problematic,
              // Stable: images of the prior list keep its order, new ones follow in project order.
              imagenetM: () => slice.sort((a, b) => a.priorPosition - b.priorPosition).map((image) => image.file),
            }),
          );
          return written(
            writing,
            [
              onlyReviewed ? `${counts.annotated} images judged or with prior labels (only reviewed)` : `${counts.annotated} images (${counts.judged} judged by the panel or the lead)`,
              `${problematic.length} problematic`,
              `${slice.length} in imagenet_m`,
            ].join(', '),
          );
        },
      };
    }
    case 'mistakes': {
      if (options.model === undefined || options.model === '') {
        throw badRequest(`The mistakes export is per model: name one (the project's models: ${entry.models.map((m) => m.name).join(', ')})`, 'MODEL_REQUIRED');
      }
      const model = entry.models.find((m) => m.name === options.model);
      if (!model) throw badRequest(`Unknown model "${options.model}" (the project's models: ${entry.models.map((m) => m.name).join(', ')})`, 'UNKNOWN_MODEL');
      return {
        fileName: `${slug}-mistakes-${fileSlug(model.name)}.json`,
        contentType: JSON_TYPE,
        async *pieces(db) {
          // The graded mistakes of the model under the final labels (problematic images have none: they are left out),
          // a page of items at a time in project order: images first (the outer loop), through their index by position.
          const join = joinInWrittenOrder(db);
          const graded = sql`FROM images im ${join} items i ON i.image_id = im.id ${join} item_consensus c ON c.item_id = i.id
             ${join} predictions p ON p.image_id = im.id AND p.model_id = ${model.id} AND p.rank = 1
           WHERE im.project_id = ${projectId} AND c.outcomes IS NOT NULL`;
          // Counted for a listener only: a pass over the whole project, which a download does without.
          const total = options.onProgress ? (await sql<{ n: number }>`SELECT count(*) AS n ${graded}`.execute(db)).rows[0]!.n : 0;
          const page = async (after: number) =>
            (
              await sql<{ file: string; class_idx: number; outcomes: string; position: number }>`
                SELECT im.file, p.class_idx, c.outcomes, im.position ${graded} AND im.position > ${after} ORDER BY im.position LIMIT ${RESULTS_PAGE_IMAGES}`.execute(db)
            ).rows;
          const { reading, writing } = steps(total, 'items');
          let mistakes = 0;
          let index = 0;
          async function* rows(): AsyncGenerator<ModelMistakeRow[], void, undefined> {
            let after = -1;
            for (;;) {
              const graded = await page(after);
              if (graded.length === 0) break;
              after = graded[graded.length - 1]!.position;
              const rows: ModelMistakeRow[] = [];
              for (const r of graded) {
                reading.tick(index);
                writing.tick(index++);
                const outcome = decodeOutcomes(r.outcomes).find((o) => o.modelId === model!.id);
                if (!outcome || outcome.severity === null || outcome.severity === 'ungraded' || outcome.category === null) continue;
                mistakes++;
                rows.push({ file: r.file, topPrediction: r.class_idx, category: outcome.category, severity: outcome.severity });
              }
              yield rows;
            }
            reading.end(`read the grades of ${total} items`);
          }
          yield* fed(rows(), mistakesJsonPieces);
          return written(writing, `${mistakes} mistakes of ${model.name}`);
        },
      };
    }
    case 'real': {
      return {
        fileName: `${slug}-real.json`,
        contentType: JSON_TYPE,
        async *pieces(db) {
          const images = await imageCount(db);
          const { reading, writing } = steps(images, 'images');
          // ReaL's list when the images are exactly ILSVRC2012_val_00000001.JPEG ... _{N:08d}.JPEG (realJsonLayout),
          // written in validation order, which for those names is file order; else by file in project order.
          const layout: RealJsonLayout = (yield* isWholeValidationSet(db, projectId, images)) ? 'list' : 'byFile';
          let index = 0;
          let leftOut = 0;
          async function* rows(): AsyncGenerator<RealLabelRow[], void, undefined> {
            for await (const page of projectResultPages(db, entry, { reading, order: layout === 'list' ? 'file' : 'position' })) {
              yield page.map((image) => {
                writing.tick(index++);
                const classIndices = isProblematic(image) ? [] : labelLists(image.labels, orderOf).correct.map(orderOf);
                if (classIndices.length === 0) leftOut++;
                return { file: image.file, classIndices };
              });
            }
            reading.end(`read the results of ${images} images`);
          }
          yield* fed(rows(), (rows) => realJsonPieces(layout, rows));
          return written(writing, `${index} images, ${leftOut} left out`);
        },
      };
    }
    case 'csv': {
      const models = entry.models.map((m) => m.name);
      return {
        fileName: `${slug}.csv`,
        contentType: 'text/csv; charset=utf-8',
        async *pieces(db) {
          const images = await imageCount(db);
          const { reading, writing } = steps(images, 'images');
          let index = 0;
          async function* rows(): AsyncGenerator<CsvExportRow[], void, undefined> {
            for await (const page of projectResultPages(db, entry, { reading })) {
              yield page.map((image): CsvExportRow => {
                writing.tick(index++);
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
            }
            reading.end(`read the results of ${images} images`);
          }
          yield* fed(rows(), (rows) => csvExportPieces({ models, rows }));
          return written(writing, `${index} images`);
        },
      };
    }
    case 'expert-reliability': {
      return {
        fileName: `${slug}-expert-reliability.csv`,
        contentType: 'text/csv; charset=utf-8',
        async *pieces(db) {
          const generatedAt = new Date(options.now).toISOString();
          const phase = new ProgressPhase(onProgress, 'reading results', RELIABILITY_SOURCES.length, 'references');
          const reports: ExpertReliabilityReport[] = [];
          for (const source of RELIABILITY_SOURCES) {
            phase.tick(reports.length);
            reports.push(await expertReliabilityReport(db, entry, source, generatedAt));
          }
          phase.end(`read the expert reliability against ${reports.map((r) => `${r.referenceItems} ${r.reference} items`).join(' and ')}`);
          const writing = writingPhase(reports.length, 'references');
          yield* expertReliabilityCsvPieces(reports);
          const experts = reports.reduce((n, r) => n + r.experts.length, 0);
          const classes = reports.reduce((n, r) => n + r.classes.length, 0);
          return written(writing, `${experts} expert rows, ${classes} expert × class rows`);
        },
      };
    }
    case 'bagel': {
      return {
        fileName: `${slug}-bagel-archive.json`,
        contentType: JSON_TYPE,
        async *pieces(db) {
          const items = (await db.selectFrom('items').select((eb) => eb.fn.countAll<number>().as('n')).where('project_id', '=', projectId).executeTakeFirstOrThrow()).n;
          const { reading, writing } = steps(items, 'items');
          const archive = bagelArchivePieces(db, entry, new Date(options.now).toISOString(), { reading, writing });
          // yield* hands back the generator's result: what the archive holds.
          const counts = yield* withEnd(archive, () => reading.end(`read ${items} items with their verdicts, decisions and discussions`));
          return written(writing, `${counts.items} items, ${counts.verdicts} verdict revisions, ${counts.decisions} decisions`);
        },
      };
    }
  }
}

/**
 * Whether the project's images are exactly `ILSVRC2012_val_00000001.JPEG` … `ILSVRC2012_val_{N:08d}.JPEG`: their
 * names in file order, a page at a time (an empty piece between pages lets a download serve others meanwhile),
 * stopping at the first that is not the next validation image.
 */
async function* isWholeValidationSet(db: Queries, projectId: number, images: number): AsyncGenerator<string, boolean, undefined> {
  if (images === 0) return false;
  let after = '';
  let index = 0;
  for (;;) {
    const files = await db.selectFrom('images').select('file').where('project_id', '=', projectId).where('file', '>', after).orderBy('file').limit(RESULTS_PAGE_IMAGES * 4).execute();
    if (files.length === 0) return index === images;
    for (const { file } of files) if (file !== imagenetValidationFile(++index)) return false;
    after = files[files.length - 1]!.file;
    yield '';
  }
}

/**
 * The text of `write`, one of @bagel/core's writers (a synchronous generator that takes its rows from an Iterable as
 * it goes, one piece per row), its rows coming page by page from `pages`, which reads them from the database: the
 * next page is awaited once the writer has taken every row of the one before. The pieces written from a page go on
 * together, as one.
 */
async function* fed<T, R>(pages: AsyncGenerator<readonly T[], void, undefined>, write: (rows: Iterable<T>) => Generator<string, R, undefined>): AsyncGenerator<string, R, undefined> {
  let page: readonly T[] = [];
  let taken = 0;
  let ended = false;
  const writer = write({
    [Symbol.iterator]: () => ({
      next(): IteratorResult<T, undefined> {
        if (taken < page.length) return { value: page[taken++] as T, done: false };
        if (ended) return { value: undefined, done: true };
        throw new Error('an export writer took two rows for one piece');
      },
    }),
  });
  try {
    let text = '';
    for (;;) {
      if (taken === page.length && !ended) {
        if (text !== '') yield text;
        text = '';
        const next = await pages.next();
        if (next.done) ended = true;
        else [page, taken] = [next.value, 0];
        continue;
      }
      const piece = writer.next();
      if (piece.done) {
        if (text !== '') yield text;
        return piece.value;
      }
      text += piece.value;
    }
  } finally {
    writer.return(undefined as R);
    await pages.return();
  }
}

/** The pieces of `source`, then `end()` once they are all produced (before the source's result is handed back). */
async function* withEnd<R>(source: AsyncGenerator<string, R, undefined>, end: () => void): AsyncGenerator<string, R, undefined> {
  const result = yield* source;
  end();
  return result;
}

/**
 * The pieces of the export read on one snapshot of `database` (Database.longSnapshot): every page sees the database
 * as it was when the first was read, however long the reading takes and whatever is written meanwhile. The snapshot
 * is released when the pieces end, fail or are abandoned (the generator's `return`).
 */
export function exportPieces(database: Database, prepared: PreparedExport): AsyncGenerator<string, string, undefined> {
  return database.longSnapshot((db) => prepared.pieces(db));
}

/** The whole text of an export, for small projects and tests: a large one is written with writePiecesAtomically or streamed. */
export async function exportText(
  database: Database,
  entry: CatalogProject,
  format: ExportFormat,
  options: BuildExportOptions,
): Promise<{ text: string; summary: string; fileName: string; contentType: string }> {
  const prepared = prepareExport(entry, format, options);
  const pieces: string[] = [];
  const generator = exportPieces(database, prepared);
  for (let next = await generator.next(); ; next = await generator.next()) {
    if (next.done) return { text: pieces.join(''), summary: next.value, fileName: prepared.fileName, contentType: prepared.contentType };
    pieces.push(next.value);
  }
}

const isProblematic = (image: ImageResult) => image.problematic !== null;
