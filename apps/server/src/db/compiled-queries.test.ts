import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCompiled } from './compiled-queries';
import type { Database } from './database';
import { chunksOf, MAX_BOUND_VALUES } from './dialect';
import { openDatabase, type Db } from './open-database';
import { sqliteDatabase } from './sqlite-engine';

describe('executeCompiled', () => {
  let dir: string;
  let db: Db;
  let database: Database;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bagel-compiled-'));
    db = openDatabase(join(dir, 'test.sqlite'));
    database = sqliteDatabase(db);
    await database.write((trx) =>
      trx.insertInto('users').values(['ann', 'bob', 'cyd'].map((username) => ({ username, role: 'expert', password_hash: 'x', created_at: '2025-01-01T00:00:00.000Z' }))).execute(),
    );
  });
  afterAll(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('builds a shape of query once, then runs its text with each call’s values', async () => {
    let built = 0;
    const q = database.queries;
    const byName = async (username: string) =>
      (
        await executeCompiled(q, 'test.byName', [username], () => {
          built++;
          return q.selectFrom('users').select(['id', 'username']).where('username', '=', username).compile();
        })
      ).rows;
    expect(await byName('ann')).toEqual([{ id: 1, username: 'ann' }]);
    expect(await byName('cyd')).toEqual([{ id: 3, username: 'cyd' }]);
    expect(await byName('nobody')).toEqual([]);
    expect(built).toBe(1);
  });

  it('refuses a query that binds other values than it was given', async () => {
    const q = database.queries;
    await expect(executeCompiled(q, 'test.wrong', [1], () => q.selectFrom('users').select('id').where('id', '=', 2).compile())).rejects.toThrow(/binds other values/);
    await expect(executeCompiled(q, 'test.missing', [1, 2], () => q.selectFrom('users').select('id').where('id', '=', 1).compile())).rejects.toThrow(/binds other values/);
  });
});

describe('chunksOf', () => {
  it('cuts a list into slices of at most the size asked, and never more than a statement may bind', () => {
    expect(chunksOf([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunksOf([], 10)).toEqual([]);
    const many = Array.from({ length: MAX_BOUND_VALUES + 5 }, (_, i) => i);
    expect(chunksOf(many, 100_000).map((chunk) => chunk.length)).toEqual([MAX_BOUND_VALUES, 5]);
  });
});
