import { createVocabulary, type Vocabulary } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { createProjectsRepository, type Project, type ProjectModel } from './projects.repository';

/** What every review request needs to know about its project. */
export interface CatalogProject {
  project: Project;
  /** In manifest order. */
  models: ProjectModel[];
  vocabulary: Vocabulary;
}

export interface ProjectCatalog {
  get(projectId: number): CatalogProject | null;
  /** Forgets a project, so the next `get` reads it again: call it after changing the project's settings. */
  invalidate(projectId: number): void;
}

const catalogs = new WeakMap<Db, ProjectCatalog>();

/**
 * A project's models and vocabulary are written once, by its import, and never change; its settings change only
 * through the settings route (the quorum), which invalidates the entry. Loading them on every request cost about a
 * third of `next` and of a verdict, so each is read once per database connection and kept. Unknown ids are not
 * remembered, so a project imported while the server runs is found.
 */
export function projectCatalog(db: Db): ProjectCatalog {
  let catalog = catalogs.get(db);
  if (!catalog) {
    const repository = createProjectsRepository(db);
    const loaded = new Map<number, CatalogProject>();
    catalog = {
      get(projectId) {
        let entry = loaded.get(projectId);
        if (!entry) {
          const project = repository.findById(projectId);
          if (!project) return null;
          entry = { project, models: repository.models(projectId), vocabulary: createVocabulary(repository.vocabulary(projectId)) };
          loaded.set(projectId, entry);
        }
        return entry;
      },
      invalidate(projectId) {
        loaded.delete(projectId);
      },
    };
    catalogs.set(db, catalog);
  }
  return catalog;
}
