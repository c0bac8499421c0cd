import type { Command } from 'commander';
import { existsSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { connectDatabase, type Database } from '../../db/database';
import { describeDatabaseLocation, parseDatabaseLocation } from '../../db/database-location';
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
    await fillDemoDatabase(sqliteDatabase(db), manifestPath, log);
    db.close();
  } catch (error) {
    db.close();
    // A half-made demo database would be reused as is on the next start: remove it so the next start retries.
    for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
    throw error;
  }
}

/** Imports the demo's manifest into `database` and adds the demo accounts. */
async function fillDemoDatabase(database: Database, manifestPath: string, log: (message: string) => void): Promise<void> {
  const result = await importManifest(database, manifestPath, { onProgress: (message: string) => log(`  ${message}`) });
  log(`  imported "${result.projectName}": ${result.images} images, ${result.items} items to review, ${result.models} models`);
  // Exempt from the password rules: the demo admin's public password is shorter than an admin's minimum.
  for (const account of DEMO_ACCOUNTS) await addUser(database, account, { demoAccount: true });
}

/**
 * The demo on a PostgreSQL database: filled on first start, when it holds no project and no user (the import is all
 * or nothing; a start that failed after it, adding the accounts, is told to use an empty database). Refused when the
 * database holds anything else: the demo's public passwords never go into a database with real data.
 */
export async function prepareDemoOnPostgres(url: string, manifestPath: string, log: (message: string) => void = console.log): Promise<void> {
  const database = await connectDatabase({ engine: 'postgres', url });
  try {
    const projects = await database.queries.selectFrom('projects').select('name').execute();
    const users = await database.queries.selectFrom('users').select('username').execute();
    const demoUsers = new Set(DEMO_ACCOUNTS.map((a) => a.username));
    const isDemo = projects.length === 1 && users.length === DEMO_ACCOUNTS.length && users.every((u) => demoUsers.has(u.username));
    if (isDemo) return;
    if (projects.length > 0 || users.length > 0) {
      throw new Error(
        `the database ${describeDatabaseLocation({ engine: 'postgres', url })} holds other data (${projects.length} projects, ${users.length} users): the demo, whose passwords are public, needs an empty database`,
      );
    }
    log(`Creating the demo in ${describeDatabaseLocation({ engine: 'postgres', url })} from ${manifestPath}`);
    await fillDemoDatabase(database, manifestPath, log);
  } finally {
    await database.close();
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
    .option('--db <file|url>', 'SQLite database, or an empty PostgreSQL database (postgres://…) (default: data/demo.sqlite in the repository)')
    .option('--port <n>', 'port to listen on (default: $PORT or 8080)', parsePort)
    .option('--host <host>', 'address to listen on (default: $HOST or 127.0.0.1)')
    .action(async (options: { db?: string; port?: number; host?: string }) => {
      const root = findRepoRoot();
      if (!root) throw new Error('cannot find the Bagel repository, which holds the demo data (data/demo)');
      const manifest = join(root, 'data', 'demo', 'manifest.json');
      const location = parseDatabaseLocation(options.db ?? join(root, 'data', 'demo.sqlite'));
      let db: string;
      let shown: string;
      if (location.engine === 'postgres') {
        await prepareDemoOnPostgres(location.url, manifest);
        db = location.url;
        shown = describeDatabaseLocation(location);
      } else {
        db = resolve(location.file);
        if (!existsSync(db)) await createDemoDatabase(db, manifest);
        const relativePath = relative(process.cwd(), db);
        shown = relativePath.startsWith('..') ? db : relativePath;
      }
      // The limits and trusted proxies of `bagel serve`, from the environment (BAGEL_*).
      const url = await serveDatabase({ db, port: options.port, host: options.host, logLevel: process.env.LOG_LEVEL ?? 'warn', ...serveSettings({}) });
      console.log(`\nBagel demo (${shown}) is running at ${url}\n`);
      console.log(demoAccountsTable());
      console.log('\nStop it with Ctrl+C.');
    });
}
