import { Readable } from 'node:stream';

/** How image sources behind URLs and in buckets are fetched (`createRemoteFetcher`). */
export interface RemoteFetchSettings {
  /** A HEAD, or a GET until its last byte (previews) or its headers (originals), within this; a body then idle no longer. */
  timeoutMs: number;
  /** At most this many bytes of one image: more is refused (previews hold the bytes in memory while sharp reads them). */
  maxBytes: number;
  /** Requests to image sources at once, for the whole process. */
  concurrency: number;
  /** Requests waiting for one of those; beyond this a request fails at once rather than queue for nothing. */
  maxWaiting: number;
}

export const DEFAULT_REMOTE_FETCH: RemoteFetchSettings = { timeoutMs: 10_000, maxBytes: 32 * 1024 ** 2, concurrency: 16, maxWaiting: 1_000 };

/** What a remote HEAD or GET found: the object, nothing (404/410), or a failure (any other status, a timeout, a network error). */
export type RemoteOutcome<T> = { outcome: 'found'; value: T } | { outcome: 'missing'; detail: string } | { outcome: 'failed'; detail: string; tooLarge?: boolean };

export interface RemoteHead {
  /** Content-Length, when the server gives one. */
  size: number | null;
  /** What changes when the object is replaced: its ETag, else Last-Modified and size. */
  version: string;
}

export interface RemoteBody {
  size: number | null;
  version: string;
  /** The bytes, streamed: at most maxBytes (more destroys the stream), idle at most timeoutMs. */
  stream: Readable;
}

class Failure extends Error {
  constructor(
    readonly detail: string,
    readonly tooLarge = false,
  ) {
    super(detail);
  }
}

/** Counts requests under way; the others wait, in order, as long as their deadline allows. */
class Limiter {
  private active = 0;
  private readonly waiting: { start: () => void }[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxWaiting: number,
  ) {}

  /** Resolves with a release function once a slot is free; rejects when the signal aborts first or too many wait. */
  acquire(signal: AbortSignal): Promise<() => void> {
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.active--;
      this.waiting.shift()?.start();
    };
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve(release);
    }
    const waiting = this.waiting.length;
    if (waiting >= this.maxWaiting) return Promise.reject(new Failure(`${waiting} image ${waiting === 1 ? 'fetch is' : 'fetches are'} already waiting for a turn`));
    return new Promise((resolve, reject) => {
      const entry = {
        start: () => {
          signal.removeEventListener('abort', onAbort);
          this.active++;
          resolve(release);
        },
      };
      const onAbort = () => {
        const at = this.waiting.indexOf(entry);
        if (at >= 0) this.waiting.splice(at, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(entry);
    });
  }
}

function versionOf(response: Response): string {
  const etag = response.headers.get('etag');
  if (etag) return `etag ${etag}`;
  return `modified ${response.headers.get('last-modified') ?? '?'} size ${response.headers.get('content-length') ?? '?'}`;
}

/** The body's length in bytes, when known (a compressed body's Content-Length is not: fetch decompresses it). */
function sizeOf(response: Response): number | null {
  const encoding = response.headers.get('content-encoding');
  if (encoding && encoding !== 'identity') return null;
  const length = response.headers.get('content-length');
  return length !== null && /^\d+$/.test(length) ? Number(length) : null;
}

/** A person's reading of why a request failed, for the server's log. */
function describeError(error: unknown, timeoutMs: number): string {
  if (error instanceof Failure) return error.detail;
  const name = (error as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? ` (${cause.message})` : ''}`;
  return (error as Error | undefined)?.message ?? String(error);
}

/**
 * Fetches images from http(s) servers and presigned S3 URLs, each request bounded: a deadline, a size cap, a number of
 * requests at once for the process. Nothing it does throws for the remote's sake: every answer, timeout or network
 * error becomes an outcome. Redirects are not followed (a redirect to an address inside the network would make the
 * server fetch what the image source should not reach): a 3xx is a failure naming it.
 */
export function createRemoteFetcher(settings: RemoteFetchSettings = DEFAULT_REMOTE_FETCH) {
  const limiter = new Limiter(settings.concurrency, settings.maxWaiting);

  /** Status checks shared by HEAD and GET: the response to use, or the outcome to give. */
  function classify(response: Response): RemoteOutcome<never> | null {
    if (response.ok) return null;
    if (response.status === 404 || response.status === 410) return { outcome: 'missing', detail: `answered ${response.status}` };
    if (response.status >= 300 && response.status < 400) {
      return { outcome: 'failed', detail: `answered ${response.status} (a redirect, not followed: give the final address as the image source)` };
    }
    return { outcome: 'failed', detail: `answered ${response.status} ${response.statusText}`.trimEnd() };
  }

  function tooLarge(size: number): Failure {
    return new Failure(`${size} bytes, more than the ${settings.maxBytes} bytes the server fetches`, true);
  }

  /**
   * A GET's headers checked: the outcome of a refusing status, or null to read on; throws when the declared size is
   * over the cap. The body of a response not read on is dropped.
   */
  async function refuseOrCheckSize(response: Response): Promise<RemoteOutcome<never> | null> {
    const refused = classify(response);
    const size = sizeOf(response);
    const tooBig = size !== null && size > settings.maxBytes;
    if (refused || tooBig) await response.body?.cancel().catch(() => {});
    if (refused) return refused;
    if (tooBig) throw tooLarge(size);
    return null;
  }

  /** Runs `work` in a slot, with a deadline covering the wait for the slot too. */
  async function bounded<T>(work: (signal: AbortSignal, release: () => void) => Promise<RemoteOutcome<T>>): Promise<RemoteOutcome<T>> {
    const signal = AbortSignal.timeout(settings.timeoutMs);
    let release: (() => void) | undefined;
    try {
      release = await limiter.acquire(signal);
      return await work(signal, release);
    } catch (error) {
      return { outcome: 'failed', detail: describeError(error, settings.timeoutMs), ...(error instanceof Failure && error.tooLarge ? { tooLarge: true } : {}) };
    } finally {
      release?.();
    }
  }

  return {
    settings,

    /** HEAD: whether the object is there, and its size and version. `url` may be computed (presigned) in the slot. */
    head(url: () => Promise<string>): Promise<RemoteOutcome<RemoteHead>> {
      return bounded(async (signal) => {
        const target = await url();
        const response = await fetch(target, { method: 'HEAD', signal, redirect: 'manual' });
        return classify(response) ?? { outcome: 'found', value: { size: sizeOf(response), version: versionOf(response) } };
      });
    },

    /** GET the whole object into memory (for sharp), within the deadline and the size cap. */
    bytes(url: () => Promise<string>): Promise<RemoteOutcome<{ bytes: Buffer; version: string }>> {
      return bounded(async (signal) => {
        const target = await url();
        const response = await fetch(target, { signal, redirect: 'manual' });
        const refused = await refuseOrCheckSize(response);
        if (refused) return refused;
        const chunks: Buffer[] = [];
        let read = 0;
        if (response.body) {
          const reader = response.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            read += value.length;
            if (read > settings.maxBytes) {
              await reader.cancel().catch(() => {});
              throw tooLarge(read);
            }
            chunks.push(Buffer.from(value.buffer, value.byteOffset, value.length));
          }
        }
        return { outcome: 'found', value: { bytes: Buffer.concat(chunks, read), version: versionOf(response) } };
      });
    },

    /**
     * GET the object as a stream (originals, passed through to the browser): the deadline runs until the headers, then
     * the body may be idle at most timeoutMs; its slot is freed once the headers are in (a slow reader holds no slot).
     */
    stream(url: () => Promise<string>): Promise<RemoteOutcome<RemoteBody>> {
      const controller = new AbortController();
      return bounded(async (signal, release) => {
        const abortOnDeadline = () => controller.abort(signal.reason);
        signal.addEventListener('abort', abortOnDeadline, { once: true });
        const target = await url();
        const response = await fetch(target, { signal: controller.signal, redirect: 'manual' });
        signal.removeEventListener('abort', abortOnDeadline);
        release();
        const refused = await refuseOrCheckSize(response);
        if (refused) return refused;
        const size = sizeOf(response);
        const reader = response.body?.getReader();
        let read = 0;
        let idle: NodeJS.Timeout | undefined;
        const stream = new Readable({
          read() {
            if (!reader) return void this.push(null);
            clearTimeout(idle);
            idle = setTimeout(() => this.destroy(new Error(`the image source sent nothing for ${settings.timeoutMs / 1000} s`)), settings.timeoutMs);
            reader.read().then(
              ({ done, value }) => {
                clearTimeout(idle);
                if (done) return void this.push(null);
                read += value.length;
                if (read > settings.maxBytes) return void this.destroy(tooLarge(read));
                this.push(Buffer.from(value.buffer, value.byteOffset, value.length));
              },
              (error: unknown) => {
                clearTimeout(idle);
                this.destroy(error as Error);
              },
            );
          },
          destroy(error, callback) {
            clearTimeout(idle);
            controller.abort();
            reader?.cancel().catch(() => {});
            callback(error);
          },
        });
        return { outcome: 'found', value: { size, version: versionOf(response), stream } };
      });
    },
  };
}
export type RemoteFetcher = ReturnType<typeof createRemoteFetcher>;
