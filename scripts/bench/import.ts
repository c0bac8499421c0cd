// Benchmark of the import at ImageNet scale: a generated (seeded) project of 50,000 validation images and five models'
// (50000, 1000) float32 logits as .npy files (~1 GB on disk, written streaming), imported by `importManifest` in a
// child process whose wall time and peak memory are measured. Baselines measured in the same run:
// - a raw better-sqlite3 insert of the very prediction rows the import wrote, into the same schema, one transaction;
// - reading one .npy file's bytes from disk (fs.createReadStream, the same 1 MiB chunks), against decoding it, and
//   against the import's reader (decode, check, softmax, top-k).
//
//   npx tsx scripts/bench/import.ts [--images 50000] [--models 5] [--classes 1000] [--seed 1] [--postgres | --db postgres://…]
//
// With `--postgres` (a throwaway cluster started for the run) or `--db postgres://…` (a server of yours, where a
// scratch database is made and dropped), the same manifest is then imported into PostgreSQL, in a child process too.
// Targets: the import under 60 s and under 1.5 GB peak memory; into PostgreSQL, under 2x the SQLite import's time.
// The temporary folder is removed at the end.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdtempSync, openSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { createVocabulary, NpyPredictionsReader, NpyStreamDecoder, rowsOfProjectImages } from '@bagel/core';
import { createProgressReporter, progressModeFor } from '../../apps/server/src/cli/progress';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { connectDatabase } from '../../apps/server/src/db/database';
import { parseDatabaseLocation } from '../../apps/server/src/db/database-location';
import { importManifest } from '../../apps/server/src/features/import/import-manifest';
import { npyPreamble } from './npy-preamble';
import { postgresForBench } from './postgres-scratch';
import { CHUNK_BYTES } from '../../apps/server/src/features/import/source-files';
import { seededRandom } from '@bagel/core';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '50000' },
    models: { type: 'string', default: '5' },
    classes: { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
    child: { type: 'boolean', default: false },
    postgres: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
  allowPositionals: true,
});

/** Child mode: import one manifest into a SQLite file or a PostgreSQL URL and print the measurements as JSON on stdout (progress goes to stderr). */
async function runChild(manifestPath: string, location: string): Promise<void> {
  const progress = createProgressReporter((text) => process.stderr.write(text), { mode: progressModeFor(process.stderr), columns: process.stderr.columns });
  const database = await connectDatabase(parseDatabaseLocation(location));
  const started = performance.now();
  const result = await importManifest(database, manifestPath, { onProgress: progress.report });
  const wallMs = performance.now() - started;
  progress.finish();
  await database.close();
  // maxRSS is in kilobytes: the peak resident memory of this whole process.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  process.stdout.write(`${JSON.stringify({ wallMs, peakRssBytes, images: result.images, items: result.items, models: result.models })}\n`);
}

/**
 * Writes one model's logits, 1 MiB at a time: uniform noise, a strong bump on the class the model "sees" (the original
 * label with probability `accuracy`, else a random class) and a weaker bump on a random runner-up.
 */
function writeLogits(path: string, labels: Int32Array, classes: number, accuracy: number, seed: number): void {
  const random = seededRandom(seed);
  const fd = openSync(path, 'w');
  writeSync(fd, npyPreamble('<f4', [labels.length, classes]));
  const rowsPerBatch = Math.max(1, Math.floor(CHUNK_BYTES / (4 * classes)));
  const batch = new Float32Array(rowsPerBatch * classes);
  for (let first = 0; first < labels.length; first += rowsPerBatch) {
    const rows = Math.min(rowsPerBatch, labels.length - first);
    for (let r = 0; r < rows; r++) {
      const o = r * classes;
      for (let c = 0; c < classes; c++) batch[o + c] = random() * 4 - 2;
      const seen = random() < accuracy ? labels[first + r]! : Math.floor(random() * classes);
      batch[o + seen]! += 8 + random() * 4;
      batch[o + Math.floor(random() * classes)]! += 5;
    }
    writeSync(fd, new Uint8Array(batch.buffer, 0, rows * classes * 4));
  }
  closeSync(fd);
}

function runImportInChild(manifestPath: string, dbFile: string): Promise<{ wallMs: number; peakRssBytes: number; images: number; items: number; models: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', manifestPath, dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`the import exited with ${code}`))));
  });
}

/** Inserts the prediction rows the import wrote into a fresh database of the same schema: the time of the insert alone. */
function rawInsertSeconds(importedDb: string, freshDb: string): { seconds: number; rows: number } {
  const source = new Database(importedDb, { readonly: true });
  const n = (source.prepare('SELECT COUNT(*) AS n FROM predictions').get() as { n: number }).n;
  const imageId = new Int32Array(n);
  const modelId = new Int32Array(n);
  const rank = new Int32Array(n);
  const classIdx = new Int32Array(n);
  const score = new Float64Array(n);
  let i = 0;
  for (const row of source.prepare('SELECT image_id, model_id, rank, class_idx, score FROM predictions').raw().iterate() as Iterable<number[]>) {
    imageId[i] = row[0]!;
    modelId[i] = row[1]!;
    rank[i] = row[2]!;
    classIdx[i] = row[3]!;
    score[i] = row[4]!;
    i++;
  }
  const projects = source.prepare('SELECT * FROM projects').all() as Record<string, unknown>[];
  const models = source.prepare('SELECT * FROM models').all() as Record<string, unknown>[];
  const images = source.prepare('SELECT id, project_id, position, file, original_class_idx, missing FROM images').raw().all() as unknown[][];
  source.close();

  // The rows the predictions refer to, copied first (not timed), so that the same foreign keys hold.
  const db = openDatabase(freshDb);
  db.transaction(() => {
    const insertProject = db.prepare(
      'INSERT INTO projects (id, name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256, created_at) VALUES (@id, @name, @description, @image_dir, @panel_size, @top_k, @claim_ms, @mistake_categories, @manifest_sha256, @created_at)',
    );
    for (const p of projects) insertProject.run(p);
    const insertModel = db.prepare('INSERT INTO models (id, project_id, position, name, display_name, illustrative) VALUES (@id, @project_id, @position, @name, @display_name, @illustrative)');
    for (const m of models) insertModel.run(m);
    const insertImage = db.prepare('INSERT INTO images (id, project_id, position, file, original_class_idx, missing) VALUES (?, ?, ?, ?, ?, ?)');
    for (const image of images) insertImage.run(...image);
  })();
  const insertPrediction = db.prepare('INSERT INTO predictions (image_id, model_id, rank, class_idx, score) VALUES (?, ?, ?, ?, ?)');
  const started = performance.now();
  db.transaction(() => {
    for (let r = 0; r < n; r++) insertPrediction.run(imageId[r], modelId[r], rank[r], classIdx[r], score[r]);
  })();
  const seconds = (performance.now() - started) / 1000;
  db.close();
  return { seconds, rows: n };
}

async function timeRead(path: string, consume: (chunk: Buffer) => void): Promise<number> {
  const started = performance.now();
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) consume(chunk as Buffer);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const IMAGES = Number(values.images);
  const MODELS = Number(values.models);
  const CLASSES = Number(values.classes);
  const SEED = Number(values.seed);
  const command = `npx tsx scripts/bench/import.ts --images ${IMAGES} --models ${MODELS} --classes ${CLASSES} --seed ${SEED}${values.postgres ? ' --postgres' : values.db ? ' --db …' : ''}`;
  const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-import-'));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    // --- the generated project -----------------------------------------------------------------------------------
    let started = performance.now();
    const random = seededRandom(SEED);
    const keys = Array.from({ length: CLASSES }, (_, i) => `n${String(10_000_000 + i)}`);
    writeFileSync(join(dir, 'classes.json'), JSON.stringify(keys.map((key, index) => ({ index, key, names: [`class ${index}`] }))));
    const labels = new Int32Array(IMAGES);
    for (let i = 0; i < IMAGES; i++) labels[i] = Math.floor(random() * CLASSES);
    writeFileSync(join(dir, 'validation-labels.txt'), `${Array.from(labels, (c) => keys[c]).join('\n')}\n`);
    const models = Array.from({ length: MODELS }, (_, m) => `model-${m + 1}`);
    models.forEach((name, m) => writeLogits(join(dir, `${name}.npy`), labels, CLASSES, 0.75 + 0.02 * m, SEED * 1000 + m));
    const manifestPath = join(dir, 'manifest.json');
    writeFileSync(
      manifestPath,
      JSON.stringify({
        version: 1,
        project: { name: 'Import benchmark', topK: 5 },
        vocabulary: { path: 'classes.json', format: 'json' },
        images: { dir: 'images' },
        originalLabels: { path: 'validation-labels.txt', format: 'imagenet-wnid-lines' },
        models: models.map((name) => ({ name, predictions: { path: `${name}.npy`, format: 'npy-scores', kind: 'logits' } })),
      }),
    );
    const npyBytes = models.reduce((n, name) => n + statSync(join(dir, `${name}.npy`)).size, 0);
    const generateSeconds = (performance.now() - started) / 1000;
    console.log(`generated ${IMAGES} images, ${MODELS} x (${IMAGES}, ${CLASSES}) float32 logits (${(npyBytes / 1e6).toFixed(0)} MB of .npy) in ${generateSeconds.toFixed(1)} s`);

    // --- the import, in a child process of its own ---------------------------------------------------------------
    const dbFile = join(dir, 'bench.sqlite');
    const imported = await runImportInChild(manifestPath, dbFile);

    // --- the same import into PostgreSQL -------------------------------------------------------------------------
    let intoPostgres: Awaited<ReturnType<typeof runImportInChild>> | null = null;
    const postgres = await postgresForBench(values);
    if (postgres) {
      const scratch = await postgres.scratch('import');
      try {
        intoPostgres = await runImportInChild(manifestPath, scratch.url);
      } finally {
        await scratch.drop();
        await postgres.stop();
      }
    }

    // --- baseline 1: the same prediction rows, raw ---------------------------------------------------------------
    const raw = rawInsertSeconds(dbFile, join(dir, 'raw.sqlite'));

    // --- baseline 2: reading one .npy file -----------------------------------------------------------------------
    const npy = join(dir, `${models[0]}.npy`);
    const size = statSync(npy).size;
    let bytes = 0;
    await timeRead(npy, (chunk) => (bytes += chunk.length)); // warm the page cache, as for the import's files
    const diskSeconds = await timeRead(npy, (chunk) => (bytes += chunk.length));
    const decoder = new NpyStreamDecoder({ onRows: () => {} });
    const decodeSeconds = await timeRead(npy, (chunk) => decoder.push(chunk));
    decoder.finish();
    const vocabulary = createVocabulary(keys.map((key, index) => ({ index, key, names: [key], gloss: '' })));
    const reader = new NpyPredictionsReader({ file: npy, format: 'npy-scores', kind: 'logits', vocabulary, topK: 5, imageCount: IMAGES, rows: rowsOfProjectImages(IMAGES) });
    const readerSeconds = await timeRead(npy, (chunk) => reader.push(chunk));
    reader.finish();

    // --- figures -------------------------------------------------------------------------------------------------
    const mbps = (seconds: number) => `${(size / 1e6 / seconds).toFixed(0)} MB/s`;
    const wall = imported.wallMs / 1000;
    const peakGb = imported.peakRssBytes / 1e9;
    const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
    console.log('');
    console.log(`Import benchmark (${command})`);
    console.log(`  project: ${imported.images} images, ${imported.models} models, ${imported.items} items, ${raw.rows} prediction rows`);
    console.log(`  import wall time:  ${wall.toFixed(1)} s      target < 60 s: ${verdict(wall < 60)}`);
    console.log(`  import peak RSS:   ${(imported.peakRssBytes / 1e6).toFixed(0)} MB   target < 1.5 GB: ${verdict(peakGb < 1.5)}`);
    if (intoPostgres) {
      const ratio = intoPostgres.wallMs / imported.wallMs;
      console.log(`  into PostgreSQL:   ${(intoPostgres.wallMs / 1000).toFixed(1)} s, peak RSS ${(intoPostgres.peakRssBytes / 1e6).toFixed(0)} MB; PostgreSQL / SQLite = ${ratio.toFixed(2)}x   target < 2x: ${verdict(ratio < 2)}`);
    }
    console.log(`  raw better-sqlite3 insert of the same ${raw.rows} prediction rows: ${raw.seconds.toFixed(2)} s; import / raw insert = ${(wall / raw.seconds).toFixed(1)}x`);
    console.log(`  .npy reading, ${(size / 1e6).toFixed(0)} MB file, ${CHUNK_BYTES / (1 << 20)} MiB chunks:`);
    console.log(`    bytes from disk (createReadStream):          ${diskSeconds.toFixed(2)} s  ${mbps(diskSeconds)}`);
    console.log(`    decoded (NpyStreamDecoder):                   ${decodeSeconds.toFixed(2)} s  ${mbps(decodeSeconds)}  rate ${(diskSeconds / decodeSeconds).toFixed(2)} of disk`);
    console.log(`    import reader (decode, check, softmax top-5): ${readerSeconds.toFixed(2)} s  ${mbps(readerSeconds)}  rate ${(diskSeconds / readerSeconds).toFixed(2)} of disk`);
    if (bytes !== 2 * size) throw new Error('the file was not read whole');
  } finally {
    cleanUp();
  }
}

if (values.child) {
  const [manifestPath, dbFile] = process.argv.slice(process.argv.indexOf('--child') + 1);
  await runChild(manifestPath!, dbFile!);
} else {
  await main();
}
