import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Queries } from '../db/database';
import { isBusy } from '../db/write-lock';
import { nextBackgroundTurn } from './background-turns';

/** How long to wait before trying again when another process (an import) holds the write lock. */
const RETRY_MS = 2;

/** A background job over the projects marked for it, a step per write and per background turn. */
export interface ProjectStepRunner {
  /** Goes through the marked projects, if it is not already doing so. */
  kick(): void;
  /** Resolves once no project is left (or the runner stopped). */
  idle(): Promise<void>;
  /** Stops after the step under way; what is left stays marked, and is resumed by the next start. */
  stop(): Promise<void>;
}

/**
 * Runs `step` on each project `marked` lists until it says `finished`, project by project in the order listed, then
 * lists them again (a project marked again meanwhile starts over): each step in a write of its own, at a background
 * turn (lib/background-turns.ts), so that the review goes on meanwhile. On SQLite a step's write joins the group
 * commit, which never sleeps the thread for a write lock another process holds; when that process keeps the lock past
 * the group commit's wait, the step is tried again a moment later. A failed step leaves its project marked, tried
 * again at the next start; `afterStep` sees each step's outcome.
 */
export function createProjectStepRunner<Outcome extends { finished: boolean }>(
  database: Database,
  job: {
    marked(): Promise<number[]>;
    step(trx: Queries, projectId: number): Promise<Outcome>;
    afterStep?(projectId: number, outcome: Outcome): void;
    onError?(error: unknown, projectId: number | null): void;
  },
): ProjectStepRunner {
  let running: Promise<void> | null = null;
  let stopping = false;

  /** One step in a write of its own; null when another process held SQLite's write lock throughout. */
  async function stepOnce(projectId: number): Promise<Outcome | null> {
    try {
      return await database.write((trx) => job.step(trx, projectId));
    } catch (error) {
      if (isBusy(error)) return null;
      throw error;
    }
  }

  async function run(): Promise<void> {
    // Not within the caller's turn (a settings request): each step, the first too, at a background turn.
    await nextBackgroundTurn();
    for (let projects = await job.marked(); projects.length > 0 && !stopping; projects = await job.marked()) {
      for (const projectId of projects) {
        for (;;) {
          if (stopping) return;
          let outcome: Outcome | null;
          try {
            outcome = await stepOnce(projectId);
          } catch (error) {
            job.onError?.(error, projectId);
            return;
          }
          if (outcome === null) {
            await sleep(RETRY_MS);
            continue;
          }
          job.afterStep?.(projectId, outcome);
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
        .catch((error: unknown) => job.onError?.(error, null))
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
