import { FormatError } from '@bagel/core';
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, createReadStream, fstatSync, openSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { ImportError } from './import-error';
import { ProgressPhase, type ImportProgressListener } from '../../lib/step-progress';

/** Large files are read in chunks of this size: memory stays bounded whatever the file's size. */
export const CHUNK_BYTES = 1 << 20;

/** A file the manifest names. Small files are read whole (`bytes`); large ones (NumPy arrays) are streamed. */
export interface SourceFile {
  /** The manifest field naming it, e.g. `models[1].predictions.path`. */
  field: string;
  /** The path shown in messages and opened: the manifest's folder joined with the path it gives (unless absolute). */
  display: string;
  size: number;
  bytes?: Buffer;
}

function displayPath(baseDir: string, path: string): string {
  return isAbsolute(path) ? path : join(baseDir, path);
}

function namedByText(namedBy: string | null): string {
  return namedBy ? ` (named by the manifest's field "${namedBy}")` : '';
}

function unreadable(path: string, namedBy: string | null, error: unknown): ImportError {
  const by = namedByText(namedBy);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ImportError({ file: path }, `file not found${by}`);
  if (code === 'EISDIR') return new ImportError({ file: path }, `this is a folder, not a file${by}`);
  return new ImportError({ file: path }, `cannot read the file${by}: ${(error as Error).message}`);
}

/**
 * Opens a file for reading and checks that it is a regular file, before reading a byte: a folder, a FIFO or a device
 * (`/dev/zero`, also through a symbolic link) is refused with an ImportError naming the manifest field, instead of
 * being read forever. Opened non-blocking, so that opening a FIFO does not wait for a writer; the check is on the
 * opened file itself, so the path cannot be swapped between the check and the reading. The caller closes `fd`.
 */
function openRegularFile(path: string, namedBy: string | null): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (error) {
    throw unreadable(path, namedBy, error);
  }
  try {
    const stats = fstatSync(fd);
    if (stats.isDirectory()) throw new ImportError({ file: path }, `this is a folder, not a file${namedByText(namedBy)}`);
    if (!stats.isFile()) throw new ImportError({ file: path }, `not a regular file${namedByText(namedBy)}`);
    return { fd, size: stats.size };
  } catch (error) {
    closeSync(fd);
    if (error instanceof ImportError) throw error;
    throw unreadable(path, namedBy, error);
  }
}

/** Reads a whole regular file; a missing, unreadable or irregular one is an ImportError naming the manifest field. */
export function readNamedFile(path: string, namedBy: string | null): Buffer {
  const { fd } = openRegularFile(path, namedBy);
  try {
    return readFileSync(fd);
  } catch (error) {
    throw unreadable(path, namedBy, error);
  } finally {
    closeSync(fd);
  }
}

export function readSourceFile(baseDir: string, path: string, field: string): SourceFile {
  const display = displayPath(baseDir, path);
  const bytes = readNamedFile(display, field);
  return { field, display, size: bytes.length, bytes };
}

/** Checks that a file to be streamed later exists and is a regular file, so that a bad one is reported before any parsing. */
export function statSourceFile(baseDir: string, path: string, field: string): SourceFile {
  const display = displayPath(baseDir, path);
  const { fd, size } = openRegularFile(display, field);
  closeSync(fd);
  return { field, display, size };
}

/**
 * Streams a file in CHUNK_BYTES chunks to `onChunk`. What `onChunk` throws (a format problem) comes out as it is; a
 * file that cannot be read, or whose size changed since it was looked at, is an ImportError.
 */
export async function streamSourceFile(source: SourceFile, onChunk: (chunk: Buffer) => void): Promise<void> {
  const changed = () => new ImportError({ file: source.display }, 'the file changed while it was being read: import again');
  const { fd, size } = openRegularFile(source.display, source.field);
  if (size !== source.size) {
    closeSync(fd);
    throw changed();
  }
  let read = 0;
  try {
    for await (const chunk of createReadStream(source.display, { fd, highWaterMark: CHUNK_BYTES })) {
      read += (chunk as Buffer).length;
      if (read > source.size) throw changed();
      onChunk(chunk as Buffer);
    }
  } catch (error) {
    if (error instanceof FormatError || error instanceof ImportError || !(error as NodeJS.ErrnoException).code) throw error;
    throw unreadable(source.display, source.field, error);
  }
  if (read !== source.size) throw changed();
}

/**
 * The SHA-256 that makes re-import idempotent: over the manifest's bytes and then every file it names, each framed by
 * its manifest field and length so that no two sets of files collide. Files go in the order `sources` lists them;
 * a manifest naming only the files of the first manifest version (vocabulary, labels, predictions) gets the digest
 * it always had.
 */
export class SourceDigest {
  private readonly hash: Hash = createHash('sha256');

  constructor(manifestBytes: Buffer) {
    this.hash.update(`manifest\n${manifestBytes.length}\n`).update(manifestBytes);
  }

  /** Starts a file's frame; its bytes follow, whole or in chunks, through `update`. */
  begin(source: SourceFile): void {
    this.hash.update(`\n${source.field}\n${source.size}\n`);
  }

  update(chunk: Uint8Array): void {
    this.hash.update(chunk);
  }

  addWhole(source: SourceFile): void {
    this.begin(source);
    this.update(source.bytes!);
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}

/** The digest alone, streaming the large files (to recognise a manifest imported before without parsing anything). */
export async function digestSources(manifestBytes: Buffer, sources: readonly SourceFile[], listener: ImportProgressListener): Promise<string> {
  const digest = new SourceDigest(manifestBytes);
  const streamed = sources.filter((s) => !s.bytes);
  const totalMb = Math.ceil(streamed.reduce((n, s) => n + s.size, 0) / 1e6);
  const phase = new ProgressPhase(listener, 'comparing with the imported project', totalMb, 'MB');
  let read = 0;
  for (const source of sources) {
    if (source.bytes) {
      digest.addWhole(source);
      continue;
    }
    digest.begin(source);
    await streamSourceFile(source, (chunk) => {
      digest.update(chunk);
      read += chunk.length;
      phase.tick(Math.floor(read / 1e6));
    });
  }
  if (streamed.length > 0) phase.end(`compared ${streamed.length} NumPy ${streamed.length === 1 ? 'file' : 'files'} with the imported project`);
  return digest.hex();
}
