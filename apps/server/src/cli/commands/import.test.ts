import { Command, CommanderError } from 'commander';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/open-database';
import { startImageHttpServer } from '../../../test/image-servers';
import { FIXTURE_LABELS_CSV, fixtureManifest, writeFixture } from '../../features/import/import-fixture';
import { registerImportCommand } from './import';

const tempRoot = mkdtempSync(join(tmpdir(), 'bagel-import-cli-'));
afterAll(() => rmSync(tempRoot, { recursive: true, force: true }));
let count = 0;
const freshDir = () => mkdtempSync(join(tempRoot, `c${count++}-`));

/** Runs `bagel import ...` in-process, capturing what it prints; `exitCode` is set when the command exits. */
async function runImport(args: string[]): Promise<{ out: string; err: string; exitCode?: number }> {
  let out = '';
  let err = '';
  const program = new Command('bagel')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (err += s) });
  registerImportCommand(program);
  try {
    await program.parseAsync(['import', ...args], { from: 'user' });
    return { out, err };
  } catch (error) {
    if (error instanceof CommanderError) return { out, err, exitCode: error.exitCode };
    throw error;
  }
}

describe('bagel import', () => {
  it('creates the database, imports the project and prints a summary with the missing images', async () => {
    const dir = freshDir();
    const dbFile = join(dir, 'db', 'bagel.sqlite');
    const run = await runImport([writeFixture(dir, { images: ['a.jpg', 'b.jpg'] }), '--db', dbFile]);
    expect(run.exitCode).toBeUndefined();
    expect(run.out).toBe(
      [
        `Imported project "Fixture project" into ${dbFile}`,
        '  images: 4 (2 missing)',
        '  items to review: 2',
        '  models: 2',
        `  image folder: ${join(dir, 'images')}`,
        'Missing images (recorded; shown as missing in the review screen):',
        '  sub/c.jpg',
        '  d.jpg',
        '',
      ].join('\n'),
    );
    expect(run.err).toContain('  vocabulary: 5 classes');
    const db = openDatabase(dbFile);
    expect(db.prepare('SELECT name FROM projects').all()).toEqual([{ name: 'Fixture project' }]);
    db.close();

    const again = await runImport([join(dir, 'manifest.json'), '--db', dbFile]);
    expect(again.out).toMatch(/^Project "Fixture project" was already imported into .* from this same manifest: nothing written\.\n/);
  });

  it('prints "error: <file, line, field: problem>" without a stack trace and exits with 1', async () => {
    const dir = freshDir();
    const dbFile = join(dir, 'bagel.sqlite');
    const manifest = writeFixture(dir, { files: { 'labels.csv': FIXTURE_LABELS_CSV.replace('d.jpg,fox', 'd.jpg,n0000') } });
    const run = await runImport([manifest, '--db', dbFile]);
    expect(run.exitCode).toBe(1);
    expect(run.err).toMatch(new RegExp(`(^|\\n)error: ${escapeRegExp(join(dir, 'labels.csv'))}, line 5, field "label": unknown class key "n0000"\\n$`));
    expect(run.err).not.toMatch(/\bat .*\.ts:\d+/);
    expect(run.out).toBe('');
    // The refused import created no database.
    expect(existsSync(dbFile)).toBe(false);
  });

  it('keeps an existing database unchanged when the import is refused', async () => {
    const dir = freshDir();
    const dbFile = join(dir, 'bagel.sqlite');
    expect((await runImport([writeFixture(dir), '--db', dbFile])).exitCode).toBeUndefined();
    const other = freshDir();
    const manifest = writeFixture(other, { files: { 'classes.csv': 'index,key,names\n0,cat,cat\n0,dog,dog\n' } });
    const run = await runImport([manifest, '--db', dbFile]);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain(`error: ${join(other, 'classes.csv')}, line 3, field "index": duplicate class index 0 (also line 2)`);
    const db = openDatabase(dbFile);
    expect(db.prepare('SELECT COUNT(*) AS n FROM images').get()).toEqual({ n: 4 });
    db.close();
  });

  it('prints no progress with --progress off, and refuses an unknown progress mode', async () => {
    const dir = freshDir();
    const quiet = await runImport([writeFixture(dir), '--db', join(dir, 'bagel.sqlite'), '--progress', 'off']);
    expect(quiet.exitCode).toBeUndefined();
    expect(quiet.err).toBe('');
    expect(quiet.out).toMatch(/^Imported project "Fixture project"/);
    const wrong = await runImport([writeFixture(freshDir()), '--db', join(dir, 'other.sqlite'), '--progress', 'fancy']);
    expect(wrong.exitCode).toBe(1);
    expect(wrong.err).toContain("argument 'fancy' is invalid. Allowed choices are auto, bar, lines, off.");
  });

  it('with --no-check-images records no image missing and says the images were not checked', async () => {
    const dir = freshDir();
    const dbFile = join(dir, 'bagel.sqlite');
    const run = await runImport([writeFixture(dir, { images: ['a.jpg'] }), '--db', dbFile, '--no-check-images', '--progress', 'lines']);
    expect(run.exitCode).toBeUndefined();
    expect(run.out).toContain('  images: 4 (not checked)\n');
    expect(run.out).not.toContain('Missing images');
    expect(run.err).toContain('images: not checked (--no-check-images): none is recorded missing');
    const db = openDatabase(dbFile);
    expect(db.prepare('SELECT COUNT(*) AS n FROM images WHERE missing = 1').get()).toEqual({ n: 0 });
    db.close();
  });

  it('checks images behind a URL, with the check as a step, and names the source in the summary', async () => {
    const http = await startImageHttpServer({ 'val/a.jpg': Buffer.from('a'), 'val/b.jpg': Buffer.from('b'), 'val/d.jpg': Buffer.from('d') });
    try {
      const dir = freshDir();
      const manifest = writeFixture(dir, { manifest: { ...fixtureManifest(), images: { dir: `${http.origin}/val` } } });
      const run = await runImport([manifest, '--db', join(dir, 'bagel.sqlite'), '--progress', 'lines']);
      expect(run.exitCode).toBeUndefined();
      expect(run.out).toContain(['  images: 4 (1 missing)', '  items to review: 2', '  models: 2', `  image source: ${http.origin}/val/`, 'Missing images (recorded; shown as missing in the review screen):', '  sub/c.jpg', ''].join('\n'));
      expect(run.err).toContain('images: 3 found, 1 missing');
      expect(http.requests.filter((r) => r.startsWith('HEAD'))).toHaveLength(4);

      // Every image answers 500: the source is taken for unreadable rather than every image for missing.
      const failing = writeFixture(freshDir(), {
        manifest: { ...fixtureManifest(), images: { dir: `${http.origin}/val` }, models: fixtureManifest().models.slice(0, 1) },
        files: { 'labels.csv': 'file,label\nx/fail.jpg,cat\ny/fail.jpg,dog\n', 'alpha.csv': 'file,rank,class,score\nx/fail.jpg,1,dog,0.9\n' },
      });
      const refused = await runImport([failing, '--db', join(dir, 'other.sqlite'), '--progress', 'off']);
      expect(refused.exitCode).toBe(1);
      expect(refused.err).toMatch(/^error: .*manifest\.json, field "images\.dir": the image source http:.* cannot be read: the check of every image failed \(the first: http:\/\/.*\/val\/[xy]\/fail\.jpg: answered 500/);
    } finally {
      await http.close();
    }
  });

  it('requires --db', async () => {
    const run = await runImport([writeFixture(freshDir())]);
    expect(run.exitCode).toBe(1);
    expect(run.err).toContain("required option '--db <file-or-url>' not specified");
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
