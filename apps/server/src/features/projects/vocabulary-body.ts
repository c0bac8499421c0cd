import { VocabularyResponse } from '@bagel/contracts';
import type { Vocabulary } from '@bagel/core';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';

/** The content codings the class list is sent in. */
export type ContentCoding = 'br' | 'gzip' | 'identity';

/**
 * A project's class list as the API sends it (GET /api/projects/:projectId/classes), made once per vocabulary: its
 * JSON, checked against the contract as the route's serializer would, its digest, and its compressed copies, each
 * made on first demand in libuv's thread pool (never on the event loop) and kept. With 21,841 classes the JSON is
 * about 4 MB: serializing and compressing it on every request would hold every other request for tens of
 * milliseconds each time.
 */
export interface VocabularyBody {
  /** A digest of the JSON (hex, 128 bits): it changes exactly when the class list does. */
  readonly digest: string;
  /** The strong entity tag of the body in a coding (a coding's bytes are another representation, so another tag). */
  etag(coding: ContentCoding): string;
  encoded(coding: ContentCoding): Promise<Buffer>;
}

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

/** Brotli 5 and gzip 6: 21,841 classes in about 0.2 s of a worker thread, once; Brotli 11 would take 10 s for 40% less. */
const compress: Record<Exclude<ContentCoding, 'identity'>, (json: Buffer) => Promise<Buffer>> = {
  br: (json) =>
    brotliAsync(json, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: json.length },
    }),
  gzip: (json) => gzipAsync(json, { level: 6 }),
};

const bodies = new WeakMap<Vocabulary, VocabularyBody>();

/** The body of a vocabulary (a catalog entry's: a new entry, read after a change, gets a new body). */
export function vocabularyBody(vocabulary: Vocabulary): VocabularyBody {
  let body = bodies.get(vocabulary);
  if (!body) {
    const json = Buffer.from(JSON.stringify(VocabularyResponse.parse({ classes: vocabulary.classes })));
    const digest = createHash('sha256').update(json).digest('hex').slice(0, 32);
    const made = new Map<ContentCoding, Promise<Buffer>>([['identity', Promise.resolve(json)]]);
    body = {
      digest,
      etag: (coding) => `"${digest}${coding === 'identity' ? '' : `-${coding}`}"`,
      encoded(coding) {
        let bytes = made.get(coding);
        if (!bytes) {
          bytes = compress[coding as Exclude<ContentCoding, 'identity'>](json);
          // A failure is not kept: the next request tries again.
          bytes.catch(() => made.delete(coding));
          made.set(coding, bytes);
        }
        return bytes;
      },
    };
    bodies.set(vocabulary, body);
  }
  return body;
}

/**
 * The coding to send for an Accept-Encoding header: Brotli, else gzip, among those the client accepts (a q of 0
 * refuses one; `*` stands for any not named), else none.
 */
export function preferredCoding(acceptEncoding: string | undefined): ContentCoding {
  if (!acceptEncoding) return 'identity';
  const weights = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    if (name) weights.set(name.trim(), q === undefined ? 1 : Number(q));
  }
  const accepted = (coding: string) => (weights.get(coding) ?? weights.get('*') ?? 0) > 0;
  return accepted('br') ? 'br' : accepted('gzip') ? 'gzip' : 'identity';
}

/**
 * Whether an If-None-Match header names the body (any of its codings: each decodes to the same class list), or is
 * `*`. Weak comparison, as RFC 9110 asks of If-None-Match: a `W/` tag matches too.
 */
export function noneMatchHolds(ifNoneMatch: string | undefined, body: VocabularyBody): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === '*' || /^"([0-9a-f]{32})(?:-(?:br|gzip))?"$/.exec(tag)?.[1] === body.digest;
  });
}
