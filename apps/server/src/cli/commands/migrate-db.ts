import type { Command } from 'commander';
import { connectDatabase } from '../../db/database';
import { describeDatabaseLocation, parseDatabaseLocation } from '../../db/database-location';
import { copyDatabase, countRows } from '../../db/copy-database';
import { existsSync } from 'node:fs';

export interface MigrateDbOptions {
  from: string;
  to: string;
}

/**
 * `bagel migrate-db --from data/lab.sqlite --to postgres://…`: copies everything of one Bagel database into an empty
 * one (either engine to either; the reason to have it is moving a lab's SQLite file up to PostgreSQL). Both are
 * brought to the current schema first. Returns the lines to print.
 */
export async function migrateDbCommand(options: MigrateDbOptions, log: (line: string) => void = () => {}): Promise<string[]> {
  const from = parseDatabaseLocation(options.from);
  const to = parseDatabaseLocation(options.to);
  if (from.engine === 'sqlite' && !existsSync(from.file)) throw new Error(`--from: database ${from.file} does not exist`);
  if (describeDatabaseLocation(from) === describeDatabaseLocation(to)) throw new Error('--from and --to are the same database');
  const source = await connectDatabase(from);
  try {
    const target = await connectDatabase(to);
    try {
      const started = performance.now();
      const copied = await copyDatabase(source, target, (table, rows) => log(`  ${table}: ${rows.toLocaleString('en-GB')} rows`));
      // Checked in the target as committed: every row the copy read is there.
      const inTarget = await countRows(target.queries);
      const wrong = [...inTarget].filter(([table, n]) => n !== (copied.get(table) ?? 0));
      if (wrong.length > 0) throw new Error(`the copy does not hold what was read: ${wrong.map(([t, n]) => `${t} has ${n} rows, ${copied.get(t) ?? 0} copied`).join('; ')}`);
      const total = [...copied.values()].reduce((a, b) => a + b, 0);
      return [
        `Copied ${describeDatabaseLocation(from)} into ${describeDatabaseLocation(to)}: ${total.toLocaleString('en-GB')} rows in ${copied.size} tables, ${((performance.now() - started) / 1000).toFixed(1)} s; every table's count checked.`,
        `Serve it with: bagel serve --db ${describeDatabaseLocation(to)}`,
      ];
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}

export function registerMigrateDbCommand(program: Command): void {
  program
    .command('migrate-db')
    .description('copy everything of a Bagel database into an empty one: a SQLite file up to PostgreSQL, or back')
    .requiredOption('--from <file-or-url>', 'the database to copy (a SQLite file or a postgres:// URL); stop the servers writing to it first')
    .requiredOption('--to <file-or-url>', 'an empty database (a postgres:// URL, or a new SQLite file)')
    .action(async (options: MigrateDbOptions) => {
      for (const line of await migrateDbCommand(options, (line) => console.error(line))) console.log(line);
    });
}
