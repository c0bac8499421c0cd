import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, Queries } from './database';

export interface SliceOptions {
  /** Longest a transaction runs steps before it commits (a step may run over it a little). */
  sliceMs?: number;
  /**
   * SQLite: the pause after each commit, in which another connection waiting for the write lock (a server) takes it;
   * the pause is repeated while other connections keep committing in it, up to `maxPauseMs`. 0: no pause (a database
   * nobody else can have open, such as one this process just created). PostgreSQL needs no pause: its writers do not
   * wait for one another unless they touch the same rows.
   */
  pauseMs?: number;
  maxPauseMs?: number;
  /**
   * SQLite, with pauses: the longest a slice grows to while nobody else commits in the pauses. Each quiet pause
   * doubles the next slice, up to this; the first pause in which another connection commits (a writer that was waiting
   * for the lock) brings slices back to `sliceMs`. So a server with writers keeps its short waits, and a quiet one lets
   * the write commit less often (each commit writes every page its transaction touched); a writer that comes after a
   * quiet spell waits one such slice at most. Equal to `sliceMs`: slices never grow.
   */
  quietSliceMs?: number;
  /**
   * SQLite: the log pages after which a commit of this write checkpoints (`wal_autocheckpoint`; the connection's own
   * setting comes back when the write ends). A bulk write whose rows land all over the indexes checkpoints less often
   * than the default 1,000 pages, so that a page is copied back once rather than once per slice that touched it.
   */
  checkpointPages?: number;
}

/** The steps of a long write: each `yield` is a place to commit; `slice.queries` is the transaction the steps run in. */
export type SlicedSteps<R> = (slice: { readonly queries: Queries }) => AsyncGenerator<void, R, undefined>;

/**
 * Runs the steps (a generator whose every `yield` is a place to commit) in transactions of about `sliceMs` each, so
 * that a large write (an import of 50,000 images) never holds a transaction long. Returns the generator's result.
 * Each slice is atomic; the whole is not: when a step fails, the slice under way is rolled back and the error thrown,
 * and what earlier slices wrote stays, for the caller to make invisible or undo (the import writes its project
 * hidden until its last slice).
 *
 * - SQLite: one writer at a time, so a slice holds the write lock a server serving the same database waits for: slices
 *   of about 20 ms with a pause between them (up to 80 ms while nobody else commits in the pauses: quietSliceMs), and
 *   `BEGIN IMMEDIATE` on the connection itself. The steps may await
 *   only their queries (better-sqlite3 answers at once), so no other request of this process runs inside a slice.
 * - PostgreSQL: a transaction per slice on a pooled connection; readers and other writers go on meanwhile, so slices
 *   are longer (fewer commits) and need no pause.
 */
export async function writeInSlices<R>(database: Database, makeSteps: SlicedSteps<R>, options: SliceOptions = {}): Promise<R> {
  return database.sqlite ? sqliteSlices(database, makeSteps, options) : postgresSlices(database, makeSteps, options);
}

async function sqliteSlices<R>(database: Database, makeSteps: SlicedSteps<R>, options: SliceOptions): Promise<R> {
  const db = database.sqlite!;
  const sliceMs = options.sliceMs ?? 20;
  const pauseMs = options.pauseMs ?? (db.memory ? 0 : 4);
  const maxPauseMs = options.maxPauseMs ?? 50;
  const quietSliceMs = Math.max(sliceMs, options.quietSliceMs ?? 80);
  const steps = makeSteps({ queries: database.queries });
  const checkpointPagesBefore = options.checkpointPages === undefined ? null : (db.pragma('wal_autocheckpoint', { simple: true }) as number);
  if (options.checkpointPages !== undefined) db.pragma(`wal_autocheckpoint = ${Math.trunc(options.checkpointPages)}`);
  try {
    return await runSqliteSlices(db, steps, { sliceMs, quietSliceMs, pauseMs, maxPauseMs });
  } finally {
    if (checkpointPagesBefore !== null && db.open) db.pragma(`wal_autocheckpoint = ${checkpointPagesBefore}`);
  }
}

async function runSqliteSlices<R>(
  db: NonNullable<Database['sqlite']>,
  steps: AsyncGenerator<void, R, undefined>,
  timing: { sliceMs: number; quietSliceMs: number; pauseMs: number; maxPauseMs: number },
): Promise<R> {
  const { sliceMs, quietSliceMs, pauseMs, maxPauseMs } = timing;
  let currentSliceMs = sliceMs;
  // PRAGMA data_version changes when another connection commits: a writer was waiting during the pause.
  const dataVersion = () => db.pragma('data_version', { simple: true }) as number;
  for (;;) {
    let next: IteratorResult<void, R>;
    db.exec('BEGIN IMMEDIATE');
    try {
      const started = performance.now();
      do next = await steps.next();
      while (!next.done && performance.now() - started < currentSliceMs);
      db.exec('COMMIT');
    } catch (error) {
      if (db.inTransaction) db.exec('ROLLBACK');
      await steps.return(undefined as R);
      throw error;
    }
    if (next.done) return next.value;
    if (pauseMs > 0) {
      let paused = 0;
      let othersCommitted = false;
      for (let version = dataVersion(); paused < maxPauseMs; ) {
        await sleep(pauseMs);
        paused += pauseMs;
        const now = dataVersion();
        if (now === version) break;
        othersCommitted = true;
        version = now;
      }
      currentSliceMs = othersCommitted ? sliceMs : Math.min(currentSliceMs * 2, quietSliceMs);
    }
  }
}

async function postgresSlices<R>(database: Database, makeSteps: SlicedSteps<R>, options: SliceOptions): Promise<R> {
  const sliceMs = options.sliceMs ?? 250;
  const slice = { queries: database.queries };
  const steps = makeSteps(slice);
  for (;;) {
    let next: IteratorResult<void, R> | undefined;
    try {
      await database.queries.transaction().execute(async (trx) => {
        slice.queries = trx;
        const started = performance.now();
        do next = await steps.next();
        while (!next.done && performance.now() - started < sliceMs);
      });
    } catch (error) {
      await steps.return(undefined as R);
      throw error;
    }
    if (next!.done) return next!.value;
  }
}
