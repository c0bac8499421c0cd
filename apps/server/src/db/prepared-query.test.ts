import { sql } from 'kysely';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from './open-database';
import { preparedQuery } from './prepared-query';
import { postgresDryRun } from './postgres-dry-run.test-support';
import { sqliteDatabase } from './sqlite-engine';

const dir = mkdtempSync(join(tmpdir(), 'bagel-prepared-'));
const db = openDatabase(join(dir, 'prepared.sqlite'));
const database = sqliteDatabase(db);
const { queries: postgres, sent: sentToPostgres } = postgresDryRun();
afterAll(() => {
  db.close();
  rmSync(dir, { recursive: true, force: true });
});

const addUser = (username: string, role: string) =>
  database.queries.insertInto('users').values({ username, role, password_hash: 'x', created_at: '2025-01-01T00:00:00.000Z' }).returning('id').executeTakeFirstOrThrow();

describe('preparedQuery', () => {
  let builds = 0;
  const byRole = preparedQuery((q, role: string, after: number) => {
    builds++;
    // 'expert' is a constant of the query, not an argument: it stays what it was when the query was built.
    return q.selectFrom('users').select(['id', 'username']).where('role', '=', role).where('id', '>', after).where('username', '!=', 'nobody').orderBy('id');
  });

  it('runs with each call’s values, builds the query once per engine, and keeps the constants', async () => {
    const a = (await addUser('alice', 'lead')).id;
    const b = (await addUser('bob', 'expert')).id;
    const c = (await addUser('carol', 'expert')).id;
    expect(await byRole.all(database.queries, 'expert', 0)).toEqual([
      { id: b, username: 'bob' },
      { id: c, username: 'carol' },
    ]);
    expect(await byRole.all(database.queries, 'expert', b)).toEqual([{ id: c, username: 'carol' }]);
    expect(await byRole.first(database.queries, 'lead', 0)).toEqual({ id: a, username: 'alice' });
    expect(await byRole.first(database.queries, 'admin', 0)).toBeUndefined();
    expect(builds).toBe(1);

    sentToPostgres.length = 0;
    await byRole.all(postgres, 'expert', 7);
    await byRole.all(postgres, 'lead', 9);
    expect(builds).toBe(2);
    expect(sentToPostgres.map((q) => q.sql)).toEqual([
      'select "id", "username" from "users" where "role" = $1 and "id" > $2 and "username" != $3 order by "id"',
      'select "id", "username" from "users" where "role" = $1 and "id" > $2 and "username" != $3 order by "id"',
    ]);
    expect(sentToPostgres.map((q) => q.parameters)).toEqual([
      ['expert', 7, 'nobody'],
      ['lead', 9, 'nobody'],
    ]);
  });

  it('puts an argument used twice in a sql template at both places, and counts the rows a statement changed', async () => {
    const renamed = preparedQuery((q, suffix: string, role: string) => sql`UPDATE users SET username = username || ${suffix} WHERE role = ${role} AND username NOT LIKE '%' || ${suffix}`);
    expect(await renamed.run(database.queries, '-x', 'expert')).toBe(2);
    expect(await renamed.run(database.queries, '-x', 'expert')).toBe(0);
    expect((await database.queries.selectFrom('users').select('username').orderBy('id').execute()).map((r) => r.username)).toEqual(['alice', 'bob-x', 'carol-x']);
  });

  it('sees the writes of the write it runs in, and they go when the write fails', async () => {
    const named = preparedQuery((q, username: string) => q.selectFrom('users').select('role').where('username', '=', username));
    await expect(
      database.write(async (trx) => {
        await trx.insertInto('users').values({ username: 'dave', role: 'lead', password_hash: 'x', created_at: '2025-01-01T00:00:00.000Z' }).execute();
        expect(await named.first(trx, 'dave')).toEqual({ role: 'lead' });
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await named.first(database.queries, 'dave')).toBeUndefined();
  });
});
