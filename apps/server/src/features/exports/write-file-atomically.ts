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
 * Writes `text` to `file` so that the file is either what it was before or the whole new text, never a half (see
 * writePiecesAtomically, which does the writing). `onProgress` hears the step `writing file`, counted in MB.
 */
export async function writeFileAtomically(file: string, text: string, onProgress?: ProgressListener): Promise<void> {
  await writePiecesAtomically(
    file,
    (function* () {
      yield text;
    })(),
    onProgress,
    Buffer.byteLength(text, 'utf8'),
  );
}

/**
 * Writes the text that `pieces` makes to `file` so that the file is either what it was before or the whole new text,
 * never a half: the text goes to a temporary file beside it (same folder, so the rename cannot cross file systems), is
 * flushed to disk, then renamed over the target, which POSIX makes atomic. On any failure the temporary file is
 * removed. The whole text is never held: pieces are gathered into slices of about 1 MiB, each written to the
 * temporary file as it fills (a larger piece is written on its own, a slice at a time). Returns the generator's
 * result. `onProgress` hears the step `writing file`, in MB: as it goes when `totalBytes` tells how much is coming,
 * else once everything is written and flushed (the pieces' own steps report the progress).
 */
export async function writePiecesAtomically<R>(
  file: string,
  pieces: AsyncGenerator<string, R, undefined> | Generator<string, R, undefined>,
  onProgress?: ProgressListener,
  totalBytes?: number,
): Promise<R> {
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const phase = onProgress && totalBytes !== undefined ? new ProgressPhase(onProgress, 'writing file', Math.ceil(totalBytes / 1e6), 'MB') : undefined;
  const slice = Buffer.allocUnsafe(CHUNK_BYTES);
  let used = 0;
  let bytes = 0;
  let fd: number | undefined;
  let result: R;
  try {
    fd = openSync(temporary, 'wx', 0o644);
    const descriptor = fd;
    const write = (buffer: Buffer, length: number) => {
      for (let at = 0; at < length; ) {
        const written = writeSync(descriptor, buffer, at, Math.min(CHUNK_BYTES, length - at));
        at += written;
        bytes += written;
        phase?.tick(Math.floor(bytes / 1e6));
      }
    };
    const flush = () => {
      write(slice, used);
      used = 0;
    };
    for (let next = await pieces.next(); ; next = await pieces.next()) {
      if (next.done) {
        result = next.value;
        break;
      }
      const piece = next.value;
      // A piece that fits goes into the slice; a larger one is written on its own after the slice.
      if (used + piece.length * 3 > CHUNK_BYTES) flush();
      if (piece.length * 3 > CHUNK_BYTES) {
        const own = Buffer.from(piece, 'utf8');
        write(own, own.length);
      } else {
        used += slice.write(piece, used, 'utf8');
      }
    }
    flush();
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, file);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    // Ends the pieces' generator (and the snapshot it may hold) when the write failed first.
    await pieces.return(undefined as R);
    throw error;
  }
  const done = phase ?? (onProgress && new ProgressPhase(onProgress, 'writing file', Math.ceil(bytes / 1e6), 'MB'));
  done?.end(`wrote the file (${sizeText(bytes)})`);
  return result;
}
