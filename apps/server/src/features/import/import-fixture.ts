// A small, valid import project written to a folder, for the import tests: each test breaks one thing in it.
import type { ImportManifestInput } from '@bagel/contracts';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Database } from '../../db/database';
import type { Db } from '../../db/open-database';
import { ImportError, importManifest } from './import-manifest';

export const FIXTURE_CLASSES_CSV = [
  'index,key,names,gloss',
  '0,cat,cat;house cat,a small domesticated feline',
  '1,dog,dog,',
  '2,cup,cup;teacup,"a small open container, usually with a handle"',
  '3,espresso,espresso,strong black coffee',
  '4,fox,fox,',
  '',
].join('\n');

/** Original labels: four images, each present on disk unless a test removes it. */
export const FIXTURE_LABELS_CSV = ['file,label', 'a.jpg,cat', 'b.jpg,dog', 'sub/c.jpg,espresso', 'd.jpg,fox', ''].join('\n');

/** Model "alpha": wrong on a.jpg (dog for cat) and sub/c.jpg (cup for espresso); right on b.jpg and d.jpg. */
export const FIXTURE_ALPHA_CSV = [
  'file,rank,class,score',
  'a.jpg,1,dog,0.7',
  'a.jpg,2,cat,0.2',
  'a.jpg,3,fox,0.05',
  'b.jpg,1,dog,0.9',
  'b.jpg,2,cat,0.05',
  'sub/c.jpg,1,cup,0.6',
  'sub/c.jpg,2,espresso,0.3',
  'd.jpg,1,fox,0.8',
  '',
].join('\n');

/** Model "beta" (JSON, classes by index, no scores on one image): wrong on a.jpg only. */
export const FIXTURE_BETA_ROWS = [
  { file: 'a.jpg', rank: 1, class: 4, score: 0.9 },
  { file: 'a.jpg', rank: 2, class: 0, score: 0.1 },
  { file: 'b.jpg', rank: 1, class: 1, score: null },
  { file: 'sub/c.jpg', rank: 1, class: 3, score: 0.8 },
];

export function fixtureManifest(): ImportManifestInput {
  return {
    version: 1,
    project: { name: 'Fixture project', description: 'for tests', panelSize: 3, topK: 2 },
    vocabulary: { path: 'classes.csv', format: 'csv' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv' },
    models: [
      { name: 'alpha', displayName: 'Alpha net', predictions: { path: 'alpha.csv', format: 'csv' } },
      { name: 'beta', illustrative: true, predictions: { path: 'beta.json', format: 'json', classBy: 'index' } },
    ],
  };
}

/** Writes the fixture project into `dir` (with any file replaced by `files`); returns the manifest's path. */
export function writeFixture(dir: string, options: { manifest?: unknown; files?: Record<string, string | Uint8Array>; images?: string[] } = {}): string {
  const files: Record<string, string | Uint8Array> = {
    'classes.csv': FIXTURE_CLASSES_CSV,
    'labels.csv': FIXTURE_LABELS_CSV,
    'alpha.csv': FIXTURE_ALPHA_CSV,
    'beta.json': JSON.stringify(FIXTURE_BETA_ROWS, null, 2),
    'manifest.json': JSON.stringify(options.manifest ?? fixtureManifest(), null, 2),
    ...options.files,
  };
  mkdirSync(join(dir, 'images', 'sub'), { recursive: true });
  for (const image of options.images ?? ['a.jpg', 'b.jpg', 'sub/c.jpg', 'd.jpg']) writeFileSync(join(dir, 'images', image), 'not really a JPEG');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return join(dir, 'manifest.json');
}

/** Row counts of `tables`: taken before and after a refused import, they show that nothing was written. */
export function countRows(db: Db, tables: readonly string[]): Record<string, number> {
  return Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n]));
}

/** The ImportError a refused import throws; fails the test when the import goes through or throws anything else. */
export async function importRefusal(db: Database | Db, manifestPath: string): Promise<ImportError> {
  try {
    await importManifest(db, manifestPath);
  } catch (error) {
    if (error instanceof ImportError) return error;
    throw error;
  }
  throw new Error('the import was expected to be refused');
}
