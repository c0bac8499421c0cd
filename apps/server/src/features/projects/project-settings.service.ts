import type { PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { quorumSize } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import type { ReaggregationRunner } from '../consensus/reaggregation-runner';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

/** Judged items re-aggregated within the settings request itself: a small project is done before the answer. */
export const FIRST_STEP_ITEMS = 50;

/** A project's settings that may change after its import: the quorum. */
export function createProjectSettingsService(db: Db, options: { now: () => number; reaggregation?: ReaggregationRunner }) {
  const projects = createProjectsRepository(db);
  const catalog = projectCatalog(db);
  const database = sqliteDatabase(db);
  const consensus = createConsensusService(database);

  // The new quorum, the mark that the project is to be re-aggregated and a first step of it are written together; a
  // larger project's other items follow in the background (the runner), a step per transaction, and the dashboard
  // shows how far it is. Meanwhile items not yet reached keep the state of the former quorum; verdicts on any item
  // are aggregated under the new one.
  const update = (projectId: number, quorum: PanelQuorum, now: string) =>
    database.write(async (trx) => {
      projects.setQuorum(projectId, quorum);
      catalog.invalidate(projectId);
      await consensus.startReaggregation(trx, projectId);
      return consensus.reaggregateStep(trx, projectId, now, FIRST_STEP_ITEMS);
    });

  return {
    async update(projectId: number, settings: { quorum: PanelQuorum }): Promise<ProjectSettings> {
      const project = projects.findById(projectId);
      if (!project) throw notFound(`Project ${projectId} not found`);
      let first: { items: number; finished: boolean };
      try {
        first = await update(projectId, settings.quorum, new Date(options.now()).toISOString());
      } finally {
        // On success the catalog must read the new quorum; on a rollback it may have read it inside the transaction.
        catalog.invalidate(projectId);
      }
      if (!first.finished) options.reaggregation?.kick();
      return {
        projectId,
        quorum: settings.quorum,
        panelSize: project.panelSize,
        quorumSize: quorumSize(settings.quorum, project.panelSize),
        reaggregatedItems: first.items,
        reaggregation: await consensus.reaggregationProgress(projectId),
      };
    },
  };
}
