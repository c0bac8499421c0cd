import { Readable } from 'node:stream';
import { nextBackgroundTurn } from './background-turns';

/** Characters gathered before a chunk goes to the stream. */
const CHUNK_CHARS = 64 * 1024;
/** Longest a stream works before it lets the event loop serve others (one piece may run over it a little). */
export const SLICE_MS = 5;

/**
 * Text made piece by piece by a generator (an async one: its pieces may come from database queries), as a byte
 * stream for an HTTP response: made as the response drains (backpressure: nothing is made while the client is not
 * reading), in slices of about SLICE_MS between which the event loop serves other requests (a slice per background
 * turn, shared with other background work); an empty piece is a good place for such a pause. The generator is ended
 * (`return`, which runs its `finally`: a snapshot it holds is released) once the stream ends, fails or is abandoned;
 * a generator never started is left so.
 */
export function slicedTextStream(pieces: AsyncGenerator<string, unknown, undefined> | Generator<string, unknown, undefined>): Readable {
  let finished = false;
  const finish = async () => {
    if (finished) return;
    finished = true;
    try {
      await pieces.return(undefined);
    } catch {
      // Ending it failed (a connection lost while it was released): the response is over either way, and what the
      // generator held is given back by its own `finally`.
    }
  };
  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    let gathered: string[] = [];
    let size = 0;
    try {
      await nextBackgroundTurn();
      let sliceStarted = performance.now();
      for (let next = await pieces.next(); !next.done; next = await pieces.next()) {
        gathered.push(next.value);
        size += next.value.length;
        if (size >= CHUNK_CHARS) {
          yield Buffer.from(gathered.join(''), 'utf8');
          gathered = [];
          size = 0;
        }
        if (performance.now() - sliceStarted >= SLICE_MS) {
          await nextBackgroundTurn();
          sliceStarted = performance.now();
        }
      }
      if (size > 0) yield Buffer.from(gathered.join(''), 'utf8');
    } finally {
      await finish();
    }
  }
  // Readable.from ends the generator (running its `finally`) when the stream is destroyed; a stream destroyed before
  // its first read never starts it, hence the close handler too.
  const stream = Readable.from(chunks(), { objectMode: false, highWaterMark: CHUNK_CHARS });
  stream.once('close', () => void finish());
  return stream;
}
