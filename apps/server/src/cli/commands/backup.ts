import Database from 'better-sqlite3';
import type { Command } from 'commander';
import { parseDatabaseLocation } from '../../db/database-location';
import { databaseOption } from '../database-option';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sizeText } from '../../features/exports/write-file-atomically';

export interface BackupCommandOptions {
  db: string;
  to: string;
  /** Replace `to` when it exists. */
  force?: boolean;
}

/** What a backup holds, read back from the copy itself. */
interface CopyContents {
  schemaVersion: number;
  projects: number;
  items: number;
  verdicts: number;
  decisions: number;
}

function checkCopy(file: string): CopyContents {
  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const problems = copy.pragma('quick_check', { simple: false }) as { quick_check: string }[];
    if (problems.length !== 1 || problems[0]!.quick_check !== 'ok') {
      throw new Error(`the copy failed SQLite's integrity check: ${problems.map((p) => p.quick_check).join('; ')}`);
    }
    const count = (table: string) => (copy.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      schemaVersion: copy.pragma('user_version', { simple: true }) as number,
      projects: count('projects'),
      items: count('items'),
      verdicts: count('verdicts'),
      decisions: count('decisions'),
    };
  } finally {
    copy.close();
  }
}

/** The files SQLite may keep beside a database while it is open. */
const SIDECARS = ['-wal', '-shm', '-journal'];

const removeWithSidecars = (file: string) => {
  for (const suffix of ['', ...SIDECARS]) rmSync(file + suffix, { force: true });
};

/**
 * The copy of a WAL database is in WAL mode too, so that even opening it read-only (the check below) leaves a -wal and
 * a -shm beside it. Switched to a rollback journal, it is one self-contained file; `bagel serve` puts a database it
 * opens back in WAL mode.
 */
function selfContained(file: string): void {
  const copy = new Database(file, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * `bagel backup`: a consistent copy of a Bagel database, safe to take while `bagel serve` is writing to it. Copying
 * the file with `cp` is not: with WAL, the latest verdicts may still be in the -wal file, and a copy taken mid-write
 * can be torn. This uses SQLite's online backup, which copies one moment of the database (starting over if another
 * connection writes between its steps). The copy goes to a temporary file beside the target, is checked (SQLite's
 * quick_check) and read back, then renamed into place: a failed backup never leaves a half file, and no backup leaves
 * a -wal, -shm or -journal file (the copy uses a rollback journal: one self-contained file). Returns the lines to print.
 */
export async function backupCommand(options: BackupCommandOptions): Promise<string[]> {
  if (parseDatabaseLocation(options.db).engine === 'postgres') {
    // PostgreSQL has its own tools, which know its consistency rules, roles and extensions: a copy made here would
    // be a lesser one.
    throw new Error(
      'bagel backup copies SQLite databases; back up PostgreSQL with its own tools: `pg_dump --format=custom --file=bagel.dump "$BAGEL_DATABASE_URL"` ' +
        '(restore with pg_restore), or the continuous archiving or snapshots of your managed service (docs/DEPLOY.md)',
    );
  }
  if (!existsSync(options.db)) throw new Error(`database ${options.db} does not exist`);
  const folder = dirname(resolve(options.to));
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`folder ${folder} (of --to) does not exist`);
  if (existsSync(options.to)) {
    if (realpathSync(options.to) === realpathSync(options.db)) throw new Error(`--to ${options.to} is the database itself`);
    if (!options.force) throw new Error(`${options.to} exists: choose another file, or add --force to replace it`);
  }

  const temporary = join(folder, `.${basename(options.to)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  // The database as it is (no migration): a backup must not change what it copies.
  const source = new Database(options.db, { fileMustExist: true });
  try {
    source.pragma('busy_timeout = 5000');
    // After the first step, the rest in one step: under a steady stream of verdicts, small steps would be restarted
    // by every write and might never finish. One step holds a read snapshot, which in WAL mode blocks no writer.
    await source.backup(temporary, { progress: ({ totalPages }) => Math.max(totalPages, 100) });
    selfContained(temporary);
    const contents = checkCopy(temporary);
    renameSync(temporary, options.to);
    const figure = (n: number, what: string) => `${n.toLocaleString('en-GB')} ${what}${n === 1 ? '' : 's'}`;
    return [
      `Backed up ${options.db} to ${options.to} (${sizeText(statSync(options.to).size)}, schema version ${contents.schemaVersion}, integrity check ok):`,
      `  ${figure(contents.projects, 'project')}, ${figure(contents.items, 'item')}, ${figure(contents.verdicts, 'verdict revision')}, ${figure(contents.decisions, 'decision')}`,
    ];
  } catch (error) {
    removeWithSidecars(temporary);
    throw error;
  } finally {
    source.close();
    // Whatever happened, nothing but the copy is left beside it.
    for (const suffix of SIDECARS) rmSync(temporary + suffix, { force: true });
  }
}

export function registerBackupCommand(program: Command): void {
  program
    .command('backup')
    .description('copy a database consistently, even while `bagel serve` is using it (SQLite online backup), and check the copy')
    .addOption(databaseOption('the SQLite database (on PostgreSQL, use pg_dump: see docs/DEPLOY.md)').makeOptionMandatory())
    .requiredOption('--to <file>', 'the copy to write (in an existing folder)')
    .option('--force', 'replace --to when it exists')
    .action(async (options: BackupCommandOptions) => {
      for (const line of await backupCommand(options)) console.log(line);
    });
}
