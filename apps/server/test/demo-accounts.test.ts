import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app';
import { createDemoDatabase, DEMO_ACCOUNTS } from '../src/cli/commands/demo';
import { openDatabase } from '../src/db/open-database';
import { sqliteDatabase } from '../src/db/sqlite-engine';
import { addUser } from '../src/features/users/add-user';
import { findRepoRoot } from '../src/paths';

const dir = mkdtempSync(join(tmpdir(), 'bagel-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bagel demo', () => {
  it('creates the demo accounts with their public passwords, exempt from the password rules, and they sign in', async () => {
    const dbFile = join(dir, 'demo.sqlite');
    await createDemoDatabase(dbFile, join(findRepoRoot()!, 'data', 'demo', 'manifest.json'), () => {});
    const db = openDatabase(dbFile);
    const app = await buildApp({ db, cacheDir: join(dir, 'cache') });
    try {
      expect(DEMO_ACCOUNTS.map((a) => a.password)).toEqual(['bagel-expert1', 'bagel-expert2', 'bagel-expert3', 'bagel-lead', 'bagel-admin']);
      for (const account of DEMO_ACCOUNTS) {
        const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: account.username, password: account.password } });
        expect(res.statusCode, account.username).toBe(200);
        expect(res.json()).toMatchObject({ username: account.username, role: account.role });
      }
      // The exemption is the demo's alone: the demo admin's password is refused for any other admin.
      await expect(addUser(sqliteDatabase(db), { username: 'admin2', role: 'admin', password: 'bagel-admin' })).rejects.toThrow(/at least 12 characters for an admin/);
    } finally {
      await app.close();
      db.close();
    }
  }, 60_000);
});
