import { parseImageSource, type ImageSourceLocation } from '@bagel/contracts';
import { imagePathProblem } from '@bagel/core';
import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { ApiError, forbidden } from '../../plugins/errors';
import { locateImageFile, resolveImageFile } from './image-files';
import { createRemoteFetcher, type RemoteFetcher, type RemoteOutcome } from './remote-fetch';

/** An image found at its source, ready for the preview cache. */
export interface FoundImage {
  /** Changes when the image is replaced: part of the preview's cache key. */
  version: string;
  /** What sharp reads: the file's path in a folder, else the fetched bytes. Throws an ApiError when it cannot. */
  input(): Promise<string | Buffer>;
  /** Where it is, for the server's log (a path, a URL, s3://bucket/key; never a presigned URL). */
  location: string;
}

export interface OriginalImage {
  stream: Readable;
  /** Bytes, when known beforehand. */
  size: number | null;
}

/** What the import's check found: the image, nothing, or a failure (a timeout, an error status, a network error). */
export type ImageCheck = { outcome: 'found' } | { outcome: 'missing' } | { outcome: 'failed'; detail: string };

/**
 * Where a project's image files are: a folder on this server, a base URL or an S3-compatible bucket. The methods that
 * serve an image throw ApiErrors whose messages name the file as the project records it, never the folder, URL or
 * bucket (those go to the log as `serverDetail`): 403 for a name that would leave the source, 404 for a missing
 * image and for one the source fails to give (IMAGE_UNAVAILABLE), 422 for one too large to fetch.
 */
export interface ImageSource {
  readonly kind: ImageSourceLocation['kind'];
  /** The source's canonical text (what projects.image_dir records). */
  readonly text: string;
  /**
   * Whether the review screen may show the image, answered at once: a folder is looked at (a stat); a remote source
   * answers from what it learnt lately (a 404 or a failure seen in the last minute), never asking the network.
   */
  available(file: string): boolean;
  /** Finds the image (a stat, or a HEAD remembered for a few minutes). */
  find(file: string): Promise<FoundImage>;
  /** The original's bytes as a stream. */
  original(file: string): Promise<OriginalImage>;
  /** The import's check. Never throws. */
  check(file: string): Promise<ImageCheck>;
}

export interface ImageSourceOptions {
  /** Where a relative folder is (the manifest's folder; the current one for `bagel serve --images`). */
  baseDir?: string;
  /** The S3 endpoint, region and credentials: AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, AWS_REGION, AWS_ACCESS_KEY_ID, … */
  env?: NodeJS.ProcessEnv;
  /** Shared by every source of the process, so that its bounds hold for all of them together. */
  fetcher?: RemoteFetcher;
}

/** A malformed source text (ImageSourceError.message says what is wrong with it). */
export class ImageSourceError extends Error {}

/** Reads a source's text and makes the source. Throws ImageSourceError for a malformed one. */
export function createImageSource(text: string, options: ImageSourceOptions = {}): ImageSource {
  const parsed = parseImageSource(text);
  if (!parsed.ok) throw new ImageSourceError(parsed.problem);
  const { source } = parsed;
  switch (source.kind) {
    case 'folder':
      return folderSource(resolve(options.baseDir ?? '.', source.path));
    case 'http':
      return remoteSource('http', source.baseUrl, httpLocator(source.baseUrl), options.fetcher ?? createRemoteFetcher());
    case 's3':
      return remoteSource('s3', `s3://${source.bucket}/${source.prefix}`, s3Locator(source.bucket, source.prefix, options.env ?? process.env), options.fetcher ?? createRemoteFetcher());
  }
}

// ---------------------------------------------------------------------------------------------------------------
// A folder on this server: as it always was (image-files.ts confines every name to the real folder).

function folderSource(dir: string): ImageSource {
  return {
    kind: 'folder',
    text: dir,
    available: (file) => locateImageFile(dir, file).found,
    async find(file) {
      const { path, stats } = resolveImageFile(dir, file);
      return { version: `${Math.trunc(stats.mtimeMs)}-${stats.size}`, input: async () => path, location: path };
    },
    async original(file) {
      const { path, stats } = resolveImageFile(dir, file);
      // Opened before answering: a file removed since it was found is a clean 404, not a stream failing mid-answer.
      try {
        const handle = await open(path, 'r');
        return { stream: handle.createReadStream(), size: stats.size };
      } catch (error) {
        throw new ApiError(404, `The image file "${file}" is missing from the image folder`, 'NOT_FOUND', {}, { serverDetail: (error as Error).message });
      }
    },
    // As the import always checked: a stat of the file (its name was checked by the reader of the labels). Resolving
    // links as `find` does would cost five times as much for a large import; a link leading outside is refused then.
    async check(file) {
      return statSync(join(dir, file), { throwIfNoEntry: false })?.isFile() ? { outcome: 'found' } : { outcome: 'missing' };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Behind URLs and in buckets.

/**
 * How a remote source names a file: its key from its checked path segments (null: outside the source), the key's
 * location for the log, and the URL to fetch it (presigned for S3) per method.
 */
interface Locator {
  key(segments: readonly string[]): string | null;
  location(key: string): string;
  url(key: string, method: 'HEAD' | 'GET', expiresInSeconds?: number): Promise<string>;
}

/**
 * The file's path below the source, each segment checked (no `..`, `.` or empty segment, no absolute path, no
 * backslash, no control character) — or null. Percent-encoding each segment then keeps `?`, `#`, `%` and a
 * `scheme:` inside the name: nothing in a file name can change which server or path is asked.
 */
function safeSegments(file: string): string[] | null {
  if (imagePathProblem(file) !== null || /[\u0000-\u001f\u007f]/.test(file)) return null;
  return file.split('/');
}

/** For a base URL, a file's key is its URL: the base followed by each segment percent-encoded. */
function httpLocator(baseUrl: string): Locator {
  return {
    key(segments) {
      const url = new URL(segments.map(encodeURIComponent).join('/'), baseUrl).href;
      // Belt and braces: encoded segments cannot climb out of the base, and this says so.
      return url.startsWith(baseUrl) ? url : null;
    },
    location: (key) => key,
    url: async (key) => key,
  };
}

/** The keys of a bucket: requests go to presigned URLs (signed here, no round trip), through the same bounded fetcher. */
function s3Locator(bucket: string, prefix: string, env: NodeJS.ProcessEnv): Locator {
  let presigner: Promise<S3Presigner> | undefined;
  return {
    // The SDK encodes the key into the URL's path.
    key: (segments) => prefix + segments.join('/'),
    location: (key) => `s3://${bucket}/${key}`,
    // A request's URL is used at once: a quarter of an hour covers a clock some minutes off.
    url: async (key, method, expiresInSeconds = 900) => (await (presigner ??= createS3Presigner(env)))(bucket, key, method, expiresInSeconds),
  };
}

type S3Presigner = (bucket: string, key: string, method: 'HEAD' | 'GET', expiresInSeconds: number) => Promise<string>;

/**
 * Signs S3 requests with the AWS SDK, configured from `env` as the SDK reads it: the endpoint from AWS_ENDPOINT_URL_S3
 * or AWS_ENDPOINT_URL (then path-style addressing, as MinIO and other S3-compatible servers want), the region from
 * AWS_REGION or AWS_DEFAULT_REGION (us-east-1 without), the credentials from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN, else the SDK's own chain (profiles, SSO, instance roles). The SDK is loaded only when a bucket is used.
 */
async function createS3Presigner(env: NodeJS.ProcessEnv): Promise<S3Presigner> {
  const [{ S3Client, GetObjectCommand, HeadObjectCommand }, { getSignedUrl }] = await Promise.all([
    import('@aws-sdk/client-s3'),
    import('@aws-sdk/s3-request-presigner'),
  ]);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const client = new S3Client({
    region: env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
    ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
    ...(env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
      ? { credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined } }
      : {}),
  });
  return (bucket, key, method, expiresIn) =>
    getSignedUrl(client, method === 'HEAD' ? new HeadObjectCommand({ Bucket: bucket, Key: key }) : new GetObjectCommand({ Bucket: bucket, Key: key }), { expiresIn });
}

/** How long a remote source trusts what it learnt of an image: found (its version), missing, failed. */
export const REMOTE_MEMORY_MS = { found: 5 * 60_000, missing: 60_000, failed: 15_000 };
/** Images remembered per source (each a few hundred bytes); the oldest are forgotten first. */
const REMEMBERED = 50_000;

type Learnt = { state: 'found'; version: string; until: number } | { state: 'missing' | 'failed'; detail: string; tooLarge?: boolean; until: number };

export interface RemoteImageSource extends ImageSource {
  /** A URL that GETs the file for `expiresInSeconds` without credentials (S3 only). Throws 403 for a name that would leave the source. */
  presignedUrl?(file: string, expiresInSeconds: number): Promise<string>;
}

function remoteSource(kind: 'http' | 's3', text: string, locator: Locator, fetcher: RemoteFetcher): RemoteImageSource {
  const learnt = new Map<string, Learnt>();
  const timeoutS = fetcher.settings.timeoutMs / 1000;

  /** The key (S3) or URL (http) of a file, or null for a name that would leave the source. */
  function keyOf(file: string): string | null {
    const segments = safeSegments(file);
    return segments && locator.key(segments);
  }

  function outside(file: string): ApiError {
    return forbidden(`The image file "${file}" is outside the project's image source`);
  }

  function remember(file: string, entry: Learnt): void {
    learnt.delete(file);
    learnt.set(file, entry);
    if (learnt.size > REMEMBERED) learnt.delete(learnt.keys().next().value!);
  }

  function recall(file: string): Learnt | undefined {
    const entry = learnt.get(file);
    if (entry && entry.until <= Date.now()) {
      learnt.delete(file);
      return undefined;
    }
    return entry;
  }

  /** Records what a request found; answers the found value, or throws the ApiError a missing or failing image gets. */
  function settle<T extends { version: string }>(file: string, key: string, outcome: RemoteOutcome<T>): T {
    const now = Date.now();
    if (outcome.outcome === 'found') {
      remember(file, { state: 'found', version: outcome.value.version, until: now + REMOTE_MEMORY_MS.found });
      return outcome.value;
    }
    const entry: Learnt =
      outcome.outcome === 'missing'
        ? { state: 'missing', detail: outcome.detail, until: now + REMOTE_MEMORY_MS.missing }
        : { state: 'failed', detail: outcome.detail, tooLarge: outcome.tooLarge, until: now + REMOTE_MEMORY_MS.failed };
    remember(file, entry);
    throw unavailable(file, key, entry);
  }

  function unavailable(file: string, key: string, entry: Extract<Learnt, { state: 'missing' | 'failed' }>): ApiError {
    const serverDetail = `${locator.location(key)}: ${entry.detail}`;
    if (entry.state === 'missing') return new ApiError(404, `The image file "${file}" is missing from the image source`, 'NOT_FOUND', {}, { serverDetail });
    if (entry.tooLarge) {
      return new ApiError(422, `The image file "${file}" is larger than the ${fetcher.settings.maxBytes / 1024 ** 2} MiB the server fetches`, 'IMAGE_TOO_LARGE', {}, { serverDetail });
    }
    return new ApiError(
      404,
      `The image file "${file}" could not be fetched from the image source (it failed or did not answer within ${timeoutS} s); try again later`,
      'IMAGE_UNAVAILABLE',
      {},
      { serverDetail },
    );
  }

  function keyOrThrow(file: string): string {
    const key = keyOf(file);
    if (key === null) throw outside(file);
    return key;
  }

  /** The bytes for sharp. */
  async function bytes(file: string, key: string): Promise<Buffer> {
    return settle(file, key, await fetcher.bytes(() => locator.url(key, 'GET'))).bytes;
  }

  return {
    kind,
    text,
    available(file) {
      if (keyOf(file) === null) return false;
      const entry = recall(file);
      return entry === undefined || entry.state === 'found';
    },
    async find(file) {
      const key = keyOrThrow(file);
      let entry = recall(file);
      if (entry === undefined) {
        settle(file, key, await fetcher.head(() => locator.url(key, 'HEAD')));
        entry = recall(file)!;
      }
      if (entry.state !== 'found') throw unavailable(file, key, entry);
      const location = locator.location(key);
      // The location is in the version: the same file name at another source (`--images`) is another preview.
      const version = `r${createHash('sha256').update(`${location}\n${entry.version}`).digest('hex').slice(0, 20)}`;
      return { version, input: () => bytes(file, key), location };
    },
    async original(file) {
      const key = keyOrThrow(file);
      const entry = recall(file);
      if (entry && entry.state !== 'found') throw unavailable(file, key, entry);
      const { stream, size } = settle(file, key, await fetcher.stream(() => locator.url(key, 'GET')));
      return { stream, size };
    },
    async check(file) {
      const key = keyOf(file);
      if (key === null) return { outcome: 'missing' };
      const outcome = await fetcher.head(() => locator.url(key, 'HEAD'));
      try {
        settle(file, key, outcome);
      } catch {
        // Recorded; the import wants the outcome, not an answer.
      }
      return outcome.outcome === 'failed' ? { outcome: 'failed', detail: `${locator.location(key)}: ${outcome.detail}` } : { outcome: outcome.outcome };
    },
    ...(kind === 's3'
      ? {
          presignedUrl: async (file: string, expiresInSeconds: number) => locator.url(keyOrThrow(file), 'GET', expiresInSeconds),
        }
      : {}),
  };
}
