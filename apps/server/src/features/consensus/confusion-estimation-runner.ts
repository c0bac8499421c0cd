import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../db/database';
import { isBusy } from '../../db/write-lock';
import { nextBackgroundTurn } from '../../lib/background-turns';
import { createConfusionEstimation, type KnownAnswers } from './confusion-estimation';

/** How long to wait before trying again when another process (an import) holds the write lock. */
const RETRY_MS = 2;
/** How often the runner looks for projects under dawid-skene whose model has grown old. */
export const ESTIMATE_CHECK_MS = 60_000;

export interface EstimationRunner {
  /** Goes through the projects with an estimation under way, if it is not already doing so. */
  kick(): void;
  /** Starts an estimation for every project whose model has grown old (confusion-estimation.ts, projectsDue), then kicks. */
  checkDue(): Promise<void>;
  /** Resolves once no estimation is left (or the runner stopped). */
  idle(): Promise<void>;
  /** Stops after the step under way; what is left stays marked, and is resumed by the next start. */
  stop(): Promise<void>;
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
  let running: Promise<void> | null = null;
  let stopping = false;

  async function stepOnce(projectId: number): Promise<{ finished: boolean; published: boolean } | null> {
    try {
      return await database.write((trx) => estimation.step(trx, projectId, new Date(options.now()).toISOString()));
    } catch (error) {
      if (isBusy(error)) return null;
      throw error;
    }
  }

  async function run(): Promise<void> {
    await nextBackgroundTurn();
    for (let projects = await estimation.projectsEstimating(); projects.length > 0 && !stopping; projects = await estimation.projectsEstimating()) {
      for (const projectId of projects) {
        for (;;) {
          if (stopping) return;
          let outcome: { finished: boolean; published: boolean } | null;
          try {
            outcome = await stepOnce(projectId);
          } catch (error) {
            // A failed step leaves the estimation marked; it is tried again at the next start.
            options.onError?.(error, projectId);
            return;
          }
          if (outcome === null) {
            await sleep(RETRY_MS);
            continue;
          }
          if (outcome.published) options.onPublished?.(projectId);
          await nextBackgroundTurn();
          if (outcome.finished) break;
        }
      }
    }
  }

  const runner: EstimationRunner = {
    kick() {
      if (running || stopping) return;
      running = run()
        .catch((error: unknown) => options.onError?.(error, null))
        .finally(() => {
          running = null;
        });
    },
    async checkDue() {
      if (stopping) return;
      const due = await estimation.projectsDue();
      for (const projectId of due) {
        await database.write((trx) => estimation.start(trx, projectId, new Date(options.now()).toISOString()));
      }
      if (due.length > 0) runner.kick();
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopping = true;
      await running;
    },
  };
  return runner;
}
