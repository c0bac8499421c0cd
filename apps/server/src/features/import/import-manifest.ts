import { ImportManifest, type ManifestCrowdAnswers, type ManifestPredictions, type ManifestPriorLabels } from '@bagel/contracts';
import {
  createProjectImageIndex,
  createVocabulary,
  CrowdAnswersReader,
  withGoldenQuestions,
  type CrowdAnswers,
  type DawidSkeneGold,
  type GoldAnswer,
  type GoldenQuestionsSummary,
  FormatError,
  labelImageList,
  mergePriorJudgements,
  NpyPredictionsReader,
  parseJsonText,
  goldAnswersFrom,
  priorLabelsFromHumanAccuracy,
  priorLabelsFromReal,
  priorProblematic,
  queuePriority,
  readHumanAccuracyV3,
  readImageList,
  readOriginalLabels,
  readPredictions,
  readRealJson,
  readVocabulary,
  resolveCrowdQuestions,
  routeCrowdAnswers,
  rowsOfImageList,
  rowsOfImagenetValidation,
  rowsOfProjectImages,
  scoreAt,
  topKTableFromRows,
  type CrowdRoute,
  type ModelPredictions,
  type OriginalLabels,
  type PriorLabels,
  type ProjectImageIndex,
  type TopKTable,
  type Vocabulary,
} from '@bagel/core';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import type { Database, Queries } from '../../db/database';
import type { Db } from '../../db/open-database';
import { asDatabase } from '../../db/sqlite-engine';
import { writeInSlices, type SliceOptions } from '../../db/write-in-slices';
import { checkImages } from '../images/check-images';
import { createImageSource, type ImageSource } from '../images/image-source';
import { createRemoteFetcher, DEFAULT_REMOTE_FETCH, type RemoteFetchSettings } from '../images/remote-fetch';
import { ImportError } from './import-error';
import { ProgressPhase, type ImportProgressListener } from '../../lib/step-progress';
import { createImportRepository, type CrowdToImport, type ImagesToImport, type ImageToImport, type ProjectToImport } from './import.repository';
import {
  digestSources,
  readNamedFile,
  readSourceFile,
  SourceDigest,
  statSourceFile,
  streamSourceFile,
  type SourceFile,
} from './source-files';

export { ImportError } from './import-error';
export type { ImportProgress, ImportProgressListener } from '../../lib/step-progress';

export interface ImportResult {
  projectId: number;
  projectName: string;
  images: number;
  /**
   * Images of the project that were not at the image source at import, in project order (with those whose check
   * failed); empty when the images were not checked.
   */
  missingImages: string[];
  /** Whether the images were checked (`--no-check-images` skips it; a project imported before says true). */
  imagesChecked: boolean;
  /** Of the missing images, those whose check failed (an error status, a timeout, a network error) rather than found nothing. */
  imageChecksFailed: number;
  items: number;
  models: number;
  /** True when this very manifest (same name, same bytes of every file) had been imported before: nothing was written. */
  alreadyImported: boolean;
  /** The image source recorded for the project: an absolute folder, a base URL ending with `/`, or s3://bucket/prefix/. */
  imageDir: string;
  /** What the manifest's `priorLabels` file gave (absent when it names none, or nothing was written). */
  priorLabels?: PriorLabelsSummary;
  /** What the manifest's `crowdAnswers` file gave and how Dawid–Skene routed it (absent likewise). */
  crowdAnswers?: CrowdAnswersSummary;
  /** What the manifest's `gold` file gave (absent when it names none). */
  gold?: GoldAnswersSummary;
}

export interface GoldAnswersSummary {
  /** Items that became gold items, the file's label set their answer. */
  goldItems: number;
  /** Project images the file labels that are not items: left out (only an item can be served). */
  labelledNotItems: number;
  /** Entries of the file about images that are not in the project: left out. */
  ignored: number;
}

export interface PriorLabelsSummary {
  /** Project images the file gives a label set. */
  labelledImages: number;
  /** Judgements stored (one per image and class). */
  judgements: number;
  problematicImages: number;
  majorSliceImages: number;
  /** Entries of the file about images that are not in the project: left out. */
  ignored: { labelled: number; problematic: number; majorSlice: number };
}

export interface CrowdAnswersSummary {
  raters: number;
  /** Questions in the file, and those about images outside the project (read for the raters' reliability only). */
  questions: number;
  questionsOutsideProject: number;
  /** Questions about project images that no rater answered. */
  unansweredQuestions: number;
  /** Answers in the file, and those stored (about project images). */
  answers: number;
  answersStored: number;
  /** Answered pairs about project images, by route. */
  routes: Record<CrowdRoute, number>;
  /** Images that are review items because of a pair in the uncertain band although every model's top-1 is accepted. */
  itemsFromCrowdOnly: number;
  /**
   * Images on which the crowd found every class it was asked about absent (ReaL's `[]`): an empty label set and the
   * problematic record `ReaL: no label`.
   */
  noLabelImages: number;
  iterations: number;
  converged: boolean;
  /** What the golden questions added, when the manifest names them (their raters' reliability then held fixed). */
  golden?: GoldenQuestionsSummary;
}

export interface ImportOptions {
  /** Milestones, and the progress of long steps (reading a NumPy file, writing the rows): see ImportProgressListener. */
  onProgress?: ImportProgressListener;
  /**
   * How the project is written: in transactions of about `sliceMs`, with a pause between them for a server that
   * serves the same database (writeInSlices). `pauseMs: 0` for a database nobody else can have open.
   */
  slices?: SliceOptions;
  /** Whether to check that every image is at the image source (default true); unchecked, none is recorded missing. */
  checkImages?: boolean;
  /** Where an s3:// source reads its endpoint, region and credentials (default: the process's environment). */
  env?: NodeJS.ProcessEnv;
  /** Bounds of the remote checks (timeout, requests at once); DEFAULT_REMOTE_FETCH otherwise. */
  remote?: Partial<RemoteFetchSettings>;
}

/** The files a manifest names. NumPy prediction files are streamed; every other file is small and read whole. */
interface Sources {
  vocabulary: SourceFile;
  originalLabels: SourceFile | null;
  predictions: SourceFile[];
  imageList: SourceFile | null;
  /** Per model, the image list ordering the rows of its NumPy file, if it names one. */
  rowLists: (SourceFile | null)[];
  priorLabels: SourceFile | null;
  /** Streamed (a crowd tensor is R × Q × 3 float64: hundreds of MB). */
  crowdAnswers: SourceFile | null;
  /** The golden questions' files (experts, then raters), streamed likewise. */
  crowdGolden: { experts: SourceFile; raters: SourceFile } | null;
  /** Gold answers, in a prior labels file's formats. */
  gold: SourceFile | null;
}

/** The order in which the files enter the digest (see SourceDigest): the files of the first manifest version first. */
function inDigestOrder(sources: Sources): SourceFile[] {
  const present = (f: SourceFile | null): f is SourceFile => f !== null;
  return [
    sources.vocabulary,
    sources.originalLabels,
    ...sources.predictions,
    sources.imageList,
    ...sources.rowLists,
    sources.priorLabels,
    sources.crowdAnswers,
    sources.crowdGolden?.experts ?? null,
    sources.crowdGolden?.raters ?? null,
    sources.gold,
  ].filter(present);
}

function isNumpy(predictions: ManifestPredictions): predictions is Exclude<ManifestPredictions, { format: 'json' | 'csv' }> {
  return predictions.format !== 'json' && predictions.format !== 'csv';
}

/**
 * Imports the project a manifest describes (docs/FORMATS.md). Every file is read and checked before anything is
 * written; then the project is written in short transactions (writeInSlices), hidden until the last one commits, so
 * a server serving the same database is never held up for long and a refused or failed import leaves no project.
 * NumPy prediction files are streamed in chunks and only each image's top-k is kept, so memory stays bounded by the
 * project's size, not by the files'. Importing the same manifest again writes nothing and reports `alreadyImported`;
 * a different manifest under the name of an existing project is refused. Prior labels and crowd answers, when the
 * manifest names them, set the images' prior judgements and accepted labels and so which images are items; crowd
 * answers are streamed and routed by Dawid–Skene (docs/FORMATS.md, docs/AGGREGATION.md).
 */
export async function importManifest(target: Database | Db, manifestPath: string, options: ImportOptions = {}): Promise<ImportResult> {
  const database = asDatabase(target);
  const listener: ImportProgressListener = options.onProgress ?? (() => {});
  const manifestBytes = readNamedFile(manifestPath, null);
  const manifest = validateManifest(manifestBytes.toString('utf8'), manifestPath);
  const baseDir = dirname(manifestPath);
  // The manifest's schema has checked the source's text: a folder (relative to the manifest), a base URL or a bucket.
  const imageSource = createImageSource(manifest.images.dir, {
    baseDir,
    env: options.env,
    fetcher: createRemoteFetcher({ ...DEFAULT_REMOTE_FETCH, ...options.remote }),
  });
  const imageDir = imageSource.text;

  const sources: Sources = {
    vocabulary: readSourceFile(baseDir, manifest.vocabulary.path, 'vocabulary.path'),
    originalLabels: manifest.originalLabels ? readSourceFile(baseDir, manifest.originalLabels.path, 'originalLabels.path') : null,
    predictions: manifest.models.map((m, i) =>
      (isNumpy(m.predictions) ? statSourceFile : readSourceFile)(baseDir, m.predictions.path, `models[${i}].predictions.path`),
    ),
    imageList: manifest.images.list ? readSourceFile(baseDir, manifest.images.list.path, 'images.list.path') : null,
    rowLists: manifest.models.map((m, i) =>
      isNumpy(m.predictions) && m.predictions.imageList
        ? readSourceFile(baseDir, m.predictions.imageList.path, `models[${i}].predictions.imageList.path`)
        : null,
    ),
    priorLabels: manifest.priorLabels ? readSourceFile(baseDir, manifest.priorLabels.path, 'priorLabels.path') : null,
    crowdAnswers: manifest.crowdAnswers ? statSourceFile(baseDir, manifest.crowdAnswers.path, 'crowdAnswers.path') : null,
    crowdGolden: manifest.crowdAnswers?.golden
      ? {
          experts: statSourceFile(baseDir, manifest.crowdAnswers.golden.experts, 'crowdAnswers.golden.experts'),
          raters: statSourceFile(baseDir, manifest.crowdAnswers.golden.raters, 'crowdAnswers.golden.raters'),
        }
      : null,
    gold: manifest.gold ? readSourceFile(baseDir, manifest.gold.path, 'gold.path') : null,
  };

  const repository = createImportRepository(database.queries);
  const existing = await repository.findProject(manifest.project.name);
  if (existing) {
    const digest = await digestSources(manifestBytes, inDigestOrder(sources), listener);
    if (digest === existing.manifestSha256) {
      listener(`project "${manifest.project.name}" was already imported from this manifest: nothing to do`);
      const { manifestSha256: _, ...summary } = existing;
      return { ...summary, projectName: manifest.project.name, alreadyImported: true, imagesChecked: true, imageChecksFailed: 0 };
    }
  }

  const written = await loadAndWrite(database, manifest, { manifestPath, manifestBytes, imageSource, sources }, options, listener);
  // The dashboard's baseline is stored with the project (insertProject tallies it as it writes), so the first
  // dashboard a server is asked for does not compute it.
  await repository.refreshStatistics();
  return { ...written, alreadyImported: false, imageDir };
}

/**
 * SQLite: log pages after which a commit of the import copies the log back into the database (SQLite's default is
 * 1,000). The import's rows land all over the indexes (a class's top-1 predictions, the queue's order), so the next
 * slices rewrite the pages a checkpoint has just copied: at a million images, checkpoints every 1,000 pages were
 * half of the write's time (writing 1.25 million images: 157 s, 104 to 109 s with 16,384). A server serving the file
 * checkpoints in the background meanwhile, as always.
 */
const BULK_CHECKPOINT_PAGES = 16_384;

/** Reads the manifest's files, then writes the project: what an import returns but the image source and whether it was a repeat. */
async function loadAndWrite(
  database: Database,
  manifest: ImportManifest,
  input: { manifestPath: string; manifestBytes: Buffer; imageSource: ImageSource; sources: Sources },
  options: ImportOptions,
  listener: ImportProgressListener,
): Promise<Omit<ImportResult, 'alreadyImported' | 'imageDir'>> {
  const { manifestPath } = input;
  const repository = createImportRepository(database.queries);
  // Problems in the files are reported before a clash of names: they need fixing whatever the project is called.
  let loaded: LoadedProject;
  try {
    loaded = await loadProject(manifest, { ...input, checkImages: options.checkImages ?? true }, listener);
  } catch (error) {
    if (error instanceof FormatError) throw ImportError.fromFormatError(error);
    throw error;
  }
  const { project } = loaded;

  // What an import that stopped midway (a crash) left is removed first: it holds its project's name.
  for (const stale of await repository.incompleteProjects()) {
    if (importerAlive(stale.importing)) continue;
    listener(`removing the half-written project "${stale.name}" left by an import that stopped (${stale.importing})`);
    await writeInSlices(database, (slice) => createImportRepository(slice.queries).deleteIncompleteProject(slice, stale.id), options.slices);
  }

  // Written in short transactions (a server may be serving this database), hidden until the last one commits.
  const writing = new ProgressPhase(listener, 'writing', project.images.count, 'images');
  const answersStored = loaded.crowdAnswers?.answersStored ?? 0;
  let writingAnswers: ProgressPhase | undefined;
  const importer = `${process.pid}@${hostname()}`;
  async function* steps(slice: { readonly queries: Queries }): AsyncGenerator<void, number, undefined> {
    // Checked in the first transaction: another import of the same name may have finished meanwhile, or be under way.
    const clash = await createImportRepository(slice.queries).projectNamed(project.name);
    if (clash?.importing === null) throw nameTaken(manifestPath, project.name);
    if (clash) throw beingImported(manifestPath, project.name, clash.importing);
    return yield* createImportRepository(slice.queries).insertProject(
      slice,
      project,
      new Date().toISOString(),
      importer,
      (done) => writing.tick(done),
      (done) => (writingAnswers ??= new ProgressPhase(listener, 'writing crowd answers', answersStored, 'answers')).tick(done),
    );
  }
  let projectId: number;
  try {
    projectId = await writeInSlices(database, steps, { checkpointPages: BULK_CHECKPOINT_PAGES, ...options.slices });
  } catch (error) {
    // All or nothing: what the slices before the failure wrote (hidden so far) goes.
    const written = await repository.projectNamed(project.name);
    if (written?.importing === importer) {
      await writeInSlices(database, (slice) => createImportRepository(slice.queries).deleteIncompleteProject(slice, written.id), options.slices);
    }
    throw error;
  }
  writingAnswers?.end(`wrote ${answersStored} crowd answers`);
  writing.end(`wrote project "${project.name}"`);
  return {
    projectId,
    projectName: project.name,
    images: project.images.count,
    missingImages: loaded.missingImages,
    imagesChecked: loaded.imageChecks !== null,
    imageChecksFailed: loaded.imageChecks?.failed ?? 0,
    items: project.images.items,
    models: project.models.length,
    ...(loaded.priorLabels ? { priorLabels: loaded.priorLabels } : {}),
    ...(loaded.crowdAnswers ? { crowdAnswers: loaded.crowdAnswers } : {}),
    ...(loaded.gold ? { gold: loaded.gold } : {}),
  };
}

function beingImported(manifestPath: string, name: string, importer: string): ImportError {
  return new ImportError(
    { file: manifestPath, field: 'project.name' },
    `a project named "${name}" is being imported by another process (${importer}); wait for it to finish, or give this import another project name`,
  );
}

/**
 * Whether the import that marked a project (`pid@host`) may still be running: on this machine, whether that process
 * exists; an import from another machine is taken to be running.
 */
function importerAlive(importer: string): boolean {
  const at = importer.indexOf('@');
  const pid = Number(importer.slice(0, at));
  if (importer.slice(at + 1) !== hostname() || !Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function nameTaken(manifestPath: string, name: string): ImportError {
  return new ImportError(
    { file: manifestPath, field: 'project.name' },
    `a project named "${name}" already exists with different content; give this import another project name, or import into another database`,
  );
}

function validateManifest(text: string, manifestPath: string): ImportManifest {
  let data: unknown;
  try {
    data = parseJsonText(text, manifestPath);
  } catch (error) {
    if (error instanceof FormatError) throw ImportError.fromFormatError(error);
    throw error;
  }
  const parsed = ImportManifest.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    if (issue.code === 'unrecognized_keys') {
      throw new ImportError({ file: manifestPath, field: fieldPath([...issue.path, issue.keys[0]!]) }, 'unknown field');
    }
    const field = issue.path.length > 0 ? fieldPath(issue.path) : undefined;
    // A format that is none of the predictions formats: say which ones there are, as for any other set of options.
    const message =
      issue.code === 'invalid_union' && 'options' in issue && Array.isArray(issue.options)
        ? `Invalid option: expected one of ${issue.options.map((o) => JSON.stringify(o)).join('|')}`
        : issue.message;
    throw new ImportError(field ? { file: manifestPath, field } : { file: manifestPath }, message);
  }
  const manifest = parsed.data;
  const seen = new Map<string, number>();
  manifest.models.forEach((m, i) => {
    const first = seen.get(m.name);
    if (first !== undefined) {
      throw new ImportError({ file: manifestPath, field: `models[${i}].name` }, `duplicate model name "${m.name}" (also models[${first}])`);
    }
    seen.set(m.name, i);
  });
  return manifest;
}

/** `models[0].predictions.format`: a zod issue path as a person writes it. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
}

const text = (source: SourceFile) => source.bytes!.toString('utf8');

interface LoadedProject {
  project: ProjectToImport;
  /** What the check of the images found; null when they were not checked. */
  imageChecks: { failed: number } | null;
  /** The images not at the image source, in project order (ImportResult.missingImages). */
  missingImages: string[];
  priorLabels?: PriorLabelsSummary;
  crowdAnswers?: CrowdAnswersSummary;
  gold?: GoldAnswersSummary;
}

/** Reads and checks every file, computing the digest on the way (each file is read once); writes nothing. */
async function loadProject(
  manifest: ImportManifest,
  input: { manifestPath: string; manifestBytes: Buffer; imageSource: ImageSource; checkImages: boolean; sources: Sources },
  listener: ImportProgressListener,
): Promise<LoadedProject> {
  const { sources } = input;
  const digest = new SourceDigest(input.manifestBytes);

  digest.addWhole(sources.vocabulary);
  const classes = readVocabulary(text(sources.vocabulary), sources.vocabulary.display, manifest.vocabulary.format);
  const vocabulary = createVocabulary(classes);
  listener(`vocabulary: ${classes.length} classes`);

  if (sources.originalLabels) digest.addWhole(sources.originalLabels);
  const labels = readProjectImages(manifest, sources, vocabulary, listener);
  // The labels find an image's position by its exact name. The index that also finds it by its last segment (prior
  // labels, crowd answers, gold) is made only when a file names images that way: a map of a million names, which an
  // import of .npy files in project order does without.
  let imageIndex: ProjectImageIndex | null = null;
  const projectImages = () => (imageIndex ??= createProjectImageIndex(labels.files()));

  const topK = manifest.project.topK;
  const tables: TopKTable[] = [];
  for (const [m, model] of manifest.models.entries()) {
    const file = sources.predictions[m]!;
    const predictions = model.predictions;
    if (!isNumpy(predictions)) {
      digest.addWhole(file);
      const rows = readPredictions(text(file), file.display, predictions.format, { vocabulary, classBy: predictions.classBy, knownFiles: labels });
      tables.push(topKTableFromRows(rows, labels, labels.length, topK));
      listener(`model "${model.name}": ${rows.length} predictions`);
      continue;
    }
    const rowList = sources.rowLists[m];
    const rows = rowList
      ? rowsOfImageList(readImageList(text(rowList), rowList.display, predictions.imageList!.format), labels, rowList.display)
      : predictions.rows === 'imagenet-validation'
        ? rowsOfImagenetValidation(labels.files(), { file: input.manifestPath, field: `models[${m}].predictions.rows` })
        : rowsOfProjectImages(labels.length);
    const phase = new ProgressPhase(listener, `model "${model.name}"`, rows.targets.length, 'rows');
    const reader = new NpyPredictionsReader({
      file: file.display,
      format: predictions.format,
      member: predictions.format === 'npz-scores' ? predictions.member : undefined,
      kind: predictions.format === 'npy-topk' ? undefined : predictions.kind,
      vocabulary,
      topK,
      imageCount: labels.length,
      rows,
      onRows: (done) => phase.tick(done),
    });
    digest.begin(file);
    await streamSourceFile(file, (chunk) => {
      digest.update(chunk);
      reader.push(chunk);
    });
    const table = reader.finish();
    tables.push(table);
    const ranked = countRanked(table);
    const scores = predictions.format === 'npy-topk' ? 'class indices' : predictions.kind;
    phase.end(`model "${model.name}": ${rows.targets.length} rows of ${scores} read, top-${Math.min(topK, table.k)} kept for ${ranked} images`);
  }
  if (sources.imageList) digest.addWhole(sources.imageList);
  for (const list of sources.rowLists) if (list) digest.addWhole(list);

  const project = {
    get images() {
      return projectImages();
    },
    vocabulary,
  };
  // The import's time, recorded in the problematic records of images without a label (ReaL's `[]`, the crowd's).
  const recordedAt = new Date().toISOString();
  let prior: PriorLabels | null = null;
  if (sources.priorLabels && manifest.priorLabels) {
    digest.addWhole(sources.priorLabels);
    prior = readPriorLabels(manifest.priorLabels, sources.priorLabels, project, recordedAt, listener);
  }
  let crowd: CrowdToImport | null = null;
  if (sources.crowdAnswers && manifest.crowdAnswers) {
    const labelledByFile = new Uint8Array(labels.length);
    for (const { position } of prior?.labelled ?? []) labelledByFile[position] = 1;
    crowd = await readCrowdAnswers(manifest.crowdAnswers, sources.crowdAnswers, sources.crowdGolden, project, labelledByFile, digest, listener);
  }

  const priorJudgements = mergePriorJudgements({
    originalClassIndex: labels.classIndexColumn(),
    prior,
    crowdPairs: crowd?.routing.pairs ?? [],
  });
  let itemsFromCrowdOnly = 0;
  const noLabelImages = priorJudgements.crowdNoLabelPositions.length;
  if (noLabelImages > 0) listener(`crowd answers: ${noLabelImages} images with every class asked about absent: no label (problematic, as ReaL's [])`);
  const checked = input.checkImages ? await checkImages(input.imageSource, labels.files(), listener) : null;
  if (!checked) listener('images: not checked (--no-check-images): none is recorded missing');
  if (checked && checked.found === 0 && checked.failed === labels.length && labels.length > 0) {
    throw new ImportError(
      { file: input.manifestPath, field: 'images.dir' },
      `the image source ${input.imageSource.text} cannot be read: the check of every image failed (the first: ${checked.firstFailure}); ` +
        'check the address, the network and the credentials, or import with --no-check-images',
    );
  }
  // What makes an image an item, kept per image in a few bytes; each image's record is made again when it is written.
  const modelsWrongOf = new Uint8Array(labels.length);
  const confidenceOf = new Float64Array(labels.length);
  const isItem = new Uint8Array(labels.length);
  let items = 0;
  for (let position = 0; position < labels.length; position++) {
    const top1s: ModelPredictions[] = tables.map((table, m) => {
      const classIndex = table.classIndex[position * table.k]!;
      if (classIndex < 0) return { model: manifest.models[m]!.name, predictions: [] };
      return { model: manifest.models[m]!.name, predictions: [{ key: vocabulary.byIndex(classIndex)!.key, score: scoreAt(table, position * table.k) }] };
    });
    const judged = priorJudgements.at(position);
    const acceptedKeys = new Set(judged.accepted.map((index) => vocabulary.byIndex(index)!.key));
    const { modelsWrong, confidence } = queuePriority(top1s, acceptedKeys);
    if (modelsWrong === 0 && judged.crowdReview) itemsFromCrowdOnly++;
    modelsWrongOf[position] = modelsWrong;
    confidenceOf[position] = confidence;
    if (modelsWrong > 0 || judged.crowdReview) {
      isItem[position] = 1;
      items++;
    }
  }
  const images: ImagesToImport = {
    count: labels.length,
    items,
    at(position: number): ImageToImport {
      const judged = priorJudgements.at(position);
      return {
        file: labels.file(position),
        originalClassIndex: labels.classIndex(position),
        missing: checked?.missing[position] === 1,
        accepted: judged.accepted,
        priorJudgements: judged.judgements,
        item: isItem[position] === 1 ? { modelsWrong: modelsWrongOf[position]!, confidence: confidenceOf[position]!, extraCandidates: judged.extraCandidates } : null,
      };
    },
  };

  let gold: { answers: readonly GoldAnswer[]; summary: GoldAnswersSummary } | null = null;
  if (sources.gold && manifest.gold) {
    digest.addWhole(sources.gold);
    gold = readGoldAnswers(manifest.gold, sources.gold, project, recordedAt, (position) => isItem[position] === 1, listener);
  }

  const projectToImport: ProjectToImport = {
    name: manifest.project.name,
    description: manifest.project.description,
    imageDir: input.imageSource.text,
    panelSize: manifest.project.panelSize,
    panel: manifest.project.panel,
    modelEvidence: manifest.project.modelEvidence,
    goldRate: manifest.project.goldRate,
    goldQualification: manifest.project.goldQualification,
    goldFeedback: manifest.project.goldFeedback,
    decoys: manifest.project.decoys,
    aggregation: manifest.project.aggregation,
    topK,
    claimMs: manifest.project.claimMinutes * 60_000,
    mistakeCategories: manifest.project.mistakeCategories,
    manifestSha256: digest.hex(),
    classes,
    models: manifest.models.map((m, i) => ({ name: m.name, displayName: m.displayName ?? m.name, illustrative: m.illustrative, predictions: tables[i]! })),
    images,
    priorProblematic: priorProblematic(prior, priorJudgements, recordedAt),
    priorMajorSlice: prior?.majorSlice ?? [],
    crowd,
    gold: gold?.answers ?? [],
  };
  return {
    project: projectToImport,
    imageChecks: checked && { failed: checked.failed },
    missingImages: checked ? missingFiles(labels, checked.missing) : [],
    ...(prior ? { priorLabels: summarizePriorLabels(prior) } : {}),
    ...(crowd ? { crowdAnswers: summarizeCrowd(crowd, itemsFromCrowdOnly, noLabelImages) } : {}),
    ...(gold ? { gold: gold.summary } : {}),
  };
}

/** Reads a multi-label file (prior labels, gold answers) and resolves it against the project's images and vocabulary. */
function readMultiLabels(
  source: ManifestPriorLabels,
  file: SourceFile,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
  recordedAt: string,
): PriorLabels {
  return source.format === 'human-accuracy-v3'
    ? priorLabelsFromHumanAccuracy(readHumanAccuracyV3(text(file), file.display), file.display, project)
    : priorLabelsFromReal(readRealJson(text(file), file.display), file.display, project, recordedAt);
}

/**
 * Reads the gold answers file: each item it labels becomes a gold item, its label set the answer. A file that labels
 * no item of the project is refused, as a prior labels file naming no project image is: it cannot serve any gold.
 */
function readGoldAnswers(
  source: ManifestPriorLabels,
  file: SourceFile,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
  recordedAt: string,
  isItem: (position: number) => boolean,
  listener: ImportProgressListener,
): { answers: readonly GoldAnswer[]; summary: GoldAnswersSummary } {
  const labels = readMultiLabels(source, file, project, recordedAt);
  const { answers, labelledNotItems } = goldAnswersFrom(labels, isItem, project.vocabulary);
  if (answers.length === 0) {
    throw new ImportError(
      { file: file.display },
      `none of the ${labels.labelled.length} project images it labels is an item (an image whose every model's top-1 is among its accepted labels is not reviewed): it gives no gold item`,
    );
  }
  const ignored = labels.ignored.labelled;
  listener(
    `gold answers: ${answers.length} gold items` +
      (labelledNotItems > 0 ? `; ${labelledNotItems} labelled images that are not items left out` : '') +
      (ignored > 0 ? `; ${ignored} entries about images outside the project left out` : ''),
  );
  return { answers, summary: { goldItems: answers.length, labelledNotItems, ignored } };
}

/** Reads the prior labels file and resolves it against the project's images and vocabulary. */
function readPriorLabels(
  source: ManifestPriorLabels,
  file: SourceFile,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
  recordedAt: string,
  listener: ImportProgressListener,
): PriorLabels {
  const prior = readMultiLabels(source, file, project, recordedAt);
  const { ignored } = prior;
  const ignoredCount = ignored.labelled + ignored.problematic + ignored.majorSlice;
  listener(
    `prior labels: ${prior.labelled.length} images labelled, ${prior.problematic.length} problematic, ${prior.majorSlice.length} in the Major slice` +
      (ignoredCount > 0 ? `; ${ignoredCount} entries about images outside the project left out` : ''),
  );
  return prior;
}

function summarizePriorLabels(prior: PriorLabels): PriorLabelsSummary {
  return {
    labelledImages: prior.labelled.length,
    judgements: prior.labelled.reduce((n, l) => n + l.judgements.length, 0),
    problematicImages: prior.problematic.length,
    majorSliceImages: prior.majorSlice.length,
    ignored: { ...prior.ignored },
  };
}

/**
 * Streams the crowd answers archive (its tensor is decoded one rater at a time and only the answers are kept), then
 * runs Dawid–Skene over every answer and routes the pairs about project images.
 */
/** Reads one file in ReaL's crowd layout, streamed into the digest. */
async function readCrowdFile(file: SourceFile, digest: SourceDigest, listener: ImportProgressListener, what: string): Promise<CrowdAnswers> {
  const reader = new CrowdAnswersReader({ file: file.display });
  const phase = new ProgressPhase(listener, what, Math.ceil(file.size / 1e6), 'MB');
  let read = 0;
  digest.begin(file);
  await streamSourceFile(file, (chunk) => {
    digest.update(chunk);
    reader.push(chunk);
    read += chunk.length;
    phase.tick(Math.floor(read / 1e6));
  });
  const answers = reader.finish();
  phase.end(`${what}: ${answers.answers.question.length} answers from ${answers.raterIds.length} raters to ${answers.questionFiles.length} questions`);
  return answers;
}

async function readCrowdAnswers(
  source: ManifestCrowdAnswers,
  file: SourceFile,
  goldenFiles: Sources['crowdGolden'],
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
  labelledByFile: Uint8Array,
  digest: SourceDigest,
  listener: ImportProgressListener,
): Promise<CrowdToImport> {
  let answers = await readCrowdFile(file, digest, listener, 'crowd answers');
  let gold: DawidSkeneGold | undefined;
  let golden: GoldenQuestionsSummary | undefined;
  if (goldenFiles) {
    const experts = await readCrowdFile(goldenFiles.experts, digest, listener, 'golden questions, experts');
    const raters = await readCrowdFile(goldenFiles.raters, digest, listener, 'golden questions, raters');
    const merged = withGoldenQuestions(answers, experts, raters);
    ({ crowd: answers, gold, summary: golden } = merged);
    listener(`golden questions: ${golden.golden} settled by the experts (${golden.added} not among the crowd file's questions), ${golden.raterAnswers} rater answers added`);
  }
  const targets = resolveCrowdQuestions(answers, file.display, project);
  const settings = { threshold: source.threshold, uncertainBand: source.uncertainBand };
  const started = Date.now();
  const routing = routeCrowdAnswers(answers, targets, settings, (position) => labelledByFile[position] === 1, gold);
  const { result } = routing;
  const routes = countRoutes(routing.pairs.map((p) => p.route));
  listener(
    `crowd answers: Dawid–Skene${gold ? ' with golden questions' : ''} ${result.converged ? 'converged' : 'stopped without converging'} after ${result.iterations} iterations ` +
      `(${((Date.now() - started) / 1000).toFixed(1)} s); pairs: ${routes.label} labels, ${routes.absent} absent, ${routes.review} to review` +
      (routes.none > 0 ? `, ${routes.none} between the band and the threshold` : '') +
      (routes.file > 0 ? `, ${routes.file} on images the prior labels file labels` : '') +
      (targets.outsideProject > 0 ? `; ${targets.outsideProject} questions about images outside the project` : ''),
  );
  return { settings, answers, routing, ...(golden ? { golden } : {}) };
}

function countRoutes(routes: readonly CrowdRoute[]): Record<CrowdRoute, number> {
  const counts: Record<CrowdRoute, number> = { label: 0, absent: 0, review: 0, none: 0, file: 0 };
  for (const route of routes) counts[route]++;
  return counts;
}

function summarizeCrowd(crowd: CrowdToImport, itemsFromCrowdOnly: number, noLabelImages: number): CrowdAnswersSummary {
  const { answers, routing } = crowd;
  const questions = answers.questionFiles.length;
  const inProject = routing.pairs.length + routing.unansweredQuestions;
  return {
    raters: answers.raterIds.length,
    questions,
    questionsOutsideProject: questions - inProject,
    unansweredQuestions: routing.unansweredQuestions,
    answers: answers.answers.question.length,
    answersStored: routing.pairs.reduce((n, p) => n + p.answers, 0),
    routes: countRoutes(routing.pairs.map((p) => p.route)),
    itemsFromCrowdOnly,
    noLabelImages,
    iterations: routing.result.iterations,
    converged: routing.result.converged,
    ...(crowd.golden ? { golden: crowd.golden } : {}),
  };
}

/**
 * The project's images with their original labels, in project order: the image list when the manifest names one
 * (labels from the list, or looked up in the original labels file), else the original labels file.
 */
function readProjectImages(manifest: ImportManifest, sources: Sources, vocabulary: Vocabulary, listener: ImportProgressListener): OriginalLabels {
  const labelsSource = manifest.originalLabels;
  const labelsFile = sources.originalLabels;
  const originalLabels =
    labelsSource && labelsFile
      ? readOriginalLabels(text(labelsFile), labelsFile.display, labelsSource.format, { vocabulary, classBy: labelsSource.classBy })
      : null;
  const list = manifest.images.list;
  const listFile = sources.imageList;
  if (!list || !listFile) {
    listener(`original labels: ${originalLabels!.length} images`);
    return originalLabels!;
  }
  const entries = readImageList(text(listFile), listFile.display, list.format);
  const labels = labelImageList(entries, {
    vocabulary,
    classBy: list.classBy,
    originalLabels: originalLabels && labelsFile ? { labels: originalLabels, file: labelsFile.display, format: labelsSource!.format } : undefined,
  });
  listener(`image list: ${labels.length} images, original labels ${labelsFile ? `from ${labelsFile.display}` : 'from the list'}`);
  return labels;
}

function missingFiles(labels: OriginalLabels, missing: Uint8Array): string[] {
  const files: string[] = [];
  for (let position = 0; position < labels.length; position++) if (missing[position] === 1) files.push(labels.file(position));
  return files;
}

function countRanked(table: TopKTable): number {
  let ranked = 0;
  for (let i = 0; i < table.imageCount; i++) if (table.classIndex[i * table.k]! >= 0) ranked++;
  return ranked;
}
