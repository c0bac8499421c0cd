import Database from 'better-sqlite3';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../../db/open-database';
import { projectCatalog, type CatalogProject } from '../projects/project-catalog';
import { inReadTransaction, type PreparedExport } from './build-export';

/** Bytes gathered before a chunk goes to the response. */
const CHUNK_CHARS = 64 * 1024;
/** Longest the export works before it lets the event loop serve others (a page of rows may run over it a little). */
export const SLICE_MS = 8;

/**
 * A connection to read an export from while the server goes on serving: its own read-only connection to the same
 * file, whose one read transaction (WAL) sees the database as it was when the export began, however long the
 * download takes, without holding up the server's writes. An in-memory database has no file to share: the export
 * then reads through the server's connection, all at once (tests only).
 */
export function openExportConnection(db: Db): { db: Db; entry: (projectId: number) => CatalogProject | null; close(): void } {
  if (db.memory) return { db, entry: (projectId) => projectCatalog(db).get(projectId), close() {} };
  const reader = new Database(db.name, { readonly: true, fileMustExist: true });
  return { db: reader, entry: (projectId) => projectCatalog(reader).get(projectId), close: () => reader.close() };
}

/**
 * The export's text as a byte stream for an HTTP response, made as the response drains (backpressure: nothing is
 * made while the client is not reading) and in slices of at most about SLICE_MS, between which the event loop
 * serves other requests. The pieces are read in one read transaction on `connection`, which the stream closes when
 * it ends, fails or is abandoned by the client.
 */
export function exportStream(connection: { db: Db; close(): void }, prepared: PreparedExport): Readable {
  const pieces = inReadTransaction(connection.db, prepared.pieces());
  const whole = connection.db.memory;
  let finished = false;
  // Ends the read transaction (if the pieces were abandoned midway) and closes the connection, once.
  const finish = () => {
    if (finished) return;
    finished = true;
    try {
      pieces.return('');
    } finally {
      connection.close();
    }
  };
  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    let sliceStarted = performance.now();
    let gathered: string[] = [];
    let size = 0;
    try {
      for (let next = pieces.next(); !next.done; next = pieces.next()) {
        gathered.push(next.value);
        size += next.value.length;
        if (size >= CHUNK_CHARS && !whole) {
          yield Buffer.from(gathered.join(''), 'utf8');
          gathered = [];
          size = 0;
        }
        if (!whole && performance.now() - sliceStarted >= SLICE_MS) {
          await nextTurn();
          sliceStarted = performance.now();
        }
      }
      if (size > 0) yield Buffer.from(gathered.join(''), 'utf8');
    } finally {
      finish();
    }
  }
  // Readable.from ends the generator (running its `finally`) when the stream is destroyed; a stream destroyed before
  // its first read never starts it, hence the close handler too.
  const stream = Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK_CHARS });
  stream.once('close', finish);
  return stream;
}
