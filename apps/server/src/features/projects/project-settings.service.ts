import type { Aggregation, AggregationModel, ModelEvidence, PanelPolicy, PanelQuorum, ProjectSettings } from '@bagel/contracts';
import { DEFAULT_POSTERIOR_BAND, PRIOR_ROWS, quorumSize } from '@bagel/core';
import type { Database } from '../../db/database';
import { lockRows } from '../../db/dialect';
import type { Db } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { conflict, notFound } from '../../plugins/errors';
import { createConfusionRepository } from '../consensus/confusion.repository';
import { createConsensusService } from '../consensus/consensus.service';
import { createConfusionEstimation } from '../consensus/confusion-estimation';
import type { EstimationRunner } from '../consensus/confusion-estimation-runner';
import type { ReaggregationRunner } from '../consensus/reaggregation-runner';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

/** Judged items re-aggregated within the settings request itself: a small project is done before the answer. */
export const FIRST_STEP_ITEMS = 50;

/** A project's settings that may change after its import: the quorum, the panel policy, the model evidence and the aggregation. */
export function createProjectSettingsService(database: Database, options: { now: () => number; reaggregation?: ReaggregationRunner; estimation?: EstimationRunner }) {
  const catalog = projectCatalog(database);
  const consensus = createConsensusService(database);
  const estimation = createConfusionEstimation(database);

  return {
    /** Changes the settings given (the others stay) and re-aggregates the project under them. */
    async update(
      projectId: number,
      settings: {
        quorum?: PanelQuorum | undefined;
        panel?: PanelPolicy | undefined;
        modelEvidence?: ModelEvidence | undefined;
        goldRate?: number | undefined;
        goldQualification?: number | undefined;
        goldFeedback?: boolean | undefined;
        decoys?: number | undefined;
        aggregation?: Aggregation | undefined;
      },
    ): Promise<ProjectSettings> {
      const project = (await catalog.get(projectId))?.project;
      if (!project) throw notFound(`Project ${projectId} not found`);
      const now = new Date(options.now()).toISOString();
      let first: { items: number; finished: boolean };
      // Turning dawid-skene on starts an estimation of the model (from the one in force, if an earlier estimation left
      // one); the items are re-aggregated at once under the model in force (core's initial model before the first
      // estimation), and again when the estimation puts its model in force. Turning it off stops an estimation under way.
      const aggregationChanges = settings.aggregation !== undefined && settings.aggregation !== project.aggregation;
      try {
        // The new quorum or panel policy (and the settings version, which tells every instance to read the project
        // again), the mark that the project is to be re-aggregated and a first step of it are written together; a
        // larger project's other items follow in the background (the runner), a step per transaction, and the
        // dashboard shows how far it is. Meanwhile items not yet reached keep the state of the former settings;
        // verdicts on any item are aggregated under the new ones.
        first = await database.write(async (trx) => {
          await lockRows(trx, 'projects', [projectId]);
          await createProjectsRepository(trx).setSettings(projectId, settings);
          if (aggregationChanges && settings.aggregation === 'dawid-skene') await estimation.start(trx, projectId, now);
          if (aggregationChanges && settings.aggregation === 'quorum') await createConfusionRepository(trx).stopEstimation(projectId);
          // What experts see of the models, how often they get a gold item, the feedback after one and the decoys change
          // no aggregate (nor does choosing the aggregation in force): alone, they re-aggregate nothing.
          if (settings.quorum === undefined && settings.panel === undefined && !aggregationChanges) return { items: 0, finished: true };
          await consensus.startReaggregation(trx, projectId);
          return consensus.reaggregateStep(trx, projectId, now, FIRST_STEP_ITEMS);
        });
      } finally {
        // The catalog may have read the new settings inside the write: once committed every read sees them anyway,
        // and after a rollback they must not be kept.
        catalog.invalidate(projectId);
      }
      if (!first.finished) options.reaggregation?.kick();
      if (aggregationChanges && settings.aggregation === 'dawid-skene') options.estimation?.kick();
      const quorum = settings.quorum ?? project.quorum;
      return {
        projectId,
        quorum,
        panel: settings.panel ?? project.panel,
        modelEvidence: settings.modelEvidence ?? project.modelEvidence,
        goldRate: settings.goldRate ?? project.goldRate,
        goldQualification: settings.goldQualification ?? project.goldQualification,
        goldFeedback: settings.goldFeedback ?? project.goldFeedback,
        decoys: settings.decoys ?? project.decoys,
        aggregation: settings.aggregation ?? project.aggregation,
        panelSize: project.panelSize,
        quorumSize: quorumSize(quorum, project.panelSize),
        reaggregatedItems: first.items,
        reaggregation: await consensus.reaggregationProgress(projectId),
      };
    },

    /** The Dawid–Skene model in force and its estimation under way (GET /api/projects/:projectId/aggregation). */
    async aggregationModel(projectId: number): Promise<AggregationModel> {
      const project = (await catalog.get(projectId))?.project;
      if (!project) throw notFound(`Project ${projectId} not found`);
      const { head, experts } = await createConfusionRepository(database.queries).modelDetails(projectId);
      const rowOf = (r: readonly number[], at: number) => ({ wrong: r[at]!, unclear: r[at + 1]!, correct: r[at + 2]! });
      return {
        projectId,
        aggregation: project.aggregation,
        band: { ...DEFAULT_POSTERIOR_BAND },
        priors: head ? { originalLabel: head.prior_original, otherClasses: head.prior_other } : { originalLabel: 0.5, otherClasses: 0.5 },
        experts: experts.map((e) => {
          const rows = [e.absent_wrong, e.absent_unclear, e.absent_correct, e.present_wrong, e.present_unclear, e.present_correct];
          return {
            expert: e.username,
            judgements: e.judgements,
            absent: rowOf(rows, 0),
            present: rowOf(rows, 3),
            fixedByGold: { absent: e.fixed_absent === 1, present: e.fixed_present === 1 },
          };
        }),
        priorRows: { absent: rowOf(PRIOR_ROWS, 0), present: rowOf(PRIOR_ROWS, 3) },
        estimated: head
          ? { at: head.estimated_at, passes: head.passes, converged: head.converged === 1, questions: head.questions, verdicts: head.verdicts }
          : null,
        estimation: await estimation.progress(projectId),
      };
    },

    /**
     * Starts an estimation of the project's model now (over again if one was under way), in the background; 409
     * NOT_DAWID_SKENE under the quorum, which has no model to estimate.
     */
    async estimateNow(projectId: number): Promise<AggregationModel> {
      const project = (await catalog.get(projectId))?.project;
      if (!project) throw notFound(`Project ${projectId} not found`);
      if (project.aggregation !== 'dawid-skene') {
        throw conflict('The project aggregates by quorum: set its aggregation to dawid-skene to estimate the experts\' confusion matrices', 'NOT_DAWID_SKENE');
      }
      const now = new Date(options.now()).toISOString();
      await database.write(async (trx) => {
        await lockRows(trx, 'projects', [projectId]);
        await estimation.start(trx, projectId, now);
      });
      options.estimation?.kick();
      return this.aggregationModel(projectId);
    },
  };
}
