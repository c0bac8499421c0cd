import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ProgressPhase, type ProgressListener } from '../../lib/step-progress';

/** Written a slice at a time, so that a large export can report its progress. */
const CHUNK_BYTES = 1 << 20;

/** `512 bytes`, `12.3 kB`, `45.6 MB`. */
export function sizeText(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Writes `text` to `file` so that the file is either what it was before or the whole new text, never a half: the
 * text goes to a temporary file beside it (same folder, so the rename cannot cross file systems), is flushed to
 * disk, then renamed over the target, which POSIX makes atomic. On any failure the temporary file is removed.
 * `onProgress` hears the step `writing file`, counted in MB.
 */
export function writeFileAtomically(file: string, text: string, onProgress?: ProgressListener): void {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const bytes = Buffer.from(text, 'utf8');
  const phase = onProgress && new ProgressPhase(onProgress, 'writing file', Math.ceil(bytes.length / 1e6), 'MB');
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o644);
    let written = 0;
    while (written < bytes.length) {
      written += writeSync(fd, bytes, written, Math.min(CHUNK_BYTES, bytes.length - written));
      phase?.tick(Math.floor(written / 1e6));
    }
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw error;
  }
  phase?.end(`wrote the file (${sizeText(bytes.length)})`);
}
