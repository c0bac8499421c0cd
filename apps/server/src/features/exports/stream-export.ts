import Database from 'better-sqlite3';
import type { Readable } from 'node:stream';
import type { Db } from '../../db/open-database';
import { slicedTextStream } from '../../lib/sliced-stream';
import { syncProjectCatalog, type CatalogProject } from '../projects/project-catalog';
import { inReadTransaction, type PreparedExport } from './build-export';

/**
 * A connection to read an export from while the server goes on serving: its own read-only connection to the same
 * file, whose one read transaction (WAL) sees the database as it was when the export began, however long the
 * download takes, without holding up the server's writes. An in-memory database has no file to share: the export
 * then reads through the server's connection, all at once (tests only).
 */
export function openExportConnection(db: Db): { db: Db; entry: (projectId: number) => CatalogProject | null; close(): void } {
  if (db.memory) return { db, entry: (projectId) => syncProjectCatalog(db).get(projectId), close() {} };
  const reader = new Database(db.name, { readonly: true, fileMustExist: true });
  return { db: reader, entry: (projectId) => syncProjectCatalog(reader).get(projectId), close: () => reader.close() };
}

/**
 * The export's text as a byte stream for an HTTP response (slicedTextStream: made as the client reads, in slices of
 * a few milliseconds between other requests), read in one read transaction on `connection`, which is closed when the
 * stream ends, fails or is abandoned by the client.
 */
export function exportStream(connection: { db: Db; close(): void }, prepared: PreparedExport): Readable {
  return slicedTextStream(inReadTransaction(connection.db, prepared.pieces()), { finish: () => connection.close(), whole: connection.db.memory });
}
