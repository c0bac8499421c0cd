import type { Readable } from 'node:stream';
import type { Database } from '../../db/database';
import { slicedTextStream } from '../../lib/sliced-stream';
import { exportPieces, type PreparedExport } from './build-export';

/**
 * The export's text as a byte stream for an HTTP response (slicedTextStream: made as the client reads, in slices of
 * a few milliseconds between other requests), read on one snapshot of the database (Database.longSnapshot: the
 * database as it was when the download began, however long it takes, while the server goes on writing). The
 * snapshot is taken at the first read and released when the stream ends, fails or is abandoned by the client.
 */
export function exportStream(database: Database, prepared: PreparedExport): Readable {
  return slicedTextStream(exportPieces(database, prepared));
}
