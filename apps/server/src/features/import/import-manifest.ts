import { ImportManifest } from '@bagel/contracts';
import {
  createVocabulary,
  FormatError,
  parseJsonText,
  queuePriority,
  readOriginalLabels,
  readPredictions,
  readVocabulary,
  type PredictionRow,
} from '@bagel/core';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Db } from '../../db/open-database';
import { ImportError } from './import-error';
import { createImportRepository, type ImageToImport, type ProjectToImport } from './import.repository';

export { ImportError } from './import-error';

export interface ImportResult {
  projectId: number;
  projectName: string;
  images: number;
  /** Files named by the original labels that were not in the image folder at import, in label order. */
  missingImages: string[];
  items: number;
  models: number;
  /** True when this very manifest (same name, same bytes of every file) had been imported before: nothing was written. */
  alreadyImported: boolean;
  /** The absolute image folder recorded for the project. */
  imageDir: string;
}

/** A file the manifest names, as read from disk. */
interface NamedFile {
  /** The manifest field naming it, e.g. `models[1].predictions.path`. */
  field: string;
  /** The path shown in messages: the manifest's folder joined with the path the manifest gives (unless absolute). */
  display: string;
  bytes: Buffer;
}

/**
 * Imports the project a manifest describes (docs/FORMATS.md). Every file is read and checked before anything is
 * written; then the project is written in one transaction, so a refused import leaves the database as it was.
 * Importing the same manifest again writes nothing and reports `alreadyImported`; a different manifest under the
 * name of an existing project is refused.
 */
export async function importManifest(
  db: Db,
  manifestPath: string,
  options: { onProgress?: (message: string) => void } = {},
): Promise<ImportResult> {
  const progress = options.onProgress ?? (() => {});
  const manifestBytes = readNamedFile(manifestPath, null);
  const manifest = validateManifest(manifestBytes.toString('utf8'), manifestPath);
  const baseDir = dirname(manifestPath);
  const imageDir = resolve(baseDir, manifest.images.dir);

  const vocabularyFile = readSource(baseDir, manifest.vocabulary.path, 'vocabulary.path');
  const labelsFile = readSource(baseDir, manifest.originalLabels.path, 'originalLabels.path');
  const predictionFiles = manifest.models.map((m, i) => readSource(baseDir, m.predictions.path, `models[${i}].predictions.path`));
  const manifestSha256 = hashFiles(manifestBytes, [vocabularyFile, labelsFile, ...predictionFiles]);

  const repository = createImportRepository(db);
  const existing = repository.findProject(manifest.project.name);
  if (existing && existing.manifestSha256 === manifestSha256) {
    progress(`project "${manifest.project.name}" was already imported from this manifest: nothing to do`);
    const { manifestSha256: _, ...summary } = existing;
    return { ...summary, projectName: manifest.project.name, alreadyImported: true };
  }

  // Problems in the files are reported before a clash of names: they need fixing whatever the project is called.
  const project = parseProject(manifest, { manifestSha256, imageDir, vocabularyFile, labelsFile, predictionFiles }, progress);

  progress(`writing project "${project.name}"`);
  const projectId = db.transaction(() => {
    // Checked inside the transaction: another import of the same name may have finished meanwhile.
    if (repository.findProject(project.name)) throw nameTaken(manifestPath, project.name);
    return repository.insertProject(project, new Date().toISOString());
  })();

  return {
    projectId,
    projectName: project.name,
    images: project.images.length,
    missingImages: project.images.filter((i) => i.missing).map((i) => i.file),
    items: project.images.filter((i) => i.item).length,
    models: project.models.length,
    alreadyImported: false,
    imageDir,
  };
}

function nameTaken(manifestPath: string, name: string): ImportError {
  return new ImportError(
    { file: manifestPath, field: 'project.name' },
    `a project named "${name}" already exists with different content; give this import another project name, or import into another database`,
  );
}

function readNamedFile(path: string, namedBy: string | null): Buffer {
  const by = namedBy ? ` (named by the manifest's field "${namedBy}")` : '';
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new ImportError({ file: path }, `file not found${by}`);
    if (code === 'EISDIR') throw new ImportError({ file: path }, `this is a folder, not a file${by}`);
    throw new ImportError({ file: path }, `cannot read the file${by}: ${(error as Error).message}`);
  }
}

function readSource(baseDir: string, path: string, field: string): NamedFile {
  const display = isAbsolute(path) ? path : join(baseDir, path);
  return { field, display, bytes: readNamedFile(display, field) };
}

/** One digest over the manifest and every file it names, each framed by its role and length so no two sets collide. */
function hashFiles(manifestBytes: Buffer, files: readonly NamedFile[]): string {
  const hash = createHash('sha256');
  hash.update(`manifest\n${manifestBytes.length}\n`).update(manifestBytes);
  for (const f of files) hash.update(`\n${f.field}\n${f.bytes.length}\n`).update(f.bytes);
  return hash.digest('hex');
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
    throw new ImportError(field ? { file: manifestPath, field } : { file: manifestPath }, issue.message);
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

function parseProject(
  manifest: ImportManifest,
  input: { manifestSha256: string; imageDir: string; vocabularyFile: NamedFile; labelsFile: NamedFile; predictionFiles: NamedFile[] },
  progress: (message: string) => void,
): ProjectToImport {
  try {
    const { vocabularyFile, labelsFile, predictionFiles } = input;
    const classes = readVocabulary(vocabularyFile.bytes.toString('utf8'), vocabularyFile.display, manifest.vocabulary.format);
    const vocabulary = createVocabulary(classes);
    progress(`vocabulary: ${classes.length} classes`);

    const labels = readOriginalLabels(labelsFile.bytes.toString('utf8'), labelsFile.display, manifest.originalLabels.format, {
      vocabulary,
      classBy: manifest.originalLabels.classBy,
    });
    progress(`original labels: ${labels.length} images`);
    const positionOf = new Map(labels.map((l, i) => [l.file, i]));

    const topK = manifest.project.topK;
    // rankings[image][model] = the model's top-k on the image, best first.
    const rankings = labels.map(() => manifest.models.map((): PredictionRow[] => []));
    manifest.models.forEach((model, m) => {
      const file = predictionFiles[m]!;
      const rows = readPredictions(file.bytes.toString('utf8'), file.display, model.predictions.format, {
        vocabulary,
        classBy: model.predictions.classBy,
        knownFiles: positionOf,
      });
      // The reader guarantees each image's ranks run 1..n, so rank - 1 is a free slot.
      for (const row of rows) if (row.rank <= topK) rankings[positionOf.get(row.file)!]![m]![row.rank - 1] = row;
      progress(`model "${model.name}": ${rows.length} predictions`);
    });

    const images = labels.map((label, position): ImageToImport => {
      const perModel = rankings[position]!;
      const { modelsWrong, confidence } = queuePriority(
        perModel.map((ranking, m) => ({ model: manifest.models[m]!.name, predictions: ranking.slice(0, 1).map((p) => ({ key: p.classKey, score: p.score })) })),
        new Set([label.classKey]),
      );
      return {
        file: label.file,
        originalClassIndex: label.classIndex,
        missing: !isFile(join(input.imageDir, label.file)),
        predictions: perModel,
        item: modelsWrong > 0 ? { modelsWrong, confidence } : null,
      };
    });

    return {
      name: manifest.project.name,
      description: manifest.project.description,
      imageDir: input.imageDir,
      panelSize: manifest.project.panelSize,
      topK,
      claimMs: manifest.project.claimMinutes * 60_000,
      mistakeCategories: manifest.project.mistakeCategories,
      manifestSha256: input.manifestSha256,
      classes,
      models: manifest.models.map((m) => ({ name: m.name, displayName: m.displayName ?? m.name, illustrative: m.illustrative })),
      images,
    };
  } catch (error) {
    if (error instanceof FormatError) throw ImportError.fromFormatError(error);
    throw error;
  }
}

function isFile(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}
