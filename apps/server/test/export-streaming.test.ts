// Exports are written and sent piece by piece: a project whose archive is longer than the longest string JavaScript
// allows is exported whole, and a download reads a consistent snapshot while the server goes on writing.
import { constants } from 'node:buffer';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCommand } from '../src/cli/commands/export';
import { refreshStatistics } from '../src/db/dialect';
import { exportText } from '../src/features/exports/build-export';
import { projectCatalog } from '../src/features/projects/project-catalog';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createCommandDatabase, testEngine, type CommandDatabase } from './command-database';
import { createTestApp, readRows, type TestApp } from './test-app';

const dir = mkdtempSync(join(tmpdir(), 'bagel-export-streaming-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Calls `visit` with the file's bytes, a slice at a time, as text (the file may be larger than any string). */
function scanFile(file: string, visit: (text: string) => void): void {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(8 << 20);
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) visit(buffer.toString('latin1', 0, read));
  } finally {
    closeSync(fd);
  }
}

describe('an archive too large for one string', () => {
  // Every item names its original label twice (originalLabel, acceptedLabels): with class keys of 250,000
  // characters, each item takes half a megabyte of the archive while the database stays small.
  const ITEMS = 1100;
  const KEY = 250_000;
  let target: CommandDatabase;
  let dbFile: string;

  beforeAll(async () => {
    target = await createCommandDatabase(dir, 'huge.sqlite');
    dbFile = target.location;
    const db = await target.open();
    try {
      const project = await seedSyntheticProject(db, { name: 'Huge keys', images: ITEMS, models: 1, classes: 10, topK: 2, panelSize: 1, seed: 3, allWrong: true });
      // PostgreSQL cannot index keys this long (a btree entry is at most 2,704 bytes): this database goes without the
      // index of class keys, which only the archive's size, made cheaply, is about here.
      if (db.engine === 'postgres') await readRows(db, 'ALTER TABLE classes DROP CONSTRAINT classes_project_id_key_key');
      for (const { idx, key } of await readRows<{ idx: number; key: string }>(db, 'SELECT idx, key FROM classes WHERE project_id = ?', project.projectId)) {
        await readRows(db, 'UPDATE classes SET key = ? WHERE project_id = ? AND idx = ?', `${key}-${'k'.repeat(KEY)}`, project.projectId, idx);
      }
      const expert = await createUser(db, 'ann', 'expert', 'long-password-1');
      await readRows(
        db,
        `INSERT INTO verdicts (item_id, user_id, revision, labels, problematic, mistakes, comment, created_at)
         SELECT id, CAST(? AS integer), 1, '{}', NULL, '{}', 'a comment', '2025-01-01T00:00:00.000Z' FROM items WHERE project_id = ? ORDER BY id LIMIT 10`,
        expert,
        project.projectId,
      );
    } finally {
      await db.close();
    }
  }, 120_000);
  afterAll(() => target.drop());

  it('is written whole by `bagel export`, piece by piece', async () => {
    const out = join(dir, 'huge-archive.json');
    const line = await exportCommand({ db: dbFile, project: 'Huge keys', format: 'bagel', out, now: Date.UTC(2025, 0, 2) });
    expect(line).toContain(`${ITEMS} items, 10 verdict revisions, 0 decisions`);
    // Longer than any string: built as one (JSON.stringify), it failed with "Invalid string length".
    const size = statSync(out).size;
    expect(size).toBeGreaterThan(constants.MAX_STRING_LENGTH);
    expect(size).toBeGreaterThan(ITEMS * 2 * KEY);

    // Counted a slice at a time; a slice keeps the end of the one before, so that a match across two is seen once.
    const itemStart = /\n {4}\{\n {6}"itemId": \d+,\n {6}"file": "img-\d{6}\.jpg",\n {6}"originalLabel": "c\d{4}-k/g;
    const keep = 200;
    let head = '';
    let tail = '';
    let items = 0;
    let carry = '';
    scanFile(out, (text) => {
      if (head.length < 4000) head += text.slice(0, 4000 - head.length);
      const joined = carry + text;
      items += (joined.match(itemStart) ?? []).length - (carry.match(itemStart) ?? []).length;
      carry = joined.slice(-keep);
      tail = joined.slice(-keep);
    });
    expect(head.startsWith('{\n  "format": "bagel-archive",\n  "version": 2,\n  "exportedAt": "2025-01-02T00:00:00.000Z",\n  "project": {\n    "id": ')).toBe(true);
    expect(head).toContain('\n  "users": [\n    {\n      "username": "ann",\n      "role": "expert"\n    }\n  ],\n  "items": [\n    {\n      "itemId": ');
    expect(items).toBe(ITEMS);
    // The items, then each expert's reliability (none: no item is final), against the final labels and gold.
    expect(tail.endsWith('"minPresentPerClass": 20,\n      "experts": [],\n      "classes": []\n    }\n  ]\n}\n')).toBe(true);
  }, 300_000);
});

describe('a download', () => {
  // 20,000 items with a verdict each (a comment of 1,000 characters): an archive of about 30 MB, far more than the
  // socket and the stream buffer between the server and a client that stops reading.
  const ITEMS = 20_000;
  let t: TestApp;
  let project: SyntheticProject;
  let cookie: string;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    project = await seedSyntheticProject(t.database, { name: 'Many items', images: ITEMS, models: 2, classes: 100, topK: 3, panelSize: 1, seed: 5, allWrong: true });
    const expert = await createUser(t.database, 'ann', 'expert', 'long-password-1');
    await readRows(
      t.database,
      `INSERT INTO verdicts (item_id, user_id, revision, labels, problematic, mistakes, comment, created_at)
       SELECT id, CAST(? AS integer), 1, '{}', NULL, '{}', CAST(? AS text), '2025-01-01T00:00:00.000Z' FROM items WHERE project_id = ?`,
      expert,
      'x'.repeat(1000),
      project.projectId,
    );
    // 20,000 verdicts at once: PostgreSQL's planner statistics brought up to date, as autovacuum would.
    await refreshStatistics(t.database.queries, ['verdicts']);
    await createUser(t.database, 'lea', 'lead', 'long-password-1');
    cookie = await login(t.app, 'lea', 'long-password-1');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as { port: number }).port;
  }, 120_000);
  afterAll(() => t.close());

  const lastItemId = async () =>
    (await readRows<{ id: number }>(t.database, 'SELECT i.id FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ? ORDER BY im.position DESC LIMIT 1', project.projectId))[0]!.id;
  const archiveNow = async () => (await exportText(t.database, (await projectCatalog(t.database).get(project.projectId))!, 'bagel', { now: t.clock.now })).text;
  const addMessage = (item: number, body: string, createdAt: string) =>
    readRows(t.database, 'INSERT INTO discussion_messages (item_id, user_id, body, created_at) VALUES (?, 1, ?, ?)', item, body, createdAt);
  /** GET the archive; `onFirstChunk` runs when the first bytes arrive, with the response to pause or abandon. */
  function download(onFirstChunk: (res: http.IncomingMessage, req: http.ClientRequest) => void): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/api/projects/${project.projectId}/exports/bagel`, headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          if (chunks.length === 1) onFirstChunk(res, req);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
    });
  }

  it('is the project as it was when it began, though the server writes meanwhile, and waits for a client that stops reading', async () => {
    const before = await archiveNow();
    const item = await lastItemId();
    let written: Promise<unknown> = Promise.resolve();
    const res = await download((response) => {
      // The client stops reading; meanwhile a message lands on the last item, which the export reads last.
      response.pause();
      written = addMessage(item, 'written during the download', '2025-01-01T01:00:00.000Z');
      void written.then(() => setTimeout(() => response.resume(), 300));
    });
    await written;
    expect(res.status).toBe(200);
    const after = await archiveNow();
    expect(after).not.toBe(before);
    expect(after).toContain('written during the download');
    expect(res.body.length).toBe(before.length);
    expect(res.body === before).toBe(true);
  }, 120_000);

  /** GET the archive and go away once its first bytes arrive. */
  const abandonDownload = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.get({ host: '127.0.0.1', port, path: `/api/projects/${project.projectId}/exports/bagel`, headers: { cookie } }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => {});
      // Within the test's own time (120 s): on a loaded machine the archive's first bytes took more than a minute.
      setTimeout(() => reject(new Error('no data')), 110_000);
    });

  // What a snapshot left open would hold, engine by engine: on SQLite, its WAL could not be checkpointed past the
  // reader's snapshot; on PostgreSQL, its connection would be kept from the pool and old row versions from vacuum.
  it('abandoned midway, ends its read transaction (SQLite: the log can be checkpointed whole again; PostgreSQL: no connection is left in a transaction)', async () => {
    await abandonDownload();
    if (testEngine() === 'sqlite') {
      // A write, then a checkpoint that must copy it back: it cannot while a reader holds an older snapshot.
      await addMessage(await lastItemId(), 'after the abandoned download', '2025-01-01T02:00:00.000Z');
      let busy = 1;
      for (let attempt = 0; attempt < 100 && busy !== 0; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        busy = (t.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[])[0]!.busy;
      }
      expect(busy).toBe(0);
      return;
    }
    const open = () =>
      readRows<{ n: number }>(t.database, "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'");
    let left = -1;
    for (let attempt = 0; attempt < 100 && left !== 0; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      left = (await open())[0]!.n;
    }
    expect(left).toBe(0);
    await addMessage(await lastItemId(), 'after the abandoned download', '2025-01-01T02:00:00.000Z');
    expect(await archiveNow()).toContain('after the abandoned download');
  }, 120_000);
});
