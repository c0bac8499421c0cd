import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executeCompiled, padded, shapedChunks } from './prepared-query';
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

describe('the shapes of a statement', () => {
  it('multi-row statements: up to 16 rows as they come, more in slices of a power of two (at most the size asked) and a rest', () => {
    const sizes = (n: number, max: number) => shapedChunks(Array.from({ length: n }, (_, i) => i), max).map((chunk) => chunk.length);
    expect(sizes(0, 200)).toEqual([]);
    expect(sizes(7, 200)).toEqual([7]);
    expect(sizes(16, 200)).toEqual([16]);
    expect(sizes(25, 200)).toEqual([16, 9]);
    expect(sizes(100, 200)).toEqual([64, 32, 4]);
    expect(sizes(1000, 200)).toEqual([128, 128, 128, 128, 128, 128, 128, 64, 32, 8]);
    expect(shapedChunks([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18], 64).flat()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18]);
    // Every size a statement gets, whatever the count of rows: a few dozen texts at most.
    const shapes = new Set<number>();
    for (let n = 1; n <= 2000; n++) for (const size of sizes(n, 200)) shapes.add(size);
    expect(shapes.size).toBe(16 + 3);
  });

  it('IN lists: lengthened to a power of two with their last id, which means the same list', () => {
    expect(padded([5])).toEqual([5]);
    expect(padded([5, 9, 2])).toEqual([5, 9, 2, 2]);
    expect(padded([1, 2, 3, 4])).toEqual([1, 2, 3, 4]);
    expect(padded(Array.from({ length: 250 }, (_, i) => i)).length).toBe(256);
  });
});
