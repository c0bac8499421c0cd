import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import {
  Kysely,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type CompiledQuery,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type QueryResult,
} from 'kysely';
import type { Queries } from './database';
import type { Tables } from './tables';

// Runs in a worker thread: a read-only connection of its own to the database file. A job's statements run in one read
// transaction, begun at its first statement and ended by 'end'; each statement is prepared once and kept, as the server's
// connection keeps its own. Messages are handled in the order they were posted, so the next job's first statement
// always comes after the last one's 'end'.
const READER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
const statements = new Map();
function prepared(sql) {
  let statement = statements.get(sql);
  if (statement) statements.delete(sql);
  else {
    statement = db.prepare(sql);
    if (statements.size >= workerData.statementCacheSize) statements.delete(statements.keys().next().value);
  }
  statements.set(sql, statement);
  return statement;
}
parentPort.on('message', ({ id, op, sql, parameters }) => {
  if (op === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  try {
    let rows = [];
    if (op === 'end') {
      if (db.inTransaction) db.exec('COMMIT');
    } else {
      const statement = prepared(sql);
      if (!statement.reader) throw new Error('a snapshot only reads: ' + sql.slice(0, 80));
      if (!db.inTransaction) db.exec('BEGIN');
      rows = statement.all(parameters);
    }
    parentPort.postMessage({ id, rows });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

/**
 * Reader threads: two, so that one slow read (a jump deep into a million items: up to 3 s) does not hold the pages
 * of other leads behind it; more would only compete for the cores with the request thread.
 */
const READER_THREADS = 2;
const STATEMENT_CACHE_SIZE = 200;

interface Reply {
  id: number;
  rows?: unknown[];
  error?: { message: string; code?: string };
}

/** One worker thread and its connection; `request` posts a step of a job and resolves with its rows. */
class ReaderThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (error: Error) => void }>();
  private nextId = 0;
  private failure: Error | null = null;
  readonly exited: Promise<void>;
  /** Kysely on this thread's connection, for the job that holds the thread. */
  readonly queries: Queries = queriesOn(this);

  constructor(file: string) {
    this.worker = new Worker(READER, {
      eval: true,
      workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3'), statementCacheSize: STATEMENT_CACHE_SIZE },
    });
    this.worker.unref();
    this.worker.on('message', ({ id, rows, error }: Reply) => {
      const waiter = this.pending.get(id);
      this.pending.delete(id);
      // SQLite's own message and code, as the server's connection would have thrown them.
      if (error) waiter?.reject(Object.assign(new Error(error.message), { name: 'SqliteError', code: error.code }));
      else waiter?.resolve(rows ?? []);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.fail(new Error('the reader thread stopped')));
  }

  /** False once the thread failed or stopped: it takes no more jobs. */
  get usable(): boolean {
    return this.failure === null;
  }

  request(op: 'end' | 'query', sql?: string, parameters?: readonly unknown[]): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, op, sql, parameters });
    });
  }

  /** Keeps the process alive while a job waits on this thread (a script's last await), and no longer. */
  hold(held: boolean): void {
    if (held) this.worker.ref();
    else this.worker.unref();
  }

  async stop(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage({ op: 'stop' });
    await this.exited;
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}

/** Kysely over a job's read transaction on a reader thread: every query goes to the thread and comes back as rows. */
function queriesOn(reader: ReaderThread): Queries {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      return { rows: (await reader.request('query', query.sql, query.parameters)) as R[] };
    },
    async *streamQuery() {
      throw new Error('a reader thread does not stream: read in pages');
    },
  };
  const noTransactions = async () => {
    throw new Error('a snapshot opens no transaction of its own');
  };
  const driver: Driver = {
    async init() {},
    async acquireConnection() {
      return connection;
    },
    beginTransaction: noTransactions,
    commitTransaction: noTransactions,
    rollbackTransaction: noTransactions,
    async releaseConnection() {},
    async destroy() {},
  };
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => driver,
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  return new Kysely<Tables>({ dialect });
}

export interface SqliteReaders {
  /** Runs `job` on a reader thread's connection, in one read transaction (see Database.slowSnapshot). */
  run<T>(job: (snapshot: Queries) => Promise<T>): Promise<T>;
  /** Stops the threads, each closing its connection (the server's connection is closed after them). */
  close(): Promise<void>;
}

/**
 * SQLite's reads that may take long (Database.slowSnapshot), run on reader threads: a statement on the server's
 * connection holds the event loop until it ends, and every other request waits behind it. Here the request thread
 * only posts the statements and receives their rows; the threads start on the first job and stay, idle ones not
 * keeping the process alive. WAL lets their read transactions run beside the server's writes.
 */
export function sqliteReaders(file: string): SqliteReaders {
  const threads: ReaderThread[] = [];
  const idle: ReaderThread[] = [];
  const waiting: ((reader: ReaderThread) => void)[] = [];

  function take(): Promise<ReaderThread> {
    for (let reader = idle.pop(); reader; reader = idle.pop()) if (reader.usable) return Promise.resolve(reader);
    for (let n = threads.length - 1; n >= 0; n--) if (!threads[n]!.usable) threads.splice(n, 1);
    if (threads.length < READER_THREADS) {
      const reader = new ReaderThread(file);
      threads.push(reader);
      return Promise.resolve(reader);
    }
    return new Promise((resolve) => waiting.push(resolve));
  }

  function give(reader: ReaderThread): void {
    reader.hold(false);
    if (!reader.usable) {
      // Its place goes to a new thread, for the first job waiting.
      threads.splice(threads.indexOf(reader), 1);
      const next = waiting.shift();
      if (next) void take().then(next);
      return;
    }
    const next = waiting.shift();
    if (next) next(reader);
    else idle.push(reader);
  }

  return {
    async run(job) {
      const reader = await take();
      reader.hold(true);
      try {
        return await job(reader.queries);
      } finally {
        // Ends the read transaction, also when the job failed. Not awaited: a round trip to the thread costs up to a
        // millisecond on a busy machine, and the thread handles it before anything the next job posts. A COMMIT that
        // only reads cannot fail but by the thread's end, which its next job hears of.
        if (reader.usable) reader.request('end').catch(() => {});
        give(reader);
      }
    },
    async close() {
      const stopping = threads.splice(0);
      idle.length = 0;
      await Promise.all(stopping.map((reader) => reader.stop()));
    },
  };
}
