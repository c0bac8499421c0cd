import type { ModelEvidence, PanelPolicy, PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { quorumSize } from '@bagel/core';
import type { Database } from '../../db/database';
import { lockRows } from '../../db/dialect';
import type { Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { notFound } from '../../plugins/errors';
import { createConsensusService } from '../consensus/consensus.service';
import type { ReaggregationRunner } from '../consensus/reaggregation-runner';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

/** Judged items re-aggregated within the settings request itself: a small project is done before the answer. */
export const FIRST_STEP_ITEMS = 50;

/** A project's settings that may change after its import: the quorum, the panel policy and the model evidence. */
export function createProjectSettingsService(database: Database, options: { now: () => number; reaggregation?: ReaggregationRunner }) {
  const catalog = projectCatalog(database);
  const consensus = createConsensusService(database);

  return {
    /** Changes the settings given (the others stay) and re-aggregates the project under them. */
    async update(
      projectId: number,
      settings: { quorum?: PanelQuorum | undefined; panel?: PanelPolicy | undefined; modelEvidence?: ModelEvidence | undefined; goldRate?: number | undefined; decoys?: number | undefined },
    ): Promise<ProjectSettings> {
      const project = (await catalog.get(projectId))?.project;
      if (!project) throw notFound(`Project ${projectId} not found`);
      const now = new Date(options.now()).toISOString();
      let first: { items: number; finished: boolean };
      try {
        // The new quorum or panel policy (and the settings version, which tells every instance to read the project
        // again), the mark that the project is to be re-aggregated and a first step of it are written together; a
        // larger project's other items follow in the background (the runner), a step per transaction, and the
        // dashboard shows how far it is. Meanwhile items not yet reached keep the state of the former settings;
        // verdicts on any item are aggregated under the new ones.
        first = await database.write(async (trx) => {
          await lockRows(trx, 'projects', [projectId]);
          await createProjectsRepository(trx).setSettings(projectId, settings);
          // What experts see of the models, how often they get a gold item and the decoys change no aggregate: alone,
          // they re-aggregate nothing.
          if (settings.quorum === undefined && settings.panel === undefined) return { items: 0, finished: true };
          await consensus.startReaggregation(trx, projectId);
          return consensus.reaggregateStep(trx, projectId, now, FIRST_STEP_ITEMS);
        });
      } finally {
        // The catalog may have read the new settings inside the write: once committed every read sees them anyway,
        // and after a rollback they must not be kept.
        catalog.invalidate(projectId);
      }
      if (!first.finished) options.reaggregation?.kick();
      const quorum = settings.quorum ?? project.quorum;
      return {
        projectId,
        quorum,
        panel: settings.panel ?? project.panel,
        modelEvidence: settings.modelEvidence ?? project.modelEvidence,
        goldRate: settings.goldRate ?? project.goldRate,
        decoys: settings.decoys ?? project.decoys,
        panelSize: project.panelSize,
        quorumSize: quorumSize(quorum, project.panelSize),
        reaggregatedItems: first.items,
        reaggregation: await consensus.reaggregationProgress(projectId),
      };
    },
  };
}
