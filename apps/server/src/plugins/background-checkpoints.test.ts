import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

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
});
