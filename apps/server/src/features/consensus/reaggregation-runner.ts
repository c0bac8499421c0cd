import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../../db/open-database';
import { tryWithoutWaiting } from '../../db/write-lock';
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
 * of STEP_ITEMS items per transaction, one step per background turn (lib/background-turns.ts), so that the review
 * goes on meanwhile. A
 * step never waits for the write lock when another process holds it: it tries again a moment later instead.
 */
export function createReaggregationRunner(db: Db, options: { now: () => number; onError?: (error: unknown, projectId: number) => void }): ReaggregationRunner {
  const consensus = createConsensusService(db);
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  let running: Promise<void> | null = null;
  let stopping = false;

  /** One step in a transaction of its own; false when another process holds the write lock. */
  function stepOnce(projectId: number): { finished: boolean } | null {
    if (!tryWithoutWaiting(db, () => begin.run())) return null;
    try {
      const result = consensus.reaggregateStep(projectId, new Date(options.now()).toISOString(), STEP_ITEMS);
      commit.run();
      return result;
    } catch (error) {
      if (db.inTransaction) rollback.run();
      throw error;
    }
  }

  async function run(): Promise<void> {
    // Not within the caller's turn (the settings request): each step, the first too, at a background turn.
    await nextBackgroundTurn();
    // Project by project, in id order; a project marked again meanwhile (another quorum change) starts over.
    for (let projects = consensus.projectsReaggregating(); projects.length > 0 && !stopping; projects = consensus.projectsReaggregating()) {
      for (const projectId of projects) {
        for (;;) {
          if (stopping) return;
          let outcome: { finished: boolean } | null;
          try {
            outcome = stepOnce(projectId);
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
      running = run().finally(() => {
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
