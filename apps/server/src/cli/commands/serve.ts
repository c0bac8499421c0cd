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

/** Opens the database and serves the API, plus the web app when it has been built. Returns the URL for a browser. */
export async function serveDatabase(options: { dbFile: string; imagesDir?: string; logLevel: string } & ListenOptions): Promise<string> {
  const dbFile = resolve(options.dbFile);
  if (!existsSync(dbFile)) throw new Error(`database ${options.dbFile} does not exist (create it with \`bagel import MANIFEST.json --db ${options.dbFile}\`)`);
  if (options.imagesDir !== undefined && !existsSync(options.imagesDir)) throw new Error(`image folder ${options.imagesDir} does not exist`);
  const db = openDatabase(dbFile);
  const app = await buildApp({
    db,
    imagesDirOverride: options.imagesDir === undefined ? undefined : resolve(options.imagesDir),
    webDistDir: builtWebAppDir(),
    cacheDir: previewCacheDir(dbFile),
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
    .action(async (options: { db: string; images?: string; port?: number; host?: string }) => {
      const url = await serveDatabase({ dbFile: options.db, imagesDir: options.images, port: options.port, host: options.host, logLevel: process.env.LOG_LEVEL ?? 'info' });
      console.log(`Bagel is serving ${options.db} on ${url}`);
    });
}
