import { rmSync } from 'node:fs';
import { dirname } from 'node:path';

/** Deletes this run's folder: the demo database, SQLite's -wal/-shm files and the server's preview cache. */
export default function globalTeardown(): void {
  const database = process.env.BAGEL_E2E_DATABASE;
  if (database) rmSync(dirname(database), { recursive: true, force: true });
}
