import type { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { openDatabase } from '../../db/open-database';
import { sqliteDatabase } from '../../db/sqlite-engine';
import { importManifest } from '../../features/import/import-manifest';
import { addUser } from '../../features/users/add-user';
import { findRepoRoot } from '../../paths';
import { parsePort, serveDatabase, serveSettings } from './serve';

/** The demo's accounts. Their passwords are public (printed at every start): this is a demo, not a deployment. */
export const DEMO_ACCOUNTS = [
  { username: 'expert1', role: 'expert' },
  { username: 'expert2', role: 'expert' },
  { username: 'expert3', role: 'expert' },
  { username: 'lead', role: 'lead' },
  { username: 'admin', role: 'admin' },
].map((account) => ({ ...account, password: `bagel-${account.username}` }));

/** Creates the demo database: imports data/demo/manifest.json and adds the demo accounts. Leaves nothing behind on failure. */
export async function createDemoDatabase(dbFile: string, manifestPath: string, log: (message: string) => void = console.log): Promise<void> {
  log(`Creating the demo database ${dbFile} from ${manifestPath}`);
  const db = openDatabase(dbFile);
  try {
    const result = await importManifest(db, manifestPath, { onProgress: (message: string) => log(`  ${message}`) });
    log(`  imported "${result.projectName}": ${result.images} images, ${result.items} items to review, ${result.models} models`);
    // Exempt from the password rules: the demo admin's public password is shorter than an admin's minimum.
    for (const account of DEMO_ACCOUNTS) await addUser(sqliteDatabase(db), account, { demoAccount: true });
    db.close();
  } catch (error) {
    db.close();
    // A half-made demo database would be reused as is on the next start: remove it so the next start retries.
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    throw error;
  }
}

export function demoAccountsTable(): string {
  const width = Math.max(...DEMO_ACCOUNTS.map((a) => a.username.length)) + 2;
  return [
    'Demo accounts (demo passwords, public: never use them for real data):',
    `  ${'user'.padEnd(width)}${'role'.padEnd(8)}password`,
    ...DEMO_ACCOUNTS.map((a) => `  ${a.username.padEnd(width)}${a.role.padEnd(8)}${a.password}`),
  ].join('\n');
}

export function registerDemoCommand(program: Command): void {
  program
    .command('demo')
    .description('serve the demo project, creating its database from data/demo on first start')
    .option('--db <file>', 'SQLite database (default: data/demo.sqlite in the repository)')
    .option('--port <n>', 'port to listen on (default: $PORT or 8080)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .action(async (options: { db?: string; port?: number; host?: string }) => {
      const root = findRepoRoot();
      if (!root) throw new Error('cannot find the Bagel repository, which holds the demo data (data/demo)');
      const dbFile = resolve(options.db ?? join(root, 'data', 'demo.sqlite'));
      if (!existsSync(dbFile)) await createDemoDatabase(dbFile, join(root, 'data', 'demo', 'manifest.json'));
      // The limits and trusted proxies of `bagel serve`, from the environment (BAGEL_*).
      const url = await serveDatabase({ db: dbFile, port: options.port, host: options.host, logLevel: process.env.LOG_LEVEL ?? 'warn', ...serveSettings({}) });
      const shown = relative(process.cwd(), dbFile);
      console.log(`\nBagel demo (${shown.startsWith('..') ? dbFile : shown}) is running at ${url}\n`);
      console.log(demoAccountsTable());
      console.log('\nStop it with Ctrl+C.');
    });
}
