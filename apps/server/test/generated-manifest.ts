// A generated import project of any size, written to a folder as CSV files: for the tests and benchmarks of an import
// into a database a server is serving.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@bagel/core';

/** Writes a manifest of `images` images, `classes` classes and `models` models (top-5 each, every image an item). */
export function writeGeneratedManifest(dir: string, options: { name: string; images: number; models: number; classes?: number; seed?: number }): string {
  const random = seededRandom(options.seed ?? 1);
  const classes = options.classes ?? 100;
  mkdirSync(join(dir, 'images'), { recursive: true });
  const vocabulary = ['index,key,names,gloss', ...Array.from({ length: classes }, (_, i) => `${i},k${i},class ${i},`)];
  const originals = Array.from({ length: options.images }, () => Math.floor(random() * classes));
  const file = (i: number) => `img-${String(i).padStart(6, '0')}.jpg`;
  const labels = ['file,label', ...originals.map((c, i) => `${file(i)},k${c}`)];
  writeFileSync(join(dir, 'classes.csv'), vocabulary.join('\n') + '\n');
  writeFileSync(join(dir, 'labels.csv'), labels.join('\n') + '\n');
  const models = Array.from({ length: options.models }, (_, m) => {
    const rows = ['file,rank,class,score'];
    originals.forEach((original, i) => {
      // Top-5 without the original label: every model misses every image.
      const ranked = new Set<number>();
      while (ranked.size < 5) {
        const c = Math.floor(random() * classes);
        if (c !== original) ranked.add(c);
      }
      let rank = 1;
      for (const c of ranked) rows.push(`${file(i)},${rank},k${c},${(0.9 / rank).toFixed(3)}`), rank++;
    });
    writeFileSync(join(dir, `model-${m}.csv`), rows.join('\n') + '\n');
    return { name: `model-${m}`, predictions: { path: `model-${m}.csv`, format: 'csv' } };
  });
  const manifest = {
    version: 1,
    project: { name: options.name, panelSize: 3, topK: 5 },
    vocabulary: { path: 'classes.csv', format: 'csv' },
    images: { dir: 'images' },
    originalLabels: { path: 'labels.csv', format: 'csv' },
    models,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return join(dir, 'manifest.json');
}
