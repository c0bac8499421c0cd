import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../../db/database';
import { isBusy } from '../../db/write-lock';
import { nextBackgroundTurn } from '../../lib/background-turns';
import { createConsensusService } from './consensus.service';

/** Judged items recomputed per transaction: a few milliseconds of work, after which the event loop serves others. */
export const STEP_ITEMS = 25;
/** How long to wait before trying again when another process (an import) holds the write lock. */
const RETRY_MS = 2;

export interface ReaggregationRunner {
  /** Goes through the projects marked for a background re-aggregation, if it is not already doing so. */
  kick(): void;
  /** Resolves once no project is left to re-aggregate (or the runner stopped). */
  idle(): Promise<void>;
  /** Stops after the step under way; what is left stays marked, and is resumed by the next start. */
  stop(): Promise<void>;
}

/**
 * Re-aggregates in the background the projects whose quorum changed (consensus.service.ts, reaggregateStep): a step
 * of STEP_ITEMS items per write, one step per background turn (lib/background-turns.ts), so that the review goes on
 * meanwhile. On SQLite a step's write joins the group commit, which never sleeps the thread for a write lock another
 * process holds; when that process keeps the lock past the group commit's wait, the step is tried again a moment later.
 */
export function createReaggregationRunner(database: Database, options: { now: () => number; onError?: (error: unknown, projectId: number | null) => void }): ReaggregationRunner {
  const consensus = createConsensusService(database);
  let running: Promise<void> | null = null;
  let stopping = false;

  /** One step in a write of its own; null when another process held SQLite's write lock throughout. */
  async function stepOnce(projectId: number): Promise<{ finished: boolean } | null> {
    try {
      return await database.write((trx) => consensus.reaggregateStep(trx, projectId, new Date(options.now()).toISOString(), STEP_ITEMS));
    } catch (error) {
      if (isBusy(error)) return null;
      throw error;
    }
  }

  async function run(): Promise<void> {
    // Not within the caller's turn (the settings request): each step, the first too, at a background turn.
    await nextBackgroundTurn();
    // Project by project, in id order; a project marked again meanwhile (another quorum change) starts over.
    for (let projects = await consensus.projectsReaggregating(); projects.length > 0 && !stopping; projects = await consensus.projectsReaggregating()) {
      for (const projectId of projects) {
        for (;;) {
          if (stopping) return;
          let outcome: { finished: boolean } | null;
          try {
            outcome = await stepOnce(projectId);
          } catch (error) {
            // A failed step leaves the project marked; it is tried again at the next start (or the next quorum change).
            options.onError?.(error, projectId);
            return;
          }
          if (outcome === null) {
            await sleep(RETRY_MS);
            continue;
          }
          await nextBackgroundTurn();
          if (outcome.finished) break;
        }
      }
    }
  }

  return {
    kick() {
      if (running || stopping) return;
      // A failure outside a step (the database gone while listing the marked projects) is reported like a step's.
      running = run()
        .catch((error: unknown) => options.onError?.(error, null))
        .finally(() => {
          running = null;
        });
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopping = true;
      await running;
    },
  };
}
