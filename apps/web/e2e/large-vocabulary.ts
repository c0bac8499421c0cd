import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** ImageNet-21k's number of classes (fall 2011 release). */
export const LARGE_VOCABULARY_CLASSES = 21_841;

interface ClassInfo {
  cid: number;
  wnid: string;
  synset: string[];
  gloss: string;
}

/** Words put before a class's names to make the classes beyond ImageNet-1k's (21 × 1,000 ≥ 20,841). */
const MODIFIERS = [
  'northern',
  'southern',
  'eastern',
  'western',
  'dwarf',
  'giant',
  'spotted',
  'striped',
  'common',
  'lesser',
  'greater',
  'wild',
  'alpine',
  'coastal',
  'desert',
  'marsh',
  'red',
  'black',
  'golden',
  'silver',
  'crested',
];

/**
 * A vocabulary of 21,841 classes in the `imagenet-class-info` format: ImageNet-1k's 1,000 classes as they are (so
 * that the demo's labels and predictions, given by key, still name them), then 20,841 more made from them, each a
 * modifier before the names of one of the 1,000 and a gloss of about the same length: about the 3.8 MB of
 * ImageNet-21k's class list as the API sends it, with names a search finds many of ("dog", "cat").
 */
export function largeVocabulary(repoRoot: string): ClassInfo[] {
  const base = JSON.parse(readFileSync(join(repoRoot, 'data/imagenet/class_info.json'), 'utf8')) as ClassInfo[];
  const classes = [...base];
  for (let i = 0; classes.length < LARGE_VOCABULARY_CLASSES; i++) {
    const modifier = MODIFIERS[Math.floor(i / base.length)]!;
    const from = base[i % base.length]!;
    classes.push({
      cid: classes.length,
      wnid: `n9${String(i).padStart(7, '0')}`,
      synset: from.synset.map((name) => `${modifier} ${name}`),
      gloss: `a ${modifier} kind of ${from.synset[0]}: ${from.gloss}`,
    });
  }
  return classes;
}

/**
 * Imports the demo's images, labels and predictions again as a second project whose vocabulary has 21,841 classes,
 * into the database the browser tests' server is serving (`bagel import` into a served SQLite database: the project
 * appears when its import commits). Returns the new project's name.
 */
export function importLargeVocabularyProject(repoRoot: string, database: string): string {
  const demo = join(repoRoot, 'data/demo');
  const manifest = JSON.parse(readFileSync(join(demo, 'manifest.json'), 'utf8')) as Record<string, unknown> & {
    project: { name: string; description: string };
    models: { predictions: { path: string } }[];
    originalLabels: { path: string };
  };
  const dir = mkdtempSync(join(tmpdir(), 'bagel-large-vocabulary-'));
  try {
    const name = `Demo with ${LARGE_VOCABULARY_CLASSES.toLocaleString('en')} classes`;
    writeFileSync(join(dir, 'classes.json'), JSON.stringify(largeVocabulary(repoRoot)));
    const { $schema: _schema, ...rest } = manifest;
    const large = {
      ...rest,
      project: { ...manifest.project, name, description: `The demo's images with a vocabulary of ${LARGE_VOCABULARY_CLASSES} classes.` },
      vocabulary: { path: 'classes.json', format: 'imagenet-class-info' },
      images: { dir: resolve(demo, 'images') },
      originalLabels: { ...manifest.originalLabels, path: resolve(demo, manifest.originalLabels.path) },
      models: manifest.models.map((m) => ({ ...m, predictions: { ...m.predictions, path: resolve(demo, m.predictions.path) } })),
    };
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(large, null, 2));
    execFileSync('node', ['apps/server/dist/bagel.js', 'import', join(dir, 'manifest.json'), '--db', database, '--progress', 'off'], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return name;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
