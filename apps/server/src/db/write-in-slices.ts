import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from './open-database';

export interface SliceOptions {
  /** Longest a transaction runs steps before it commits (a step may run over it a little). */
  sliceMs?: number;
  /**
   * The pause after each commit, in which another connection waiting for the write lock (a server) takes it; the
   * pause is repeated while other connections keep committing in it, up to `maxPauseMs`. 0: no pause (a database
   * nobody else can have open, such as one this process just created).
   */
  pauseMs?: number;
  maxPauseMs?: number;
}

/**
 * Runs the steps of `steps` (a generator whose every `yield` is a place to commit) in transactions of about
 * `sliceMs` each, with a pause between them: a large write (an import of 50,000 images) never holds SQLite's write
 * lock long, so that a server writing to the same database waits at most a slice. Returns the generator's result.
 * Each slice is atomic; the whole is not: when a step fails, the slice under way is rolled back and the error thrown,
 * and what earlier slices wrote stays, for the caller to make invisible or undo (the import writes its project
 * hidden until its last slice).
 */
export async function writeInSlices<R>(db: Db, steps: Generator<unknown, R, undefined>, options: SliceOptions = {}): Promise<R> {
  const sliceMs = options.sliceMs ?? 20;
  const pauseMs = options.pauseMs ?? (db.memory ? 0 : 4);
  const maxPauseMs = options.maxPauseMs ?? 50;
  const begin = db.prepare('BEGIN IMMEDIATE');
  const commit = db.prepare('COMMIT');
  const rollback = db.prepare('ROLLBACK');
  // PRAGMA data_version changes when another connection commits: a writer was waiting during the pause.
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  for (;;) {
    let next: IteratorResult<unknown, R>;
    begin.run();
    try {
      const started = performance.now();
      do next = steps.next();
      while (!next.done && performance.now() - started < sliceMs);
      commit.run();
    } catch (error) {
      if (db.inTransaction) rollback.run();
      steps.return(undefined as R);
      throw error;
    }
    if (next.done) return next.value;
    if (pauseMs > 0) {
      let paused = 0;
      for (let version = dataVersion(); paused < maxPauseMs; ) {
        await sleep(pauseMs);
        paused += pauseMs;
        const now = dataVersion();
        if (now === version) break;
        version = now;
      }
    }
  }
}
