import type { ReviewItem } from '@bagel/contracts';
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { backupCommand } from '../src/cli/commands/backup';
import { openDatabase, type Db } from '../src/db/open-database';
import { completeVerdict, createUser, login, seedSyntheticProject } from './synthetic-project';
import { createTestApp } from './test-app';

const dir = mkdtempSync(join(tmpdir(), 'bagel-backup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'bagel.mjs');

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** What must hold in any moment of a Bagel database: each item's verdict count is its experts with a verdict. */
function verdictCountsConsistent(db: Db): boolean {
  const wrong = db
    .prepare('SELECT count(*) AS n FROM items i WHERE i.verdict_count != (SELECT count(DISTINCT v.user_id) FROM verdicts v WHERE v.item_id = i.id)')
    .get() as { n: number };
  return wrong.n === 0;
}

describe('bagel backup', () => {
  it('copies a database that the server is writing to: a consistent moment, checked, with the verdicts committed before it', async () => {
    const t = await createTestApp();
    try {
      const project = await seedSyntheticProject(t.database, { name: 'backed-up', images: 2000, models: 3, panelSize: 3, seed: 21, allWrong: true });
      const experts = ['ann', 'bob', 'cyd', 'dan'];
      const cookies = new Map<string, string>();
      for (const name of experts) {
        await createUser(t.database, name, 'expert', 'backup-password');
        cookies.set(name, await login(t.app, name, 'backup-password'));
      }
      const judgeOne = async (name: string) => {
        const headers = { cookie: cookies.get(name)! };
        const next = await t.app.inject({ url: `/api/projects/${project.projectId}/next`, headers });
        if (next.statusCode !== 200) return;
        const item = next.json() as ReviewItem;
        const res = await t.app.inject({ method: 'POST', url: `/api/items/${item.id}/verdicts`, headers, payload: completeVerdict(item) });
        expect(res.statusCode, res.body).toBe(201);
      };
      for (const name of experts) for (let i = 0; i < 5; i++) await judgeOne(name);
      const committedBefore = count(t.db, 'verdicts');

      // The backup runs while the experts go on judging through the server.
      const to = join(dir, 'during-writes.sqlite');
      let writing = true;
      const writers = experts.map(async (name) => {
        while (writing) await judgeOne(name);
      });
      // And a write on every turn of the event loop, as a busy server makes: the copy must still finish.
      let edits = 0;
      const edit = t.db.prepare('UPDATE projects SET description = ? WHERE id = ?');
      const editLoop = () => {
        if (!writing) return;
        edit.run(`edit ${++edits}`, project.projectId);
        setImmediate(editLoop);
      };
      editLoop();
      const lines = await backupCommand({ db: join(t.dir, 'test.sqlite'), to });
      writing = false;
      await Promise.all(writers);
      expect(edits).toBeGreaterThan(0);

      expect(lines[0]).toMatch(/^Backed up .* to .*during-writes\.sqlite \([\d.]+ [kM]B, schema version \d+, integrity check ok\):$/);
      const copy = openDatabase(to);
      try {
        expect(count(copy, 'items')).toBe(count(t.db, 'items'));
        const verdicts = count(copy, 'verdicts');
        expect(verdicts).toBeGreaterThanOrEqual(committedBefore);
        expect(verdicts).toBeLessThanOrEqual(count(t.db, 'verdicts'));
        expect(lines[1]).toContain(`${verdicts.toLocaleString('en-GB')} verdict revision`);
        expect(verdictCountsConsistent(copy)).toBe(true);
        expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
      } finally {
        copy.close();
      }
      // No temporary file is left beside the copy.
      expect(readdirSync(dir).filter((f) => /\.tmp(-wal|-shm|-journal)?$/.test(f))).toEqual([]);
    } finally {
      await t.close();
    }
  }, 30_000);

  it('leaves nothing beside the copy but the copy: no temporary file, nor its -wal, -shm or -journal', async () => {
    const folder = mkdtempSync(join(dir, 'clean-'));
    const db = join(folder, 'served.sqlite');
    // Open, in WAL mode, as `bagel serve` holds it.
    const served = openDatabase(db);
    try {
      await seedSyntheticProject(served, { name: 'clean', images: 50, models: 2, seed: 4, allWrong: true });
      await backupCommand({ db, to: join(folder, 'copy.sqlite') });
      expect(readdirSync(folder).sort()).toEqual(['copy.sqlite', 'served.sqlite', 'served.sqlite-shm', 'served.sqlite-wal']);
      // The copy is one self-contained file: opening it read-only needs no -wal or -shm beside it.
      const copy = new Database(join(folder, 'copy.sqlite'), { readonly: true, fileMustExist: true });
      expect(copy.pragma('journal_mode', { simple: true })).toBe('delete');
      expect(count(copy, 'items')).toBe(count(served, 'items'));
      copy.close();
      expect(readdirSync(folder).filter((f) => f.startsWith('copy'))).toEqual(['copy.sqlite']);
    } finally {
      served.close();
    }
  });

  it('refuses a missing database, a missing folder, an existing copy (unless --force) and the database itself', async () => {
    const db = join(dir, 'source.sqlite');
    openDatabase(db).close();
    await expect(backupCommand({ db: join(dir, 'nope.sqlite'), to: join(dir, 'x.sqlite') })).rejects.toThrow(/database .*nope\.sqlite does not exist/);
    await expect(backupCommand({ db, to: join(dir, 'no-folder', 'x.sqlite') })).rejects.toThrow(/folder .*no-folder \(of --to\) does not exist/);
    const existing = join(dir, 'existing.sqlite');
    writeFileSync(existing, 'not a database');
    await expect(backupCommand({ db, to: existing })).rejects.toThrow(/existing\.sqlite exists: choose another file, or add --force/);
    await expect(backupCommand({ db, to: db, force: true })).rejects.toThrow(/is the database itself/);
    await backupCommand({ db, to: existing, force: true });
    const copy = openDatabase(existing);
    expect(copy.pragma('quick_check', { simple: true })).toBe('ok');
    copy.close();
  });

  it('on PostgreSQL, says to use pg_dump rather than copying anything', async () => {
    const to = join(dir, 'from-postgres.sqlite');
    await expect(backupCommand({ db: 'postgres://bagel:secret@127.0.0.1:1/bagel', to })).rejects.toThrow(
      /bagel backup copies SQLite databases; back up PostgreSQL with its own tools: `pg_dump --format=custom/,
    );
    expect(existsSync(to)).toBe(false);
  });

  it('works through the `bagel` executable, exiting 1 with the reason when it cannot', () => {
    const db = join(dir, 'source.sqlite');
    const to = join(dir, 'from-bin.sqlite');
    const ok = spawnSync(process.execPath, [BIN, 'backup', '--db', db, '--to', to], { encoding: 'utf8', timeout: 30_000 });
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('integrity check ok');
    expect(existsSync(to)).toBe(true);
    const again = spawnSync(process.execPath, [BIN, 'backup', '--db', db, '--to', to], { encoding: 'utf8', timeout: 30_000 });
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('from-bin.sqlite exists');
  });
});
