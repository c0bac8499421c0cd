// bagel migrate-db: a lab's SQLite database moved up to PostgreSQL whole, checked as the issue asks, by comparing
// the `bagel` archive export (every verdict revision, decision, discussion) of both.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDbCommand } from '../src/cli/commands/migrate-db';
import { connectDatabase } from '../src/db/database';
import { TABLES_IN_COPY_ORDER } from '../src/db/copy-database';
import { openDatabase } from '../src/db/open-database';
import { exportText } from '../src/features/exports/build-export';
import { importManifest } from '../src/features/import/import-manifest';
import { writeFixture } from '../src/features/import/import-fixture';
import { projectCatalog } from '../src/features/projects/project-catalog';
import { addUser } from '../src/features/users/add-user';
import { createUsersRepository } from '../src/features/users/users.repository';
import { createPostgresDatabase } from './postgres-database';
import { seedReviewedProject } from './reviewed-project';

const dir = mkdtempSync(join(tmpdir(), 'bagel-migrate-db-'));
const file = join(dir, 'lab.sqlite');
let postgres: Awaited<ReturnType<typeof createPostgresDatabase>>;
let projectIds: number[] = [];

beforeAll(async () => {
  postgres = await createPostgresDatabase();
  const db = openDatabase(file);
  const reviewed = await seedReviewedProject(db, { name: 'lab', items: 300, judged: 200, panelSize: 3, models: 3, seed: 5, password: 'migrate-password-1' });
  db.close();
  const database = await connectDatabase({ engine: 'sqlite', file });
  const imported = await importManifest(database, writeFixture(join(dir, 'fixture'), { images: ['a.jpg', 'b.jpg'] }));
  await database.close();
  projectIds = [reviewed.projectId, imported.projectId];
}, 120_000);

afterAll(async () => {
  await postgres?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe('bagel migrate-db', () => {
  it('copies every table of the schema, by its primary key', () => {
    const db = openDatabase(join(dir, 'schema.sqlite'));
    try {
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
      expect(TABLES_IN_COPY_ORDER.map((t) => t.table).sort()).toEqual(tables);
      for (const { table, key } of TABLES_IN_COPY_ORDER) {
        const pk = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; pk: number }[]).filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk);
        expect(key, table).toEqual(pk.map((c) => c.name));
      }
    } finally {
      db.close();
    }
  });

  it('moves a SQLite database up to PostgreSQL: the archive of every project is the same from both', async () => {
    const lines = await migrateDbCommand({ from: file, to: postgres.url });
    expect(lines[0]).toMatch(/^Copied .*lab\.sqlite into postgres:\/\/.*: [\d,]+ rows in \d+ tables, [\d.]+ s; every table's count checked\.$/);
    const sqlite = await connectDatabase({ engine: 'sqlite', file });
    const pg = await connectDatabase({ engine: 'postgres', url: postgres.url });
    try {
      for (const projectId of projectIds) {
        const archive = async (database: typeof sqlite) =>
          (await exportText(database, (await projectCatalog(database).get(projectId))!, 'bagel', { now: Date.UTC(2026, 0, 1) })).text;
        const fromSqlite = await archive(sqlite);
        expect(fromSqlite.length).toBeGreaterThan(1000);
        expect(await archive(pg)).toBe(fromSqlite);
      }
      // Password hashes came along: the same user signs in with the same hash; and new rows get new ids.
      const users = createUsersRepository(pg.queries);
      expect((await users.findByUsername('panel1'))?.passwordHash).toBe((await createUsersRepository(sqlite.queries).findByUsername('panel1'))?.passwordHash);
      const added = await addUser(pg, { username: 'newcomer', role: 'expert', password: 'a-new-password-1' });
      expect(added.id).toBeGreaterThan(Math.max(...(await users.accounts()).filter((u) => u.username !== 'newcomer').map((u) => u.id)));
    } finally {
      await sqlite.close();
      await pg.close();
    }
  }, 120_000);

  it('refuses a target that is not empty, and a source that does not exist', async () => {
    await expect(migrateDbCommand({ from: file, to: postgres.url })).rejects.toThrow(/the target database is not empty \(.*in users.*\): copy into an empty database only/);
    await expect(migrateDbCommand({ from: join(dir, 'nope.sqlite'), to: postgres.url })).rejects.toThrow(/--from: database .*nope\.sqlite does not exist/);
  });
});
