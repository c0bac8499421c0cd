// A database for the tests that run `bagel` commands (spawned, or their functions called), on the run's engine: a
// SQLite file, or, in the server-postgres project of vitest.config.ts, a database of its own in the run's PostgreSQL
// cluster. `location` is what `--db` takes.
import { join } from 'node:path';
import { inject } from 'vitest';
import { connectDatabase, type Database } from '../src/db/database';
import { createPostgresDatabase } from './postgres-database';

export interface CommandDatabase {
  engine: 'sqlite' | 'postgres';
  /** `--db`: the SQLite file (not made yet), or the PostgreSQL database's URL (made, empty). */
  location: string;
  /** Opens it as the server would (made and migrated if need be); the caller closes it. */
  open(): Promise<Database>;
  /** Drops the PostgreSQL database (the caller removes its folder for SQLite). */
  drop(): Promise<void>;
}

export const testEngine = (): 'sqlite' | 'postgres' => inject('testEngine') ?? 'sqlite';

/** A fresh database: `dir/name` on SQLite (the file is made by its first command), an empty database on PostgreSQL. */
export async function createCommandDatabase(dir: string, name: string): Promise<CommandDatabase> {
  if (testEngine() === 'sqlite') {
    const file = join(dir, name);
    return { engine: 'sqlite', location: file, open: () => connectDatabase({ engine: 'sqlite', file }), drop: async () => {} };
  }
  const postgres = await createPostgresDatabase();
  return { engine: 'postgres', location: postgres.url, open: () => connectDatabase({ engine: 'postgres', url: postgres.url }), drop: () => postgres.drop() };
}

/** A `--db` that names no database: a file that is not there, or a database the run's cluster does not have. */
export function missingDatabase(dir: string, name: string): string {
  if (testEngine() === 'sqlite') return join(dir, name);
  const url = new URL(inject('postgresUrl'));
  url.pathname = `/${name.replace(/\W/g, '_')}`;
  return url.toString();
}
