import { Readable } from 'node:stream';
import { nextBackgroundTurn } from './background-turns';

/** Characters gathered before a chunk goes to the stream. */
const CHUNK_CHARS = 64 * 1024;
/** Longest a stream works before it lets the event loop serve others (one piece may run over it a little). */
export const SLICE_MS = 5;

type Pieces = Generator<string, unknown, undefined> | AsyncGenerator<string, unknown, undefined>;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';

/**
 * Text made piece by piece by a generator, as a byte stream for an HTTP response: made as the response
 * drains (backpressure: nothing is made while the client is not reading), in slices of about SLICE_MS between which
 * the event loop serves other requests (a slice per background turn, shared with other background work); an empty
 * piece is a good place for such a pause. `finish` runs once when the
 * stream ends, fails or is abandoned, after the generator was ended (`return`); with `whole`, the text is made in one
 * go (no pause), for a source that must not be interleaved with other work. An async generator may await its
 * queries between pieces.
 */
export function slicedTextStream(pieces: Pieces, options: { finish?: () => void; whole?: boolean } = {}): Readable {
  const whole = options.whole ?? false;
  let finished = false;
  const finish = () => {
    if (finished) return;
    finished = true;
    try {
      const ended = pieces.return(undefined);
      // An async generator ends when it next gets the turn; what it throws then has nobody left to tell.
      if (isThenable(ended)) ended.then(undefined, () => {});
    } finally {
      options.finish?.();
    }
  };
  async function* chunks(): AsyncGenerator<Buffer, void, undefined> {
    let gathered: string[] = [];
    let size = 0;
    try {
      if (!whole) await nextBackgroundTurn();
      let sliceStarted = performance.now();
      for (;;) {
        // A synchronous generator's pieces are taken without an await (nothing else runs between them).
        let next = pieces.next() as IteratorResult<string, unknown> | Promise<IteratorResult<string, unknown>>;
        if (isThenable(next)) next = await next;
        if (next.done) break;
        gathered.push(next.value);
        size += next.value.length;
        if (size >= CHUNK_CHARS && !whole) {
          yield Buffer.from(gathered.join(''), 'utf8');
          gathered = [];
          size = 0;
        }
        if (!whole && performance.now() - sliceStarted >= SLICE_MS) {
          await nextBackgroundTurn();
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
