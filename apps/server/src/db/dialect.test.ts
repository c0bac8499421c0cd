import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Queries } from './database';
import { forUpdateSkipLocked, indexedBy, lockRows } from './dialect';
import { openDatabase } from './open-database';
import { postgresDryRun } from './postgres-dry-run.test-support';
import { sqliteDatabase } from './sqlite-engine';

// SQLite: a real database. PostgreSQL: Kysely with PostgreSQL's adapter and compiler and a driver that runs nothing,
// so the statements each helper makes are those PostgreSQL would be sent.
const dir = mkdtempSync(join(tmpdir(), 'bagel-dialect-'));
const db = openDatabase(join(dir, 'dialect.sqlite'));
const sqlite = sqliteDatabase(db).queries;
const { queries: postgres, sent: sentToPostgres } = postgresDryRun();
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const queueQuery = (queries: Queries) =>
  sql<{ id: number }>`SELECT i.id FROM items i ${indexedBy(queries, 'items_queue')}
    WHERE i.project_id = ${1} AND i.status IN ('open', 'in_review') AND i.panel_complete = 0
    ORDER BY i.models_wrong DESC, i.confidence DESC, i.id LIMIT 1 ${forUpdateSkipLocked(queries, 'i')}`;
const spaced = (text: string) => text.replace(/\s+/g, ' ').trim();

describe('dialect', () => {
  it('claims a queue row on PostgreSQL with FOR UPDATE OF its alias SKIP LOCKED, after the LIMIT, and names no index', () => {
    expect(spaced(queueQuery(postgres).compile(postgres).sql)).toBe(
      "SELECT i.id FROM items i WHERE i.project_id = $1 AND i.status IN ('open', 'in_review') AND i.panel_complete = 0 ORDER BY i.models_wrong DESC, i.confidence DESC, i.id LIMIT 1 FOR UPDATE OF \"i\" SKIP LOCKED",
    );
  });

  it('walks the named index on SQLite, with no locking clause (one writer at a time), and the query runs', async () => {
    expect(spaced(queueQuery(sqlite).compile(sqlite).sql)).toBe(
      "SELECT i.id FROM items i INDEXED BY \"items_queue\" WHERE i.project_id = ? AND i.status IN ('open', 'in_review') AND i.panel_complete = 0 ORDER BY i.models_wrong DESC, i.confidence DESC, i.id LIMIT 1",
    );
    expect((await queueQuery(sqlite).execute(sqlite)).rows).toEqual([]);
  });

  it('locks rows on PostgreSQL once each, in id order, and sends nothing on SQLite', async () => {
    sentToPostgres.length = 0;
    await lockRows(postgres, 'items', [9, 3, 9]);
    await lockRows(postgres, 'users', []);
    expect(sentToPostgres.map((q) => ({ sql: q.sql, parameters: q.parameters }))).toEqual([
      { sql: 'SELECT id FROM "items" WHERE id IN ($1, $2) ORDER BY id FOR UPDATE', parameters: [3, 9] },
    ]);
    await expect(lockRows(sqlite, 'items', [1])).resolves.toBeUndefined();
  });
});
