import type { Judgement, VocabularyClass } from '@bagel/contracts';
import type {
  CrowdAnswers,
  CrowdRouting,
  CrowdRoutingSettings,
  ExtraCandidateSource,
  PriorJudgementSource,
  ProblematicImageRecord,
  TopKTable,
} from '@bagel/core';
import type { Db } from '../../db/open-database';

/** Everything an import writes, parsed and checked beforehand. */
export interface ProjectToImport {
  name: string;
  description: string;
  imageDir: string;
  panelSize: number;
  topK: number;
  claimMs: number;
  mistakeCategories: readonly string[];
  manifestSha256: string;
  classes: readonly VocabularyClass[];
  /** In manifest order, each with its top-k on every image (already cut to the project's top-k). */
  models: readonly { name: string; displayName: string; illustrative: boolean; predictions: TopKTable }[];
  /** In project order (the image list, or the original labels file). */
  images: readonly ImageToImport[];
  /**
   * human-accuracy-v3 `problematic_images`, ReaL's empty label lists and the crowd's no-label images (one record per
   * image), by project position.
   */
  priorProblematic: readonly { position: number; record: ProblematicImageRecord }[];
  /** human-accuracy-v3 `imagenet_m`, project positions in the file's order. */
  priorMajorSlice: readonly number[];
  crowd: CrowdToImport | null;
}

/** Crowd answers with their Dawid–Skene routing. */
export interface CrowdToImport {
  settings: CrowdRoutingSettings;
  answers: CrowdAnswers;
  routing: CrowdRouting;
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

export function createImportRepository(db: Db) {
  // A project being imported (or whose import stopped midway) has `importing` set: it is nobody's project yet.
  const projectByName = db.prepare<[string], { id: number; manifest_sha256: string; image_dir: string }>(
    'SELECT id, manifest_sha256, image_dir FROM projects WHERE name = ? AND importing IS NULL',
  );
  const anyProjectByName = db.prepare<[string], { id: number; importing: string | null }>('SELECT id, importing FROM projects WHERE name = ?');
  const incompleteProjects = db.prepare<[], { id: number; name: string; importing: string }>(
    'SELECT id, name, importing FROM projects WHERE importing IS NOT NULL ORDER BY id',
  );
  const markComplete = db.prepare<[number]>('UPDATE projects SET importing = NULL WHERE id = ?');
  const someImages = db.prepare<[number, number]>('DELETE FROM images WHERE id IN (SELECT id FROM images WHERE project_id = ? LIMIT ?)');
  const deleteProjectRow = db.prepare<[number]>('DELETE FROM projects WHERE id = ?');
  const countImages = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM images WHERE project_id = ?');
  const countItems = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM items WHERE project_id = ?');
  const countModels = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM models WHERE project_id = ?');
  const missingFiles = db.prepare<[number], { file: string }>('SELECT file FROM images WHERE project_id = ? AND missing = 1 ORDER BY position');

  const insertProject = db.prepare(
    `INSERT INTO projects (name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256, created_at, importing)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertClass = db.prepare('INSERT INTO classes (project_id, idx, key, names, gloss) VALUES (?, ?, ?, ?, ?)');
  const insertModel = db.prepare('INSERT INTO models (project_id, position, name, display_name, illustrative) VALUES (?, ?, ?, ?, ?)');
  const insertImage = db.prepare('INSERT INTO images (project_id, position, file, original_class_idx, missing) VALUES (?, ?, ?, ?, ?)');
  const insertAccepted = db.prepare('INSERT INTO accepted_labels (image_id, class_idx) VALUES (?, ?)');
  const insertPrediction = db.prepare('INSERT INTO predictions (image_id, model_id, rank, class_idx, score) VALUES (?, ?, ?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO items (project_id, image_id, models_wrong, confidence) VALUES (?, ?, ?, ?)');
  const insertExtraCandidate = db.prepare('INSERT INTO item_extra_candidates (item_id, class_idx, source) VALUES (?, ?, ?)');
  const insertPriorLabel = db.prepare('INSERT INTO prior_labels (image_id, class_idx, judgement, source) VALUES (?, ?, ?, ?)');
  const insertPriorProblematic = db.prepare(
    `INSERT INTO prior_problematic (image_id, reason, reviewer, server_username, time_marked, time_reviewed)
     VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const insertPriorMajorSlice = db.prepare('INSERT INTO prior_major_slice (image_id, position) VALUES (?, ?)');
  const insertCrowdAggregation = db.prepare(
    `INSERT INTO crowd_aggregations (project_id, threshold, band_low, band_high, questions, answers, iterations, converged, prior_absent, prior_present)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertCrowdRater = db.prepare('INSERT INTO crowd_raters (project_id, external_id, position, confusion) VALUES (?, ?, ?, ?)');
  const insertCrowdAnswer = db.prepare('INSERT INTO crowd_answers (image_id, class_idx, rater_id, answer) VALUES (?, ?, ?, ?)');
  const insertCrowdPosterior = db.prepare('INSERT INTO crowd_posteriors (image_id, class_idx, posterior, answers, route) VALUES (?, ?, ?, ?, ?)');

  function summary(projectId: number): Omit<ImportedProjectSummary, 'manifestSha256' | 'imageDir'> {
    return {
      projectId,
      images: countImages.get(projectId)!.n,
      items: countItems.get(projectId)!.n,
      models: countModels.get(projectId)!.n,
      missingImages: missingFiles.all(projectId).map((r) => r.file),
    };
  }

  /**
   * The crowd's raters (with their estimated confusion matrices), its answers about project images and the pairs'
   * posteriors. Answers go in primary-key order (image, class, rater) so that the WITHOUT ROWID table appends.
   */
  function* insertCrowd(projectId: number, crowd: CrowdToImport, imageIds: readonly number[], onAnswers?: (written: number) => void): Generator<void, void, undefined> {
    const { settings, answers, routing } = crowd;
    const { result } = routing;
    insertCrowdAggregation.run(
      projectId,
      settings.threshold,
      settings.uncertainBand[0],
      settings.uncertainBand[1],
      answers.questionFiles.length,
      answers.answers.question.length,
      result.iterations,
      result.converged ? 1 : 0,
      result.priors[0],
      result.priors[1],
    );
    const cells = result.truthClasses * result.answerOptions;
    const raterIds = answers.raterIds.map((externalId, r) => {
      const confusion = Array.from({ length: result.truthClasses }, (_, k) =>
        Array.from(result.confusion.subarray(r * cells + k * result.answerOptions, r * cells + (k + 1) * result.answerOptions)),
      );
      return Number(insertCrowdRater.run(projectId, externalId, r, JSON.stringify(confusion)).lastInsertRowid);
    });

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
    let written = 0;
    for (const pair of pairs) {
      const imageId = imageIds[pair.position]!;
      insertCrowdPosterior.run(imageId, pair.classIndex, pair.posterior, pair.answers, pair.route);
      for (let j = start[pair.question]!; j < start[pair.question + 1]!; j++) {
        const i = byQuestion[j]!;
        insertCrowdAnswer.run(imageId, pair.classIndex, raterIds[rater[i]!], ANSWER_NAMES[answer[i]!]);
        written++;
      }
      onAnswers?.(written);
      yield;
    }
  }

  return {
    /** The project of that name with what was imported, or null. */
    findProject(name: string): ImportedProjectSummary | null {
      const row = projectByName.get(name);
      if (!row) return null;
      return { ...summary(row.id), manifestSha256: row.manifest_sha256, imageDir: row.image_dir };
    },

    /** A project of that name in any state: imported (`importing` null), or being imported by `importing` (`pid@host`). */
    projectNamed(name: string): { id: number; importing: string | null } | null {
      return anyProjectByName.get(name) ?? null;
    },

    /** Projects whose import has not finished: under way, or stopped midway (a crash) and to be removed. */
    incompleteProjects(): { id: number; name: string; importing: string }[] {
      return incompleteProjects.all();
    },

    /**
     * Writes a whole project, step by step: each `yield` is a place where the caller may commit (writeInSlices), so
     * that no transaction is long. The project is written with `importing` set, which hides it from everything but
     * the import, and its last step clears it: the project appears whole, in the last commit, or not at all. Rows go
     * in primary-key order (image by image, then model, then rank), which keeps the WITHOUT ROWID predictions
     * table's inserts appending. `onImages` hears every few hundred images how many are written. Returns its id.
     */
    *insertProject(
      project: ProjectToImport,
      createdAt: string,
      importing: string,
      onImages?: (written: number) => void,
      onCrowdAnswers?: (written: number) => void,
    ): Generator<void, number, undefined> {
      const projectId = Number(
        insertProject.run(
          project.name,
          project.description,
          project.imageDir,
          project.panelSize,
          project.topK,
          project.claimMs,
          JSON.stringify(project.mistakeCategories),
          project.manifestSha256,
          createdAt,
          importing,
        ).lastInsertRowid,
      );
      for (const c of project.classes) insertClass.run(projectId, c.index, c.key, JSON.stringify(c.names), c.gloss);
      const modelIds = project.models.map((m, position) =>
        Number(insertModel.run(projectId, position, m.name, m.displayName, m.illustrative ? 1 : 0).lastInsertRowid),
      );
      const imageIds = new Array<number>(project.images.length);
      for (const [position, image] of project.images.entries()) {
        const imageId = Number(insertImage.run(projectId, position, image.file, image.originalClassIndex, image.missing ? 1 : 0).lastInsertRowid);
        imageIds[position] = imageId;
        for (const classIndex of image.accepted) insertAccepted.run(imageId, classIndex);
        for (const j of image.priorJudgements) insertPriorLabel.run(imageId, j.classIndex, j.judgement, j.source);
        project.models.forEach(({ predictions: table }, m) => {
          const modelId = modelIds[m]!;
          const first = position * table.k;
          for (let r = 0; r < table.k; r++) {
            const classIndex = table.classIndex[first + r]!;
            if (classIndex < 0) break;
            const score = table.score[first + r]!;
            insertPrediction.run(imageId, modelId, r + 1, classIndex, Number.isNaN(score) ? null : score);
          }
        });
        if (image.item) {
          const itemId = Number(insertItem.run(projectId, imageId, image.item.modelsWrong, image.item.confidence).lastInsertRowid);
          for (const c of image.item.extraCandidates) insertExtraCandidate.run(itemId, c.classIndex, c.source);
        }
        if (onImages && position % 512 === 511) onImages(position + 1);
        yield;
      }
      for (const { position, record } of project.priorProblematic) {
        insertPriorProblematic.run(imageIds[position], record.reason, record.reviewer, record.server_username, record.time_marked, record.time_reviewed);
      }
      project.priorMajorSlice.forEach((position, order) => insertPriorMajorSlice.run(imageIds[position], order));
      if (project.crowd) yield* insertCrowd(projectId, project.crowd, imageIds, onCrowdAnswers);
      markComplete.run(projectId);
      return projectId;
    },

    /**
     * Removes a project whose import did not finish, step by step (a few hundred images and all that hangs on them
     * per step, then the project's own rows), for writeInSlices.
     */
    *deleteIncompleteProject(projectId: number): Generator<void, void, undefined> {
      while (someImages.run(projectId, 200).changes > 0) yield;
      deleteProjectRow.run(projectId);
    },
  };
}
