import { Aggregation, ModelEvidence, PanelPolicy, PanelQuorum, type ModelInfo, type ProjectSummary, type Role, type VocabularyClass } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';

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
  /** How many experts an item gets: the panel size (fixed) or adaptive bounds (docs/AGGREGATION.md, "Adaptive panels"). */
  panel: PanelPolicy;
  /** Whether experts see the models before judging (docs/AGGREGATION.md, "Anchoring control"). */
  modelEvidence: ModelEvidence;
  /** Share of each expert's items that are gold items (docs/AGGREGATION.md, "Gold items"). */
  goldRate: number;
  /** A new expert's first items that are gold items (a qualification set). */
  goldQualification: number;
  /** Whether an expert's answer to a gold item is answered with how it compares with the gold answer (off by default). */
  goldFeedback: boolean;
  /** Decoys added to an expert's candidates while the models are hidden from them (docs/AGGREGATION.md, "Decoys"). */
  decoys: number;
  /** How verdicts become final labels (docs/AGGREGATION.md, "Dawid–Skene aggregation of the panel"). */
  aggregation: Aggregation;
}

export interface ProjectModel extends ModelInfo {
  id: number;
}

export interface ProjectRow {
  id: number;
  name: string;
  description: string;
  image_dir: string;
  panel_size: number;
  top_k: number;
  claim_ms: number;
  mistake_categories: string;
  quorum: string;
  panel: string;
  model_evidence: string;
  gold_rate: number;
  gold_qualification: number;
  gold_feedback: number;
  decoys: number;
  aggregation: string;
  settings_version: number;
}

export interface ClassRow {
  idx: number;
  key: string;
  names: string;
  gloss: string;
}

export interface ModelRow {
  id: number;
  name: string;
  display_name: string;
  illustrative: number;
}

export const toProject = (row: ProjectRow): Project => ({
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
  // Likewise written only through PanelPolicy (the settings route, the import, the migration's default).
  panel: PanelPolicy.parse(JSON.parse(row.panel)),
  // Held to the same values by the column's CHECK (migration 026).
  modelEvidence: ModelEvidence.parse(row.model_evidence),
  goldRate: Number(row.gold_rate),
  goldQualification: Number(row.gold_qualification),
  goldFeedback: Number(row.gold_feedback) === 1,
  decoys: Number(row.decoys),
  // Held to the same values by the column's CHECK (migration 028).
  aggregation: Aggregation.parse(row.aggregation),
});

export const toVocabularyClass = (row: ClassRow): VocabularyClass => ({
  index: row.idx,
  key: row.key,
  names: JSON.parse(row.names) as string[],
  gloss: row.gloss,
});

export const toProjectModel = (m: ModelRow): ProjectModel => ({ id: m.id, name: m.name, displayName: m.display_name, illustrative: m.illustrative === 1 });

export const PROJECT_COLUMNS = ['id', 'name', 'description', 'image_dir', 'panel_size', 'top_k', 'claim_ms', 'mistake_categories', 'quorum', 'panel', 'model_evidence', 'gold_rate', 'gold_qualification', 'gold_feedback', 'decoys', 'aggregation', 'settings_version'] as const;

/** Projects, their models and vocabulary. Takes the database's queries or a write's transaction. */
export function createProjectsRepository(db: Queries) {
  // A project whose import has not finished (`importing` set, migration 014) is nobody's project yet.
  const visible = () => db.selectFrom('projects').select(PROJECT_COLUMNS).where('importing', 'is', null);

  const modelsOf = async (projectId: number): Promise<ProjectModel[]> => {
    const rows = await db.selectFrom('models').select(['id', 'name', 'display_name', 'illustrative']).where('project_id', '=', projectId).orderBy('position').execute();
    return rows.map(toProjectModel);
  };

  const rowById = (projectId: number): Promise<ProjectRow | undefined> => visible().where('id', '=', projectId).executeTakeFirst();

  const findById = async (projectId: number): Promise<Project | null> => {
    const row = await rowById(projectId);
    return row ? toProject(row) : null;
  };

  const counts = async (projectId: number, panelSize: number, panel: PanelPolicy, userId: number): Promise<ProjectSummary['counts']> => {
    // An adaptive panel is complete once the item needs no more experts (aggregation took it out of review), and takes
    // verdicts while in review below max; a fixed one at its size.
    const complete = panel.mode === 'fixed' ? sql`verdict_count >= ${panelSize}` : sql`status NOT IN ('open', 'in_review')`;
    if (panel.mode === 'adaptive') panelSize = panel.max;
    // camelCase names are quoted: PostgreSQL folds unquoted names to lower case.
    const { rows } = await sql<ProjectSummary['counts']>`SELECT
       (SELECT count(*) FROM images WHERE project_id = ${projectId}) AS "images",
       (SELECT count(*) FROM images WHERE project_id = ${projectId} AND missing = 1) AS "missingImages",
       (SELECT count(*) FROM items WHERE project_id = ${projectId}) AS "items",
       (SELECT count(*) FROM items WHERE project_id = ${projectId} AND ${complete}) AS "itemsComplete",
       (SELECT count(DISTINCT v.item_id) FROM verdicts v JOIN items i ON i.id = v.item_id
         WHERE v.user_id = ${userId} AND i.project_id = ${projectId})
         + (SELECT count(DISTINCT a.item_id) FROM gold_probe_answers a JOIN gold_probes p ON p.item_id = a.item_id AND p.user_id = a.user_id
             WHERE a.user_id = ${userId} AND p.project_id = ${projectId}) AS "myVerdicts",
       (SELECT count(*) FROM items WHERE project_id = ${projectId} AND status IN ('open', 'in_review') AND verdict_count < ${panelSize})
         - (SELECT count(DISTINCT v.item_id) FROM verdicts v JOIN items i ON i.id = v.item_id
             WHERE v.user_id = ${userId} AND i.project_id = ${projectId} AND i.status IN ('open', 'in_review') AND i.verdict_count < ${panelSize}) AS "leftForMe"`.execute(db);
    return rows[0]!;
  };

  return {
    findById,
    /** The project's row as stored, with its settings version (the catalog keeps both). */
    row: rowById,
    /** The version of the project's settings (migration 016), or null for a project that is not there (or still importing). */
    async settingsVersion(projectId: number): Promise<number | null> {
      const row = await db.selectFrom('projects').select('settings_version').where('id', '=', projectId).where('importing', 'is', null).executeTakeFirst();
      return row ? row.settings_version : null;
    },
    /** A project by name, else by id when `reference` is a whole number: how the command line names a project. */
    async findByReference(reference: string): Promise<Project | null> {
      const named = await visible().where('name', '=', reference).executeTakeFirst();
      if (named) return toProject(named);
      return /^\d+$/.test(reference) ? findById(Number(reference)) : null;
    },
    /** Models in manifest order. */
    models: modelsOf,
    /**
     * Changes the quorum, the panel policy, the model evidence and the aggregation (those given) and moves the settings version with
     * them, so that every instance reads the project again.
     */
    async setSettings(
      projectId: number,
      settings: {
        quorum?: PanelQuorum;
        panel?: PanelPolicy;
        modelEvidence?: ModelEvidence;
        goldRate?: number;
        goldQualification?: number;
        goldFeedback?: boolean;
        decoys?: number;
        aggregation?: Aggregation;
      },
    ): Promise<void> {
      await db
        .updateTable('projects')
        .set((eb) => ({
          ...(settings.quorum === undefined ? {} : { quorum: JSON.stringify(settings.quorum) }),
          ...(settings.panel === undefined ? {} : { panel: JSON.stringify(settings.panel) }),
          ...(settings.modelEvidence === undefined ? {} : { model_evidence: settings.modelEvidence }),
          ...(settings.goldRate === undefined ? {} : { gold_rate: settings.goldRate }),
          ...(settings.goldQualification === undefined ? {} : { gold_qualification: settings.goldQualification }),
          ...(settings.goldFeedback === undefined ? {} : { gold_feedback: settings.goldFeedback ? 1 : 0 }),
          ...(settings.decoys === undefined ? {} : { decoys: settings.decoys }),
          ...(settings.aggregation === undefined ? {} : { aggregation: settings.aggregation }),
          settings_version: eb('settings_version', '+', 1),
        }))
        .where('id', '=', projectId)
        .execute();
    },
    async vocabulary(projectId: number): Promise<VocabularyClass[]> {
      const rows = await db.selectFrom('classes').select(['idx', 'key', 'names', 'gloss']).where('project_id', '=', projectId).orderBy('idx').execute();
      return rows.map(toVocabularyClass);
    },
    /**
     * Every project with its progress; `myVerdicts` counts the items this user has judged. The qualification count is
     * left out for an expert: it would tell them which of their first items are gold.
     */
    async summaries(user: { id: number; role: Role }): Promise<ProjectSummary[]> {
      const rows = await visible().orderBy('id').execute();
      const summaries: ProjectSummary[] = [];
      for (const row of rows) {
        const project = toProject(row);
        summaries.push({
          id: project.id,
          name: project.name,
          description: project.description,
          panelSize: project.panelSize,
          panel: project.panel,
          modelEvidence: project.modelEvidence,
          goldRate: project.goldRate,
          ...(user.role === 'expert' ? {} : { goldQualification: project.goldQualification }),
          goldFeedback: project.goldFeedback,
          aggregation: project.aggregation,
          topK: project.topK,
          mistakeCategories: project.mistakeCategories,
          models: (await modelsOf(project.id)).map(({ id: _id, ...info }) => info),
          counts: await counts(project.id, project.panelSize, project.panel, user.id),
        });
      }
      return summaries;
    },
  };
}
export type ProjectsRepository = ReturnType<typeof createProjectsRepository>;
