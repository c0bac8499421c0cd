import { PanelQuorum, type ModelInfo, type ProjectSummary, type VocabularyClass } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

/** A project's settings as the server uses them. */
export interface Project {
  id: number;
  name: string;
  description: string;
  imageDir: string;
  panelSize: number;
  topK: number;
  claimMs: number;
  mistakeCategories: string[];
  /** How many matching votes a panel answer needs (docs/AGGREGATION.md); changed by an admin in the settings. */
  quorum: PanelQuorum;
}

export interface ProjectModel extends ModelInfo {
  id: number;
}

interface ProjectRow {
  id: number;
  name: string;
  description: string;
  image_dir: string;
  panel_size: number;
  top_k: number;
  claim_ms: number;
  mistake_categories: string;
  quorum: string;
}

interface ClassRow {
  idx: number;
  key: string;
  names: string;
  gloss: string;
}

const toProject = (row: ProjectRow): Project => ({
  id: row.id,
  name: row.name,
  description: row.description,
  imageDir: row.image_dir,
  panelSize: row.panel_size,
  topK: row.top_k,
  claimMs: row.claim_ms,
  mistakeCategories: JSON.parse(row.mistake_categories) as string[],
  // Written only through PanelQuorum (the settings route, the migration's default), so a parse failure is corruption.
  quorum: PanelQuorum.parse(JSON.parse(row.quorum)),
});

export const toVocabularyClass = (row: ClassRow): VocabularyClass => ({
  index: row.idx,
  key: row.key,
  names: JSON.parse(row.names) as string[],
  gloss: row.gloss,
});

const PROJECT_COLUMNS = 'id, name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, quorum';

export function createProjectsRepository(db: Db) {
  // A project whose import has not finished (`importing` set, migration 014) is nobody's project yet.
  const all = db.prepare<[], ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE importing IS NULL ORDER BY id`);
  const byId = db.prepare<[number], ProjectRow>(`SELECT ${PROJECT_COLUMNS} FROM projects WHERE id = ? AND importing IS NULL`);
  const counts = db.prepare<{ p: number; panel: number; user: number }, ProjectSummary['counts']>(
    `SELECT
       (SELECT count(*) FROM images WHERE project_id = :p) AS images,
       (SELECT count(*) FROM images WHERE project_id = :p AND missing = 1) AS missingImages,
       (SELECT count(*) FROM items WHERE project_id = :p) AS items,
       (SELECT count(*) FROM items WHERE project_id = :p AND verdict_count >= :panel) AS itemsComplete,
       (SELECT count(DISTINCT v.item_id) FROM verdicts v JOIN items i ON i.id = v.item_id
         WHERE v.user_id = :user AND i.project_id = :p) AS myVerdicts,
       (SELECT count(*) FROM items WHERE project_id = :p AND status IN ('open', 'in_review') AND verdict_count < :panel)
         - (SELECT count(DISTINCT v.item_id) FROM verdicts v JOIN items i ON i.id = v.item_id
             WHERE v.user_id = :user AND i.project_id = :p AND i.status IN ('open', 'in_review') AND i.verdict_count < :panel) AS leftForMe`,
  );
  const models = db.prepare<[number], { id: number; name: string; display_name: string; illustrative: number }>(
    'SELECT id, name, display_name, illustrative FROM models WHERE project_id = ? ORDER BY position',
  );
  const vocabulary = db.prepare<[number], ClassRow>('SELECT idx, key, names, gloss FROM classes WHERE project_id = ? ORDER BY idx');
  const byName = db.prepare<[string], { id: number }>('SELECT id FROM projects WHERE name = ? AND importing IS NULL');
  const updateQuorum = db.prepare<[string, number]>('UPDATE projects SET quorum = ? WHERE id = ?');

  const modelsOf = (projectId: number): ProjectModel[] =>
    models.all(projectId).map((m) => ({ id: m.id, name: m.name, displayName: m.display_name, illustrative: m.illustrative === 1 }));

  const findById = (projectId: number): Project | null => {
    const row = byId.get(projectId);
    return row ? toProject(row) : null;
  };

  return {
    findById,
    /** A project by name, else by id when `reference` is a whole number: how the command line names a project. */
    findByReference(reference: string): Project | null {
      const named = byName.get(reference);
      if (named) return findById(named.id);
      return /^\d+$/.test(reference) ? findById(Number(reference)) : null;
    },
    /** Models in manifest order. */
    models: modelsOf,
    setQuorum(projectId: number, quorum: PanelQuorum): void {
      updateQuorum.run(JSON.stringify(quorum), projectId);
    },
    vocabulary(projectId: number): VocabularyClass[] {
      return vocabulary.all(projectId).map(toVocabularyClass);
    },
    /** Every project with its progress; `myVerdicts` counts the items this user has judged. */
    summaries(userId: number): ProjectSummary[] {
      return all.all().map((row) => {
        const project = toProject(row);
        return {
          id: project.id,
          name: project.name,
          description: project.description,
          panelSize: project.panelSize,
          topK: project.topK,
          mistakeCategories: project.mistakeCategories,
          models: modelsOf(project.id).map(({ id: _id, ...info }) => info),
          counts: counts.get({ p: project.id, panel: project.panelSize, user: userId })!,
        };
      });
    },
  };
}
export type ProjectsRepository = ReturnType<typeof createProjectsRepository>;
