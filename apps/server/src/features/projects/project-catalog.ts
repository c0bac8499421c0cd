import type { VocabularyClass } from '@bagel/contracts';
import { createVocabulary, type PanelConfusionModel, type Vocabulary } from '@bagel/core';
import type { Database, Queries } from '../../db/database';
import { loadConfusionModel } from '../consensus/confusion.repository';
import {
  createProjectsRepository,
  toProject,
  type Project,
  type ProjectModel,
  type ProjectRow,
} from './projects.repository';

/** What every review request needs to know about its project. */
export interface CatalogProject {
  project: Project;
  /** In manifest order. */
  models: ProjectModel[];
  vocabulary: Vocabulary;
  /**
   * Under `aggregation: dawid-skene`, the model in force (the last estimation's; null before the first: core's
   * initial model). It changes only with settings_version (confusion.repository.ts, publish). Null under the quorum.
   */
  confusion: PanelConfusionModel | null;
}

export interface ProjectCatalog {
  /**
   * The project as it is now, null for an unknown project (or one still being imported). `queries`: a write's
   * transaction, to see the settings it has changed (by default, the database's queries).
   */
  get(projectId: number, queries?: Queries): Promise<CatalogProject | null>;
  /** Forgets a project, so the next `get` reads it again: call it once a write that changed its settings has ended, committed or not. */
  invalidate(projectId: number): void;
}

interface Held {
  /** projects.settings_version when the entry was read. */
  version: number;
  entry: CatalogProject;
}

/** The entries of one database connection (SQLite) or pool (PostgreSQL), shared by both kinds of catalog below. */
const heldBy = new WeakMap<object, Map<number, Held>>();

function heldOf(key: object): Map<number, Held> {
  let held = heldBy.get(key);
  if (!held) {
    held = new Map();
    heldBy.set(key, held);
  }
  return held;
}

const heldEntry = (row: ProjectRow, models: ProjectModel[], classes: VocabularyClass[], confusion: PanelConfusionModel | null): Held => ({
  version: row.settings_version,
  entry: { project: toProject(row), models, vocabulary: createVocabulary(classes), confusion },
});

const catalogs = new WeakMap<Database, ProjectCatalog>();

/**
 * A project's models and vocabulary are written once, by its import, and never change; its settings (the quorum)
 * change only together with `projects.settings_version` (migration 016). Loading all of it on every request cost
 * about a third of `next` and of a verdict, so each instance keeps it, per database, and on each `get` reads only the
 * version (one primary-key look-up): when another instance (or this one) has changed the settings since, the project
 * is read again. A settings change is thus seen by every instance from its commit on. Unknown ids are not
 * remembered, so a project imported while the server runs is found.
 *
 * Nothing changes a project's models or classes after its import today; whatever comes to must move the settings version
 * in the same write, or no instance would see the change (nor would browsers: the class list's ETag is derived from
 * the vocabulary read here, vocabulary-body.ts).
 *
 * What a write reads through its transaction may be rolled back: the writer calls `invalidate` once it has ended,
 * so an entry of a version that never committed is not kept (the version could be reached again by another change).
 */
export function projectCatalog(database: Database): ProjectCatalog {
  let catalog = catalogs.get(database);
  if (catalog) return catalog;
  const held = heldOf(database.sqlite ?? database);
  catalog = {
    async get(projectId, queries = database.queries) {
      const projects = createProjectsRepository(queries);
      const version = await projects.settingsVersion(projectId);
      if (version === null) return null;
      const current = held.get(projectId);
      if (current?.version === version) return current.entry;
      const row = await projects.row(projectId);
      if (!row) return null;
      const confusion = row.aggregation === 'dawid-skene' ? await loadConfusionModel(queries, projectId) : null;
      const loaded = heldEntry(row, await projects.models(projectId), await projects.vocabulary(projectId), confusion);
      // Read inside a transaction of PostgreSQL's: not kept (it may be rolled back; SQLite's writer invalidates).
      if (!queries.isTransaction) held.set(projectId, loaded);
      return loaded.entry;
    },
    invalidate(projectId) {
      held.delete(projectId);
    },
  };
  catalogs.set(database, catalog);
  return catalog;
}
