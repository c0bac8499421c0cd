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
// connection keeps its own. A message carries the statements a job issued together, run in order, each answered apart.
// Messages are handled in the order they were posted, so the next job's first statement always comes after the last
// one's 'end'.
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
function run({ sql, parameters }) {
  try {
    const statement = prepared(sql);
    if (!statement.reader) throw new Error('a snapshot only reads: ' + sql.slice(0, 80));
    if (!db.inTransaction) db.exec('BEGIN');
    return { rows: statement.all(parameters) };
  } catch (error) {
    return { error: { message: String(error && error.message), code: error && error.code } };
  }
}
parentPort.on('message', (message) => {
  if (message.op === 'stop') {
    db.close();
    parentPort.close();
  } else if (message.op === 'end') {
    if (db.inTransaction) db.exec('COMMIT');
  } else {
    parentPort.postMessage({ id: message.id, results: message.statements.map(run) });
  }
});
`;

/**
 * Reader threads: two, so that one slow read (a jump deep into a million items: up to 3 s) does not hold the pages
 * of other leads behind it; more would only compete for the cores with the request thread.
 */
const READER_THREADS = 2;
const STATEMENT_CACHE_SIZE = 200;

type Result = { rows: unknown[]; error?: undefined } | { rows?: undefined; error: { message: string; code?: string } };

interface Statement {
  sql: string;
  parameters: readonly unknown[];
  resolve: (rows: unknown[]) => void;
  reject: (error: Error) => void;
}

/**
 * One worker thread and its connection. `query` resolves with a statement's rows; the statements a job issues in
 * the same turn (reads it awaits together) go to the thread in one message: a round trip costs 0.3 to 0.8 ms on a
 * busy machine (the other thread must wake), more than most of the statements themselves.
 */
class ReaderThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Statement[]>();
  private batch: Statement[] | null = null;
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
    this.worker.on('message', ({ id, results }: { id: number; results: Result[] }) => {
      const statements = this.pending.get(id) ?? [];
      this.pending.delete(id);
      statements.forEach((statement, n) => {
        const result = results[n]!;
        // SQLite's own message and code, as the server's connection would have thrown them.
        if (result.error) statement.reject(Object.assign(new Error(result.error.message), { name: 'SqliteError', code: result.error.code }));
        else statement.resolve(result.rows);
      });
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    void this.exited.then(() => this.fail(new Error('the reader thread stopped')));
  }

  /** False once the thread failed or stopped: it takes no more jobs. */
  get usable(): boolean {
    return this.failure === null;
  }

  query(sql: string, parameters: readonly unknown[]): Promise<unknown[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      if (this.batch === null) {
        this.batch = [];
        // Once this turn of the event loop is over: the job's reads issued with this one have joined it by then.
        setImmediate(() => this.flush());
      }
      this.batch.push({ sql, parameters, resolve, reject });
    });
  }

  /** Ends the job's read transaction; posted after its last statements, not answered. */
  end(): void {
    if (!this.failure) this.worker.postMessage({ op: 'end' });
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

  private flush(): void {
    const statements = this.batch ?? [];
    this.batch = null;
    if (this.failure) {
      for (const statement of statements) statement.reject(this.failure);
      return;
    }
    const id = this.nextId++;
    this.pending.set(id, statements);
    this.worker.postMessage({ id, statements: statements.map(({ sql, parameters }) => ({ sql, parameters })) });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const statements of this.pending.values()) for (const statement of statements) statement.reject(this.failure);
    this.pending.clear();
  }
}

/** Kysely over a job's read transaction on a reader thread: every query goes to the thread and comes back as rows. */
function queriesOn(reader: ReaderThread): Queries {
  const connection: DatabaseConnection = {
    async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
      return { rows: (await reader.query(query.sql, query.parameters)) as R[] };
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
      // Its place goes to a new thread, for the first job waiting (take may have dropped it from the threads already).
      const at = threads.indexOf(reader);
      if (at >= 0) threads.splice(at, 1);
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
        // Ends the read transaction, also when the job failed. Not answered: a round trip costs up to a millisecond,
        // and the thread handles it before anything the next job posts. A COMMIT that only reads cannot fail but by
        // the thread's end, which its next job hears of.
        reader.end();
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
