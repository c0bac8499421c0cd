import type { Judgement } from '@bagel/contracts';
import type { HumanAccuracyList, HumanAccuracyV3, ProblematicImageRecord } from '../../exports/human-accuracy-v3';
import { jsonFormatError, jsonPathIndex, jsonPathKey } from '../../exports/json-path';
import type { RealJsonLayout, RealLabelRow } from '../../exports/real-json';
import type { Vocabulary } from '../../vocabulary';
import { FormatError } from '../format-error';
import type { ProjectImageIndex } from '../project-image-index';

export interface PriorJudgement {
  classIndex: number;
  judgement: Judgement;
}

/** The label set a prior labels file gives one project image. */
export interface PriorImageLabels {
  /** Project position of the image. */
  position: number;
  /**
   * Every class the file judges for the image. The set is complete: a class it does not list is not a label of the
   * image (the original label included).
   */
  judgements: PriorJudgement[];
}

export interface PriorProblematic {
  position: number;
  record: ProblematicImageRecord;
}

/** A prior labels file resolved against a project: only what concerns the project's images. */
export interface PriorLabels {
  /** In file order. */
  labelled: PriorImageLabels[];
  /** Images to leave out of evaluation, in file order. */
  problematic: PriorProblematic[];
  /** human-accuracy-v3 `imagenet_m`: project positions in file order. */
  majorSlice: number[];
  /** Entries of the file about images that are not in the project: read and left out. */
  ignored: { labelled: number; problematic: number; majorSlice: number };
}

/** The reason recorded for an image ReaL leaves out of evaluation (an empty label list). */
export const REAL_NO_LABEL_REASON = 'ReaL: no label';

/**
 * The problematic record of an image left out of evaluation for having no label: ReaL's `[]`, or crowd answers that
 * found every class they were asked about absent (mergePriorJudgements). The reason is `REAL_NO_LABEL_REASON`, with
 * no reviewer and `recordedAt` (the import's time) as both times.
 */
export function noLabelRecord(recordedAt: string): ProblematicImageRecord {
  return { reason: REAL_NO_LABEL_REASON, reviewer: '', server_username: '', time_marked: recordedAt, time_reviewed: recordedAt };
}

interface Resolver {
  position(name: string, path: string): number | undefined;
  classByKey(key: string, path: string): number;
  classByIndex(index: number, path: string): number;
}

function resolver(fileName: string, project: { images: ProjectImageIndex; vocabulary: Vocabulary }, section: string): Resolver {
  /** Project position → the JSON path that named it first, so that two names of one image are caught. */
  const namedAt = new Map<number, string>();
  return {
    position(name, path) {
      const found = project.images.find(name);
      if (found === undefined) return undefined;
      if (typeof found === 'object') {
        throw jsonFormatError(
          fileName,
          path,
          `"${name}" is the file name of ${found.ambiguous.length} project images (${found.ambiguous.map((f) => `"${f}"`).join(', ')}): name the image by its path in the image folder`,
        );
      }
      const earlier = namedAt.get(found);
      if (earlier !== undefined) throw jsonFormatError(fileName, path, `"${name}" is the project image already named at ${earlier} in ${section}`);
      namedAt.set(found, path);
      return found;
    },
    classByKey(key, path) {
      const cls = project.vocabulary.byKey(key);
      if (!cls) throw jsonFormatError(fileName, path, `class "${key}" is not in the project's vocabulary`);
      return cls.index;
    },
    classByIndex(index, path) {
      if (!project.vocabulary.byIndex(index)) throw jsonFormatError(fileName, path, `class index ${index} is not in the project's vocabulary`);
      return index;
    },
  };
}

function checkSomeImageInProject(fileName: string, entries: number, prior: PriorLabels): PriorLabels {
  const inProject = prior.labelled.length + prior.problematic.length + prior.majorSlice.length;
  if (entries > 0 && inProject === 0) {
    throw new FormatError({ file: fileName }, `none of the images it names is an image of the project (is it the right file for this project?)`);
  }
  return prior;
}

/**
 * Resolves a human-accuracy-v3 file (read by readHumanAccuracyV3) against a project. `initial_annots` entries become
 * the images' label sets, `problematic_images` their problematic records (field for field; `server_user_name` was
 * already read as `server_username`), `imagenet_m` the Major slice in order. Entries about images outside the
 * project are counted in `ignored`; a class that is not in the vocabulary, for an image of the project, is an error
 * naming the JSON path (`$.initial_annots['ILSVRC2012_val_00000001.JPEG'].wrong[2]`). A file none of whose images is
 * in the project is refused.
 */
export function priorLabelsFromHumanAccuracy(
  doc: HumanAccuracyV3,
  fileName: string,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
): PriorLabels {
  const prior: PriorLabels = { labelled: [], problematic: [], majorSlice: [], ignored: { labelled: 0, problematic: 0, majorSlice: 0 } };

  const annotations = resolver(fileName, project, '$.initial_annots');
  for (const file of Object.keys(doc.initial_annots)) {
    const imagePath = jsonPathKey('$.initial_annots', file);
    const position = annotations.position(file, imagePath);
    if (position === undefined) {
      prior.ignored.labelled++;
      continue;
    }
    const lists = doc.initial_annots[file]!;
    const judgements: PriorJudgement[] = [];
    for (const list of Object.keys(lists) as HumanAccuracyList[]) {
      const listPath = jsonPathKey(imagePath, list);
      lists[list]!.forEach((key, i) => judgements.push({ classIndex: annotations.classByKey(key, jsonPathIndex(listPath, i)), judgement: list }));
    }
    prior.labelled.push({ position, judgements });
  }

  const problematic = resolver(fileName, project, '$.problematic_images');
  for (const file of Object.keys(doc.problematic_images)) {
    const position = problematic.position(file, jsonPathKey('$.problematic_images', file));
    if (position === undefined) prior.ignored.problematic++;
    else prior.problematic.push({ position, record: { ...doc.problematic_images[file]! } });
  }

  const majorSlice = resolver(fileName, project, '$.imagenet_m');
  doc.imagenet_m.forEach((file, i) => {
    const position = majorSlice.position(file, jsonPathIndex('$.imagenet_m', i));
    if (position === undefined) prior.ignored.majorSlice++;
    else prior.majorSlice.push(position);
  });

  const entries = Object.keys(doc.initial_annots).length + Object.keys(doc.problematic_images).length + doc.imagenet_m.length;
  return checkSomeImageInProject(fileName, entries, prior);
}

/**
 * Resolves ReaL labels (read by readRealJson) against a project: each listed class is `correct`. An empty list is
 * ReaL's "leave this image out": the image gets an empty label set and the problematic record `noLabelRecord`
 * (`recordedAt` as both times). Rows about images outside the project are counted in `ignored` (a ReaL list covers
 * all 50,000 validation images; a project may hold some of them).
 */
export function priorLabelsFromReal(
  read: { layout: RealJsonLayout; rows: readonly RealLabelRow[] },
  fileName: string,
  project: { images: ProjectImageIndex; vocabulary: Vocabulary },
  recordedAt: string,
): PriorLabels {
  const prior: PriorLabels = { labelled: [], problematic: [], majorSlice: [], ignored: { labelled: 0, problematic: 0, majorSlice: 0 } };
  const rows = resolver(fileName, project, 'the file');
  read.rows.forEach((row, i) => {
    const rowPath = read.layout === 'list' ? jsonPathIndex('$', i) : jsonPathKey('$', row.file);
    const position = rows.position(row.file, rowPath);
    if (position === undefined) {
      prior.ignored.labelled++;
      return;
    }
    const seen = new Set<number>();
    const judgements = row.classIndices.map((index, j) => {
      const path = jsonPathIndex(rowPath, j);
      if (seen.has(index)) throw jsonFormatError(fileName, path, `class index ${index} is listed twice for this image`);
      seen.add(index);
      return { classIndex: rows.classByIndex(index, path), judgement: 'correct' as const };
    });
    prior.labelled.push({ position, judgements });
    if (judgements.length === 0) prior.problematic.push({ position, record: noLabelRecord(recordedAt) });
  });
  return checkSomeImageInProject(fileName, read.rows.length, prior);
}
