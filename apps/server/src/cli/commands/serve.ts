import { InvalidArgumentError, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildApp } from '../../app';
import { openDatabase } from '../../db/open-database';
import { builtWebAppDir, previewCacheDir } from '../../paths';
import { listen } from '../../server';

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

/** The address to show people: `localhost` reaches a server bound to the loopback or to every interface. */
export function browserUrl(address: { port: number; host: string }): string {
  const local = ['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(address.host);
  const host = local ? 'localhost' : address.host.includes(':') ? `[${address.host}]` : address.host;
  return `http://${host}:${address.port}`;
}

/** Opens the database and serves the API, plus the web app when it has been built. Returns the URL for a browser. */
export async function serveDatabase(
  options: { dbFile: string; imagesDir?: string; logLevel: string; previewCacheMb?: number } & ListenOptions,
): Promise<string> {
  const dbFile = resolve(options.dbFile);
  if (!existsSync(dbFile)) throw new Error(`database ${options.dbFile} does not exist (create it with \`bagel import MANIFEST.json --db ${options.dbFile}\`)`);
  if (options.imagesDir !== undefined && !existsSync(options.imagesDir)) throw new Error(`image folder ${options.imagesDir} does not exist`);
  const db = openDatabase(dbFile);
  const app = await buildApp({
    db,
    imagesDirOverride: options.imagesDir === undefined ? undefined : resolve(options.imagesDir),
    webDistDir: builtWebAppDir(),
    cacheDir: previewCacheDir(dbFile),
    previewCacheBytes: options.previewCacheMb === undefined ? undefined : options.previewCacheMb * 1024 ** 2,
    logger: { level: options.logLevel },
  });
  const address = listenAddress(options);
  const bound = await listen(app, { ...address, onClosed: () => db.close() });
  const port = Number(new URL(bound).port);
  return browserUrl({ host: address.host, port });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the API and the web app on a Bagel database')
    .requiredOption('--db <file>', 'SQLite database made by `bagel import`')
    .option('--images <dir>', "image folder to use instead of the one recorded at import")
    .option('--port <n>', 'port to listen on (default: $PORT or 8080)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .option('--preview-cache-mb <n>', 'disk space for rendered previews, least recently used removed first (default: $BAGEL_PREVIEW_CACHE_MB or 2048)', parseMegabytes)
    .action(async (options: { db: string; images?: string; port?: number; host?: string; previewCacheMb?: number }) => {
      const fromEnv = process.env.BAGEL_PREVIEW_CACHE_MB;
      const url = await serveDatabase({
        dbFile: options.db,
        imagesDir: options.images,
        port: options.port,
        host: options.host,
        logLevel: process.env.LOG_LEVEL ?? 'info',
        previewCacheMb: options.previewCacheMb ?? (fromEnv ? parseMegabytes(fromEnv) : undefined),
      });
      console.log(`Bagel is serving ${options.db} on ${url}`);
    });
}
