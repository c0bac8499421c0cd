import type { PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { quorumSize } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

/** A project's settings that may change after its import: the quorum. */
export function createProjectSettingsService(db: Db, options: { now: () => number }) {
  const projects = createProjectsRepository(db);
  const catalog = projectCatalog(db);
  const consensus = createConsensusService(db);

  // The new quorum and every item's state under it are written together: nobody ever sees items aggregated under a
  // quorum that is not the project's.
  const update = db.transaction((projectId: number, quorum: PanelQuorum, now: string): number => {
    projects.setQuorum(projectId, quorum);
    catalog.invalidate(projectId);
    return consensus.reaggregateProject(projectId, now);
  });

  return {
    update(projectId: number, settings: { quorum: PanelQuorum }): ProjectSettings {
      const project = projects.findById(projectId);
      if (!project) throw notFound(`Project ${projectId} not found`);
      let reaggregatedItems: number;
      try {
        reaggregatedItems = update.immediate(projectId, settings.quorum, new Date(options.now()).toISOString());
      } finally {
        // On success the catalog must read the new quorum; on a rollback it may have read it inside the transaction.
        catalog.invalidate(projectId);
      }
      return {
        projectId,
        quorum: settings.quorum,
        panelSize: project.panelSize,
        quorumSize: quorumSize(settings.quorum, project.panelSize),
        reaggregatedItems,
      };
    },
  };
}
