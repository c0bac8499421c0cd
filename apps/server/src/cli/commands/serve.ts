import { imageSourceText, parseImageSource } from '@bagel/contracts';
import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildApp } from '../../app';
import { connectDatabase } from '../../db/database';
import { describeDatabaseLocation, parseDatabaseLocation } from '../../db/database-location';
import { builtWebAppDir, previewCacheDir } from '../../paths';
import { DEFAULT_SERVER_LIMITS, type ServerLimits } from '../../plugins/connection-limits';
import { keepHeapNearLiveSize } from '../../lib/heap-growth';
import { listen } from '../../server';
import { databaseOption } from '../database-option';

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  return port;
}

/** `--preview-cache-mb`: a whole number of megabytes (MiB), 0 to keep no previews on disk. */
export function parseMegabytes(value: string): number {
  if (!/^(0|[1-9][0-9]{0,8})$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number of megabytes`);
  return Number(value);
}

export interface ListenOptions {
  port?: number;
  host?: string;
}

/** --port, else $PORT, else 8080; --host, else $HOST, else 127.0.0.1 (only this machine: say --host 0.0.0.0 to share). */
export function listenAddress(options: ListenOptions): { port: number; host: string } {
  return { port: options.port ?? (process.env.PORT ? parsePort(process.env.PORT) : 8080), host: options.host ?? process.env.HOST ?? '127.0.0.1' };
}

/**
 * The address to show people: the host the server is bound to (127.0.0.1 stays 127.0.0.1, an IPv6 address gets its
 * brackets); bound to every interface (0.0.0.0, ::), `localhost`, which reaches it from this machine.
 */
export function browserUrl(address: { port: number; host: string }): string {
  const everywhere = ['0.0.0.0', '::'].includes(address.host);
  const host = everywhere ? 'localhost' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

/** Whole seconds, at least 1 (a timeout). */
export function parseSeconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError(`"${value}" is not a number of seconds (1 or more)`);
  return Number(value);
}

/** A count of connections: 1 or more (with `zero`, 0 too). */
export function parseCount(value: string, zero = false): number {
  if (!/^\d+$/.test(value) || (!zero && Number(value) < 1)) throw new InvalidArgumentError(`"${value}" is not a whole number (${zero ? 0 : 1} or more)`);
  return Number(value);
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The trusted proxies: IP addresses or CIDR ranges, or the names `loopback` (127.0.0.1/8, ::1), `linklocal` and
 * `uniquelocal` (the private ranges), comma-separated. The flag alone means `loopback`: a proxy on this machine.
 */
export function parseTrustProxy(value: string | true): string {
  if (value === true) return 'loopback';
  const entries = value.split(',').map((entry) => entry.trim());
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const version = isIP(address);
    const prefixOk = prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (!PROXY_NAMES.includes(entry) && (version === 0 || !prefixOk || extra !== undefined)) {
      throw new InvalidArgumentError(`"${entry}" is not an IP address, a CIDR range (10.0.0.0/8) or one of ${PROXY_NAMES.join(', ')}`);
    }
  }
  return entries.join(',');
}

export interface ServeLimitFlags {
  requestTimeout?: number;
  keepAliveTimeout?: number;
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  trustProxy?: string | true;
}

/** Reads an environment variable with a flag's parser, naming the variable when its value is wrong. */
function fromEnv<T>(env: NodeJS.ProcessEnv, name: string, parse: (value: string) => T): T | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return parse(value);
  } catch (error) {
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * The server's limits and trusted proxies from the flags, else the environment (BAGEL_REQUEST_TIMEOUT,
 * BAGEL_KEEP_ALIVE_TIMEOUT, BAGEL_MAX_CONNECTIONS, BAGEL_MAX_CONNECTIONS_PER_ADDRESS, BAGEL_TRUST_PROXY), else the
 * defaults. Behind a trusted proxy every connection comes from the proxy, so there the per-address cap is off unless
 * given, and keep-alive lasts 75 s unless given, longer than the 60 s a proxy commonly keeps an idle upstream
 * connection (a proxy must not reuse a connection the server is closing).
 */
export function serveSettings(flags: ServeLimitFlags, env: NodeJS.ProcessEnv = process.env): { limits: Partial<ServerLimits>; trustProxy?: string } {
  const trustProxyFromEnv = fromEnv(env, 'BAGEL_TRUST_PROXY', (value) =>
    /^(1|true|yes|on)$/i.test(value) ? parseTrustProxy(true) : /^(0|false|no|off)$/i.test(value) ? undefined : parseTrustProxy(value),
  );
  const trustProxy = flags.trustProxy === undefined ? trustProxyFromEnv : parseTrustProxy(flags.trustProxy);
  const requestTimeout = flags.requestTimeout ?? fromEnv(env, 'BAGEL_REQUEST_TIMEOUT', parseSeconds);
  const keepAliveTimeout = flags.keepAliveTimeout ?? fromEnv(env, 'BAGEL_KEEP_ALIVE_TIMEOUT', parseSeconds) ?? (trustProxy ? 75 : undefined);
  const maxConnections = flags.maxConnections ?? fromEnv(env, 'BAGEL_MAX_CONNECTIONS', (value) => parseCount(value));
  const maxConnectionsPerAddress =
    flags.maxConnectionsPerAddress ?? fromEnv(env, 'BAGEL_MAX_CONNECTIONS_PER_ADDRESS', (value) => parseCount(value, true)) ?? (trustProxy ? 0 : undefined);
  const limits: Partial<ServerLimits> = {};
  if (requestTimeout !== undefined) limits.requestTimeoutMs = requestTimeout * 1000;
  if (keepAliveTimeout !== undefined) limits.keepAliveTimeoutMs = keepAliveTimeout * 1000;
  if (maxConnections !== undefined) limits.maxConnections = maxConnections;
  if (maxConnectionsPerAddress !== undefined) limits.maxConnectionsPerAddress = maxConnectionsPerAddress;
  return { limits, ...(trustProxy ? { trustProxy } : {}) };
}

/**
 * `--images`: a folder (which must exist; made absolute), an https:// or http:// base URL, or s3://bucket/prefix,
 * checked at once so that a typo stops the server rather than shows every image missing.
 */
export function imageSourceOverride(text: string): string {
  const parsed = parseImageSource(text);
  if (!parsed.ok) throw new Error(`--images: ${parsed.problem}`);
  if (parsed.source.kind !== 'folder') return imageSourceText(parsed.source);
  if (!existsSync(text)) throw new Error(`image folder ${text} does not exist`);
  return resolve(text);
}

/** Opens the database and serves the API, plus the web app when it has been built. Returns the URL for a browser. */
export async function serveDatabase(
  options: {
    /** A SQLite file or a postgres:// URL (`--db`). */
    db: string;
    imagesDir?: string;
    /** Where rendered previews are kept; by default beside a SQLite file, or in the system's temporary folder. */
    cacheDir?: string;
    logLevel: string;
    previewCacheMb?: number;
    limits?: Partial<ServerLimits>;
    trustProxy?: string;
  } & ListenOptions,
): Promise<string> {
  const location = parseDatabaseLocation(options.db);
  if (location.engine === 'sqlite' && !existsSync(location.file)) {
    throw new Error(`database ${options.db} does not exist (create it with \`bagel import MANIFEST.json --db ${options.db}\`)`);
  }
  const imagesOverride = options.imagesDir === undefined ? undefined : imageSourceOverride(options.imagesDir);
  // Before the reader threads start: a served process's resident memory follows its live heap (lib/heap-growth.ts).
  keepHeapNearLiveSize();
  const database = await connectDatabase(location.engine === 'sqlite' ? { engine: 'sqlite', file: resolve(location.file) } : location);
  const cacheDir = options.cacheDir ?? (location.engine === 'sqlite' ? previewCacheDir(resolve(location.file)) : join(tmpdir(), 'bagel-preview-cache'));
  const app = await buildApp({
    database,
    imagesDirOverride: imagesOverride,
    webDistDir: builtWebAppDir(),
    cacheDir,
    previewCacheBytes: options.previewCacheMb === undefined ? undefined : options.previewCacheMb * 1024 ** 2,
    logger: { level: options.logLevel },
    limits: options.limits,
    trustProxy: options.trustProxy,
  });
  const address = listenAddress(options);
  const bound = await listen(app, { ...address, onClosed: () => database.close() });
  const port = Number(new URL(bound).port);
  return browserUrl({ host: address.host, port });
}

export function registerServeCommand(program: Command): void {
  const d = DEFAULT_SERVER_LIMITS;
  program
    .command('serve')
    .description('serve the API and the web app on a Bagel database')
    .addOption(databaseOption('database: a SQLite file made by `bagel import`, or a postgres:// URL').makeOptionMandatory())
    .option('--images <source>', 'image folder, https:// or http:// base URL, or s3://bucket/prefix to use instead of the one recorded at import')
    .option('--port <n>', 'port to listen on (default: $PORT or 8080)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option(
      '--trust-proxy [addresses]',
      'behind a reverse proxy: take the client address and https from X-Forwarded-For/-Proto sent by these proxies (IPs, CIDRs, loopback; the flag alone: loopback) (default: $BAGEL_TRUST_PROXY, else trust none)',
      (value: string) => parseTrustProxy(value),
    )
    .option('--request-timeout <seconds>', `a request (headers and body) must arrive within this (default: $BAGEL_REQUEST_TIMEOUT or ${d.requestTimeoutMs / 1000})`, parseSeconds)
    .option(
      '--keep-alive-timeout <seconds>',
      `an idle keep-alive connection closes after this (default: $BAGEL_KEEP_ALIVE_TIMEOUT or ${d.keepAliveTimeoutMs / 1000}; 75 with --trust-proxy)`,
      parseSeconds,
    )
    .option('--max-connections <n>', `connections open at once; keep well under ulimit -n (default: $BAGEL_MAX_CONNECTIONS or ${d.maxConnections})`, (value) => parseCount(value))
    .option(
      '--max-connections-per-address <n>',
      `connections open at once from one address, 0 for no limit (default: $BAGEL_MAX_CONNECTIONS_PER_ADDRESS or ${d.maxConnectionsPerAddress}; 0 with --trust-proxy)`,
      (value) => parseCount(value, true),
    )
    .option('--cache-dir <dir>', 'where rendered previews are kept (default: $BAGEL_CACHE_DIR, else beside a SQLite file, or in the temporary folder)')
    .option('--preview-cache-mb <n>', 'disk space for rendered previews, least recently used removed first (default: $BAGEL_PREVIEW_CACHE_MB or 2048)', parseMegabytes)
    .action(async (options: { db: string; images?: string; cacheDir?: string; port?: number; host?: string; previewCacheMb?: number } & ServeLimitFlags) => {
      const { limits, trustProxy } = serveSettings(options);
      const fromEnv = process.env.BAGEL_PREVIEW_CACHE_MB;
      const url = await serveDatabase({
        db: options.db,
        imagesDir: options.images,
        cacheDir: options.cacheDir ?? process.env.BAGEL_CACHE_DIR,
        port: options.port,
        host: options.host,
        logLevel: process.env.LOG_LEVEL ?? 'info',
        previewCacheMb: options.previewCacheMb ?? (fromEnv ? parseMegabytes(fromEnv) : undefined),
        limits,
        trustProxy,
      });
      console.log(`Bagel is serving ${describeDatabaseLocation(parseDatabaseLocation(options.db))} on ${url}${trustProxy ? ` (trusting X-Forwarded-* from ${trustProxy})` : ''}`);
    });
}
