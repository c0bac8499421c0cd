import { Option } from 'commander';
import { existsSync } from 'node:fs';
import { connectDatabase, type Database } from '../db/database';
import { describeDatabaseLocation, parseDatabaseLocation, type DatabaseLocation } from '../db/database-location';

/** `--db`: a SQLite file or a postgres:// URL, from the environment's BAGEL_DATABASE_URL when not given. */
export function databaseOption(description = 'database: a SQLite file, or a postgres:// URL'): Option {
  return new Option('--db <file-or-url>', description).env('BAGEL_DATABASE_URL');
}

/** The `--db` a command was given, parsed; a message naming the option when it is missing or unusable. */
export function databaseLocationOption(value: string | undefined): DatabaseLocation {
  if (value === undefined) throw new Error('give the database with --db FILE or --db postgres://… (or BAGEL_DATABASE_URL)');
  return parseDatabaseLocation(value);
}

/**
 * Opens the database a command names. `mustExist`: a SQLite file that is not there is an error rather than a new
 * empty database (a PostgreSQL database always exists once it can be connected to).
 */
export async function openCommandDatabase(value: string | undefined, options: { mustExist: boolean }): Promise<{ database: Database; created: boolean; shown: string }> {
  const location = databaseLocationOption(value);
  const shown = describeDatabaseLocation(location);
  const created = location.engine === 'sqlite' && !existsSync(location.file);
  if (created && options.mustExist) throw new Error(`no database at ${shown}`);
  return { database: await connectDatabase(location), created, shown };
}
