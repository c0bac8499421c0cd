import type { Database } from '../../db/database';
import { createProjectStepRunner, type ProjectStepRunner } from '../../lib/project-step-runner';
import { createConsensusService } from './consensus.service';

/** Judged items recomputed per transaction: a few milliseconds of work, after which the event loop serves others. */
export const STEP_ITEMS = 25;
/** Goes through the projects marked for a background re-aggregation (kick), until none is left (idle) or it stops. */
export type ReaggregationRunner = ProjectStepRunner;

/**
 * Re-aggregates in the background the projects whose quorum changed (consensus.service.ts, reaggregateStep): a step
 * of STEP_ITEMS items per write, one step per background turn (lib/background-turns.ts), so that the review goes on
 * meanwhile. On SQLite a step's write joins the group commit, which never sleeps the thread for a write lock another
 * process holds; when that process keeps the lock past the group commit's wait, the step is tried again a moment later.
 */
export function createReaggregationRunner(database: Database, options: { now: () => number; onError?: (error: unknown, projectId: number | null) => void }): ReaggregationRunner {
  const consensus = createConsensusService(database);
  return createProjectStepRunner(database, {
    // Project by project, in id order; a project marked again meanwhile (another quorum change) starts over.
    marked: () => consensus.projectsReaggregating(),
    step: (trx, projectId) => consensus.reaggregateStep(trx, projectId, new Date(options.now()).toISOString(), STEP_ITEMS),
    ...(options.onError ? { onError: options.onError } : {}),
  });
}
