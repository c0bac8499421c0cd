import type { VocabularyClass } from '@bagel/contracts';
import type { TopKTable } from '@bagel/core';
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
}

export interface ImageToImport {
  file: string;
  originalClassIndex: number;
  missing: boolean;
  /** Present when the image enters the review queue. */
  item: { modelsWrong: number; confidence: number } | null;
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

export function createImportRepository(db: Db) {
  const projectByName = db.prepare<[string], { id: number; manifest_sha256: string; image_dir: string }>(
    'SELECT id, manifest_sha256, image_dir FROM projects WHERE name = ?',
  );
  const countImages = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM images WHERE project_id = ?');
  const countItems = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM items WHERE project_id = ?');
  const countModels = db.prepare<[number], { n: number }>('SELECT COUNT(*) AS n FROM models WHERE project_id = ?');
  const missingFiles = db.prepare<[number], { file: string }>('SELECT file FROM images WHERE project_id = ? AND missing = 1 ORDER BY position');

  const insertProject = db.prepare(
    `INSERT INTO projects (name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertClass = db.prepare('INSERT INTO classes (project_id, idx, key, names, gloss) VALUES (?, ?, ?, ?, ?)');
  const insertModel = db.prepare('INSERT INTO models (project_id, position, name, display_name, illustrative) VALUES (?, ?, ?, ?, ?)');
  const insertImage = db.prepare('INSERT INTO images (project_id, position, file, original_class_idx, missing) VALUES (?, ?, ?, ?, ?)');
  const insertAccepted = db.prepare('INSERT INTO accepted_labels (image_id, class_idx) VALUES (?, ?)');
  const insertPrediction = db.prepare('INSERT INTO predictions (image_id, model_id, rank, class_idx, score) VALUES (?, ?, ?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO items (project_id, image_id, models_wrong, confidence) VALUES (?, ?, ?, ?)');

  function summary(projectId: number): Omit<ImportedProjectSummary, 'manifestSha256' | 'imageDir'> {
    return {
      projectId,
      images: countImages.get(projectId)!.n,
      items: countItems.get(projectId)!.n,
      models: countModels.get(projectId)!.n,
      missingImages: missingFiles.all(projectId).map((r) => r.file),
    };
  }

  return {
    /** The project of that name with what was imported, or null. */
    findProject(name: string): ImportedProjectSummary | null {
      const row = projectByName.get(name);
      if (!row) return null;
      return { ...summary(row.id), manifestSha256: row.manifest_sha256, imageDir: row.image_dir };
    },

    /**
     * Writes a whole project. The caller runs it inside one transaction; rows go in primary-key order (image by image,
     * then model, then rank), which keeps the WITHOUT ROWID predictions table's inserts appending. `onImages` hears
     * every few hundred images how many are written.
     */
    insertProject(project: ProjectToImport, createdAt: string, onImages?: (written: number) => void): number {
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
        ).lastInsertRowid,
      );
      for (const c of project.classes) insertClass.run(projectId, c.index, c.key, JSON.stringify(c.names), c.gloss);
      const modelIds = project.models.map((m, position) =>
        Number(insertModel.run(projectId, position, m.name, m.displayName, m.illustrative ? 1 : 0).lastInsertRowid),
      );
      project.images.forEach((image, position) => {
        const imageId = Number(insertImage.run(projectId, position, image.file, image.originalClassIndex, image.missing ? 1 : 0).lastInsertRowid);
        insertAccepted.run(imageId, image.originalClassIndex);
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
        if (image.item) insertItem.run(projectId, imageId, image.item.modelsWrong, image.item.confidence);
        if (onImages && position % 512 === 511) onImages(position + 1);
      });
      return projectId;
    },
  };
}
