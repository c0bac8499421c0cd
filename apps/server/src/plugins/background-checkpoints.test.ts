import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createTestApp } from '../../test/test-app';

const dir = mkdtempSync(join(tmpdir(), 'bagel-checkpoints-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('background checkpoints', () => {
  it('let a script whose last act is closing the app exit cleanly, leaving no -wal or -shm file', () => {
    const app = fileURLToPath(new URL('../app.ts', import.meta.url));
    const database = fileURLToPath(new URL('../db/open-database.ts', import.meta.url));
    const script = join(dir, 'close-app.mts');
    const dbFile = join(dir, 'bagel.sqlite');
    writeFileSync(
      script,
      `import { buildApp } from ${JSON.stringify(app)};
import { openDatabase } from ${JSON.stringify(database)};
const db = openDatabase(${JSON.stringify(dbFile)});
const app = await buildApp({ db, cacheDir: ${JSON.stringify(join(dir, 'cache'))}, logger: false });
await app.ready();
await app.close();
db.close();
`,
    );
    // Exit code 13 is Node's "unsettled top-level await": the process ended while close() still waited on the worker.
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 20_000 });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(existsSync(`${dbFile}-wal`)).toBe(false);
    expect(existsSync(`${dbFile}-shm`)).toBe(false);
  });

  it('turn the commit-time checkpoint off while a reader holds the log back, so the copy after it ends is the worker\'s', async () => {
    const t = await createTestApp();
    const valve = () => t.db.pragma('wal_autocheckpoint', { simple: true });
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 100 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    try {
      expect(valve()).toBe(4096);
      // A long read (an export's snapshot), then writes after it: no checkpoint can copy them while it lasts.
      const reader = new Database(t.db.name, { readonly: true });
      reader.exec('BEGIN');
      reader.prepare('SELECT count(*) FROM users').get();
      t.db.exec("CREATE TABLE filler (x TEXT); INSERT INTO filler SELECT printf('%.*c', 1000, 'x') FROM json_each('[1,2,3,4,5,6,7,8]')");
      await until(() => valve() === 0);
      expect(valve()).toBe(0);
      reader.exec('COMMIT');
      reader.close();
      await until(() => valve() === 4096);
      expect(valve()).toBe(4096);
    } finally {
      await t.close();
    }
  });
});
