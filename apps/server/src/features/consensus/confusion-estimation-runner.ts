import type { Database } from '../../db/database';
import { createProjectStepRunner, type ProjectStepRunner } from '../../lib/project-step-runner';
import { createConfusionEstimation, type KnownAnswers } from './confusion-estimation';

/** How often the runner looks for projects under dawid-skene whose model has grown old. */
export const ESTIMATE_CHECK_MS = 60_000;

/** Goes through the projects with an estimation under way (kick), until none is left (idle) or it stops. */
export interface EstimationRunner extends ProjectStepRunner {
  /** Starts an estimation for every project whose model has grown old (confusion-estimation.ts, projectsDue), then kicks. */
  checkDue(): Promise<void>;
}

/**
 * Estimates the Dawid–Skene models of the projects marked for it in the background (confusion-estimation.ts), one
 * step per write and per background turn, like the re-aggregation runner; `onPublished` is told when a model was put
 * in force (the project is then marked for re-aggregation, which the other runner does).
 */
export function createEstimationRunner(
  database: Database,
  options: { now: () => number; onPublished?: (projectId: number) => void; onError?: (error: unknown, projectId: number | null) => void; known?: KnownAnswers },
): EstimationRunner {
  const estimation = createConfusionEstimation(database, options.known ? { known: options.known } : {});
  const steps = createProjectStepRunner(database, {
    marked: () => estimation.projectsEstimating(),
    step: (trx, projectId) => estimation.step(trx, projectId, new Date(options.now()).toISOString()),
    afterStep: (projectId, outcome) => {
      if (outcome.published) options.onPublished?.(projectId);
    },
    ...(options.onError ? { onError: options.onError } : {}),
  });
  let stopped = false;
  const runner: EstimationRunner = {
    ...steps,
    async stop() {
      stopped = true;
      await steps.stop();
    },
    async checkDue() {
      if (stopped) return;
      const due = await estimation.projectsDue();
      for (const projectId of due) {
        await database.write((trx) => estimation.start(trx, projectId, new Date(options.now()).toISOString()));
      }
      if (due.length > 0) runner.kick();
    },
  };
  return runner;
}
