/**
 * Where a project's image files are: a folder on the server, a base URL (`https://…`, `http://…`) or an S3-compatible
 * bucket (`s3://bucket/prefix`). The manifest's `images.dir` and `bagel serve --images` take any of the three as text;
 * the project records the canonical text (projects.image_dir). Pure parsing: no I/O, so the manifest schema checks it.
 */
export type ImageSourceLocation =
  | { kind: 'folder'; path: string }
  /** The base URL, ending with `/`; a file's URL is the base followed by its path, each segment percent-encoded. */
  | { kind: 'http'; baseUrl: string }
  /** The key prefix is empty or ends with `/`; a file's key is the prefix followed by its path. */
  | { kind: 's3'; bucket: string; prefix: string };

export type ParsedImageSource = { ok: true; source: ImageSourceLocation } | { ok: false; problem: string };

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
/** S3's rules for bucket names: 3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit. */
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The WHATWG URL parser, a global wherever Bagel runs (Node, browsers); this package's types name no runtime. */
interface ParsedUrl {
  href: string;
  host: string;
  hostname: string;
  username: string;
  password: string;
  pathname: string;
}
declare const URL: new (input: string) => ParsedUrl;

const fail = (problem: string): ParsedImageSource => ({ ok: false, problem });

/**
 * Reads an image source. Anything with a scheme (`name://`) or starting with `s3:`, `http:` or `https:` is taken for
 * a URL and must be a valid one of the three kinds; anything else is a folder path (relative paths are the caller's
 * to resolve).
 */
export function parseImageSource(text: string): ParsedImageSource {
  if (text.trim() === '') return fail('the image source is empty');
  if (text !== text.trim()) return fail(`"${text}" starts or ends with a space`);
  if (CONTROL.test(text)) return fail('the image source contains a control character');
  const scheme = SCHEME.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined) {
    if (/^(s3|https?):/i.test(text)) return fail(`"${text}" is not a valid URL: write s3://bucket/prefix, https://host/path or http://host/path`);
    return { ok: true, source: { kind: 'folder', path: text } };
  }
  if (scheme === 's3') return parseS3(text);
  if (scheme === 'http' || scheme === 'https') return parseHttp(text);
  return fail(`"${scheme}://" is not an image source Bagel reads: give a folder, an https:// or http:// base URL, or s3://bucket/prefix`);
}

function parseHttp(text: string): ParsedImageSource {
  let url: ParsedUrl;
  try {
    url = new URL(text);
  } catch {
    return fail(`"${text}" is not a valid URL`);
  }
  if (url.hostname === '') return fail(`"${text}" names no host`);
  if (url.username !== '' || url.password !== '') return fail(`"${url.host}": a user name or password in the image source URL is not supported (it would be stored in the database)`);
  if (text.includes('?') || text.includes('#')) return fail(`"${text}": a base URL of images takes no query (?) or fragment (#); file names are appended to its path`);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return { ok: true, source: { kind: 'http', baseUrl: url.href } };
}

function parseS3(text: string): ParsedImageSource {
  const rest = text.slice('s3://'.length);
  if (rest.includes('?') || rest.includes('#')) return fail(`"${text}": an s3:// source takes no query (?) or fragment (#): write s3://bucket/prefix`);
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const prefix = slash < 0 ? '' : rest.slice(slash + 1);
  if (bucket === '') return fail(`"${text}" names no bucket: write s3://bucket/prefix`);
  if (!BUCKET.test(bucket) || bucket.includes('..')) {
    return fail(`"${bucket}" is not a bucket name (3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit)`);
  }
  const segments = prefix.replace(/\/$/, '').split('/');
  if (prefix !== '' && segments.some((segment) => segment === '' || segment === '.' || segment === '..')) {
    return fail(`"${text}": the key prefix "${prefix}" has an empty, "." or ".." folder name`);
  }
  return { ok: true, source: { kind: 's3', bucket, prefix: prefix === '' ? '' : `${segments.join('/')}/` } };
}

/** The canonical text of a source (what a project records): a folder as given, a URL with its final `/`. */
export function imageSourceText(source: ImageSourceLocation): string {
  switch (source.kind) {
    case 'folder':
      return source.path;
    case 'http':
      return source.baseUrl;
    case 's3':
      return `s3://${source.bucket}/${source.prefix}`;
  }
}
