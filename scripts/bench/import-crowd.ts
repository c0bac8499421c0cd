// Benchmark of importing crowd answers at ReaL's scale: a generated (seeded) project of 50,000 ImageNet validation images
// with 185,000 (image, class) questions × 5 answers from 85 raters, as ReaL's .npz layout: `tensor` (85, 185000, 3)
// float64 (377 MB), `info` (185000, 2) unicode, `ids` (85,) int64. The same arrays are written twice, streaming, as
// numpy writes them: stored (numpy.savez, 419 MB) and deflated (numpy.savez_compressed: zlib level 6, 2.3 MB, about
// 180:1, as ReaL's released raters.npz: 2.4 MB). Each import runs in a child process whose wall time, CPU time and
// peak memory are measured: with the stored file, with the deflated one, and without crowd answers (so the crowd's own
// cost is the difference). Baselines measured in the same run: the import of the stored file, for the deflated one;
// reading the stored archive's bytes from disk.
//
//   npx tsx scripts/bench/import-crowd.ts [--images 50000] [--questions 185000] [--raters 85] [--answers 5] [--task 10] [--seed 1]
//
// Targets: every import under 400 MB of peak memory (the tensor is never held whole, compressed or not), and the
// import of the deflated file no slower than 1.2× that of the stored one. The temporary folder is removed at the end.
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';
import { createProgressReporter, progressModeFor } from '../../apps/server/src/cli/progress';
import { openDatabase } from '../../apps/server/src/db/open-database';
import { importManifest } from '../../apps/server/src/features/import/import-manifest';
import { CHUNK_BYTES } from '../../apps/server/src/features/import/source-files';
import { seededRandom } from '@bagel/core';
import { npyPreamble } from './npy-preamble';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '50000' },
    questions: { type: 'string', default: '185000' },
    raters: { type: 'string', default: '85' },
    answers: { type: 'string', default: '5' },
    task: { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
    child: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});

const REPOSITORY = new URL('../../', import.meta.url).pathname;
const CLASS_INFO = join(REPOSITORY, 'data/imagenet/class_info.json');
const VALIDATION_LABELS = join(REPOSITORY, 'apps/server/test-fixtures/annotatedval20k/imagenet2012_validation_labels.txt');

interface ChildReport {
  wallMs: number;
  /** CPU time (user + system) of the import, all threads: less sensitive than the wall time to other load. */
  cpuMs: number;
  peakRssBytes: number;
  items: number;
  crowd?: { answersStored: number; routes: Record<string, number>; iterations: number; converged: boolean };
  milestones: string[];
}

/** Child mode: import one manifest and print the measurements as JSON on stdout (progress goes to stderr). */
async function runChild(manifestPath: string, dbFile: string): Promise<void> {
  const progress = createProgressReporter((text) => process.stderr.write(text), { mode: progressModeFor(process.stderr), columns: process.stderr.columns });
  const milestones: string[] = [];
  const db = openDatabase(dbFile);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const result = await importManifest(db, manifestPath, {
    onProgress: (message, p) => {
      if (!p || p.done === p.total) {
        const rss = `${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`;
        milestones.push(`${((performance.now() - started) / 1000).toFixed(1).padStart(5)} s  RSS ${rss.padStart(6)}  ${message}`);
      }
      progress.report(message, p);
    },
  });
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  progress.finish();
  db.close();
  // maxRSS is in kilobytes: the peak resident memory of this whole process.
  const peakRssBytes = process.resourceUsage().maxRSS * 1024;
  const report: ChildReport = { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes, items: result.items, milestones };
  if (result.crowdAnswers) report.crowd = result.crowdAnswers;
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

/**
 * A zip written piece by piece with each member's sizes in its local header (as numpy.savez writes them): the header
 * goes first and its CRC (and, for a deflated member, its compressed size) is patched in once the member's bytes are
 * written. Deflated members are compressed as they are produced, piece by piece, each piece by zlib at level 6 ended
 * with a sync flush (so that the pieces join into one deflate stream) and a final empty block after the last: the
 * ratio is that of deflating the member whole (within 1%), without holding it.
 */
class ZipWriter {
  private readonly fd: number;
  private offset = 0;
  private readonly central: Buffer[] = [];

  constructor(
    path: string,
    private readonly deflate: boolean,
  ) {
    this.fd = openSync(path, 'w');
  }

  private write(bytes: Uint8Array, position?: number): void {
    if (position === undefined) {
      writeSync(this.fd, bytes);
      this.offset += bytes.length;
    } else {
      writeSync(this.fd, bytes, 0, bytes.length, position);
    }
  }

  /** Writes a member of `size` bytes that `produce` hands over in pieces. */
  member(name: string, size: number, produce: (write: (bytes: Uint8Array) => void) => void): void {
    const method = this.deflate ? 8 : 0;
    const nameBytes = Buffer.from(name, 'latin1');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const headerAt = this.offset;
    this.write(local);
    this.write(nameBytes);
    const dataAt = this.offset;
    let crc = 0;
    let written = 0;
    produce((bytes) => {
      crc = crc32(bytes, crc);
      written += bytes.length;
      this.write(this.deflate ? deflateRawSync(bytes, { level: 6, finishFlush: zlibConstants.Z_SYNC_FLUSH }) : bytes);
    });
    if (this.deflate) this.write(deflateRawSync(new Uint8Array(0), { level: 6 }));
    if (written !== size) throw new Error(`member ${name}: ${written} bytes written, ${size} announced`);
    const compressedSize = this.offset - dataAt;
    const patch = Buffer.alloc(8);
    patch.writeUInt32LE(crc >>> 0, 0);
    patch.writeUInt32LE(compressedSize, 4);
    this.write(patch, headerAt + 14);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4);
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt16LE(0x21, 14);
    entry.writeUInt32LE(crc >>> 0, 16);
    entry.writeUInt32LE(compressedSize, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE(headerAt, 42);
    this.central.push(entry, nameBytes);
  }

  close(): void {
    const start = this.offset;
    for (const part of this.central) this.write(part);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.central.length / 2, 8);
    end.writeUInt16LE(this.central.length / 2, 10);
    end.writeUInt32LE(this.offset - start, 12);
    end.writeUInt32LE(start, 16);
    this.write(end);
    closeSync(this.fd);
  }
}

/**
 * The crowd: `questions` (image, class) pairs spread over the images (each image's original label, then other
 * classes), in tasks of `task` consecutive questions, each task answered by `perQuestion` distinct raters (raters
 * answer runs of questions: with tasks of 10 the deflated archive weighs 2.3 MB, as ReaL's raters.npz weighs 2.4 MB;
 * answers spread question by question deflate only 115:1); a third of the raters answer at random, the others are
 * right 85–90% of the time and otherwise mostly say "maybe". The original label is present 90% of the time, another
 * class 15%.
 */
function generateCrowd(options: {
  images: number;
  labels: Int32Array;
  classes: number;
  questions: number;
  raters: number;
  perQuestion: number;
  task: number;
  seed: number;
}) {
  const random = seededRandom(options.seed);
  const { questions: Q, raters: R, perQuestion } = options;
  const questionImage = new Int32Array(Q);
  const questionClass = new Int32Array(Q);
  const perImage = Q / options.images;
  let q = 0;
  for (let i = 0; i < options.images && q < Q; i++) {
    const asked = new Set<number>([options.labels[i]!]);
    const wanted = Math.min(options.classes, Math.round((i + 1) * perImage) - q);
    while (asked.size < wanted) asked.add(Math.floor(random() * options.classes));
    for (const c of asked) {
      if (q === Q) break;
      questionImage[q] = i;
      questionClass[q] = c;
      q++;
    }
  }
  const poor = new Uint8Array(R);
  for (let marked = 0; marked < Math.floor(R / 3); ) {
    const r = Math.floor(random() * R);
    if (!poor[r]) {
      poor[r] = 1;
      marked++;
    }
  }
  const accuracy = Float64Array.from({ length: R }, () => 0.85 + 0.05 * random());
  // Per rater, the questions they answered and the answers (0 no, 1 maybe, 2 yes), in question order.
  const byRater: { question: number[]; answer: number[] }[] = Array.from({ length: R }, () => ({ question: [], answer: [] }));
  const chosen = new Int32Array(perQuestion);
  for (let k = 0; k < Q; k++) {
    const present = random() < (questionClass[k] === options.labels[questionImage[k]!] ? 0.9 : 0.15);
    const newTask = k % options.task === 0;
    for (let c = 0; c < perQuestion; c++) {
      if (newTask) {
        let r: number;
        do r = Math.floor(random() * R);
        while (chosen.subarray(0, c).includes(r));
        chosen[c] = r;
      }
      const r = chosen[c]!;
      let a: number;
      if (poor[r]) a = Math.floor(random() * 3);
      else if (random() < accuracy[r]!) a = present ? 2 : 0;
      else a = random() < 2 / 3 ? 1 : present ? 0 : 2;
      byRater[r]!.question.push(k);
      byRater[r]!.answer.push(a);
    }
  }
  return { questionImage, questionClass, byRater };
}

function writeCrowdNpz(path: string, crowd: ReturnType<typeof generateCrowd>, files: readonly string[], raters: number, deflate: boolean): void {
  const Q = crowd.questionImage.length;
  const zip = new ZipWriter(path, deflate);

  const tensorPreamble = npyPreamble('<f8', [raters, Q, 3]);
  zip.member('tensor.npy', tensorPreamble.length + raters * Q * 3 * 8, (write) => {
    write(tensorPreamble);
    const row = new Float64Array(Q * 3);
    for (let r = 0; r < raters; r++) {
      row.fill(0);
      const { question, answer } = crowd.byRater[r]!;
      for (let j = 0; j < question.length; j++) row[question[j]! * 3 + answer[j]!] = 1;
      // One rater's row (Q × 3 float64: 4.4 MB at ReaL's scale) in 1 MiB pieces.
      const bytes = new Uint8Array(row.buffer);
      for (let at = 0; at < bytes.length; at += CHUNK_BYTES) write(bytes.subarray(at, Math.min(bytes.length, at + CHUNK_BYTES)));
    }
  });

  const width = Math.max(...files.map((f) => f.length), 4);
  const infoPreamble = npyPreamble(`<U${width}`, [Q, 2]);
  zip.member('info.npy', infoPreamble.length + Q * 2 * width * 4, (write) => {
    write(infoPreamble);
    const rowsPerPiece = 4096;
    for (let first = 0; first < Q; first += rowsPerPiece) {
      const rows = Math.min(rowsPerPiece, Q - first);
      const piece = new Uint32Array(rows * 2 * width);
      for (let k = 0; k < rows; k++) {
        const cells = [files[crowd.questionImage[first + k]!]!, String(crowd.questionClass[first + k])];
        cells.forEach((text, cell) => {
          for (let c = 0; c < text.length; c++) piece[(k * 2 + cell) * width + c] = text.charCodeAt(c);
        });
      }
      write(new Uint8Array(piece.buffer));
    }
  });

  const idsPreamble = npyPreamble('<i8', [raters]);
  zip.member('ids.npy', idsPreamble.length + raters * 8, (write) => {
    write(idsPreamble);
    write(new Uint8Array(BigInt64Array.from({ length: raters }, (_, r) => BigInt(1000 + r)).buffer));
  });
  zip.close();
}

function runImportInChild(manifestPath: string, dbFile: string): Promise<ChildReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, '--child', manifestPath, dbFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`the import exited with ${code}`))));
  });
}

async function timeRead(path: string): Promise<number> {
  const started = performance.now();
  let bytes = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK_BYTES })) bytes += (chunk as Buffer).length;
  if (bytes !== statSync(path).size) throw new Error('short read');
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const IMAGES = Number(values.images);
  const QUESTIONS = Number(values.questions);
  const RATERS = Number(values.raters);
  const PER_QUESTION = Number(values.answers);
  const SEED = Number(values.seed);
  const dir = mkdtempSync(join(tmpdir(), 'bagel-bench-crowd-'));
  const cleanUp = () => rmSync(dir, { recursive: true, force: true });
  process.once('SIGINT', () => {
    cleanUp();
    process.exit(130);
  });
  try {
    let started = performance.now();
    const classInfo = JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { cid: number; wnid: string }[];
    const cidOf = new Map(classInfo.map((c) => [c.wnid, c.cid]));
    const wnidLines = readFileSync(VALIDATION_LABELS, 'utf8').split('\n').slice(0, IMAGES);
    writeFileSync(join(dir, 'labels.txt'), `${wnidLines.join('\n')}\n`);
    const labels = Int32Array.from(wnidLines, (w) => cidOf.get(w)!);
    const files = Array.from({ length: IMAGES }, (_, i) => `ILSVRC2012_val_${String(i + 1).padStart(8, '0')}.JPEG`);
    // One model's top-1, right three times out of four: (N, 1) int32.
    const random = seededRandom(SEED + 7);
    const top1 = Int32Array.from(labels, (c) => (random() < 0.75 ? c : Math.floor(random() * classInfo.length)));
    writeFileSync(join(dir, 'top1.npy'), Buffer.concat([npyPreamble('<i4', [IMAGES, 1]), new Uint8Array(top1.buffer)]));
    const crowd = generateCrowd({ images: IMAGES, labels, classes: classInfo.length, questions: QUESTIONS, raters: RATERS, perQuestion: PER_QUESTION, task: Number(values.task), seed: SEED });
    const storedPath = join(dir, 'crowd.npz');
    const deflatedPath = join(dir, 'crowd-deflated.npz');
    writeCrowdNpz(storedPath, crowd, files, RATERS, false);
    writeCrowdNpz(deflatedPath, crowd, files, RATERS, true);
    mkdirSync(join(dir, 'images'));
    const manifest = (crowdFile: string | null) => ({
      version: 1,
      project: { name: 'Crowd import benchmark' },
      vocabulary: { path: CLASS_INFO, format: 'imagenet-class-info' },
      images: { dir: 'images' },
      originalLabels: { path: 'labels.txt', format: 'imagenet-wnid-lines' },
      models: [{ name: 'top1', predictions: { path: 'top1.npy', format: 'npy-topk' } }],
      ...(crowdFile ? { crowdAnswers: { path: crowdFile, format: 'real-npz' } } : {}),
    });
    writeFileSync(join(dir, 'stored.json'), JSON.stringify(manifest('crowd.npz')));
    writeFileSync(join(dir, 'deflated.json'), JSON.stringify(manifest('crowd-deflated.npz')));
    writeFileSync(join(dir, 'without-crowd.json'), JSON.stringify(manifest(null)));
    const storedBytes = statSync(storedPath).size;
    const deflatedBytes = statSync(deflatedPath).size;
    const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 10e6 ? 1 : 0)} MB`;
    console.log(
      `generated ${IMAGES} images, ${QUESTIONS} questions x ${PER_QUESTION} answers from ${RATERS} raters: crowd.npz ${mb(storedBytes)} stored, ` +
        `${mb(deflatedBytes)} deflated (${(storedBytes / deflatedBytes).toFixed(0)}:1), in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const stored = await runImportInChild(join(dir, 'stored.json'), join(dir, 'stored.sqlite'));
    const deflated = await runImportInChild(join(dir, 'deflated.json'), join(dir, 'deflated.sqlite'));
    const withoutCrowd = await runImportInChild(join(dir, 'without-crowd.json'), join(dir, 'without.sqlite'));
    if (JSON.stringify(stored.crowd) !== JSON.stringify(deflated.crowd)) throw new Error('the stored and deflated files gave different crowd answers');
    const readSeconds = await timeRead(storedPath);

    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const verdict = (met: boolean) => (met ? 'met' : 'NOT met');
    const RSS_TARGET = 400e6;
    for (const [name, run] of [
      ['stored', stored],
      ['deflated', deflated],
    ] as const) {
      console.log(`\nimport with the ${name} crowd file:`);
      for (const line of run.milestones) console.log(`  ${line}`);
    }
    console.log(`\ncrowd: ${JSON.stringify(stored.crowd)}`);
    console.log(`\nCrowd import benchmark (${['npx tsx scripts/bench/import-crowd.ts', ...process.argv.slice(2)].join(' ')})`);
    const line = (name: string, run: ChildReport) =>
      `  ${name.padEnd(38)} wall ${seconds(run.wallMs).padStart(6)}  CPU ${seconds(run.cpuMs).padStart(6)}  peak RSS ${mb(run.peakRssBytes).padStart(6)}`;
    console.log(`${line('import, stored crowd file (baseline):', stored)}  target < 400 MB: ${verdict(stored.peakRssBytes < RSS_TARGET)}`);
    console.log(`${line('import, deflated crowd file:', deflated)}  target < 400 MB: ${verdict(deflated.peakRssBytes < RSS_TARGET)}`);
    const wallRatio = deflated.wallMs / stored.wallMs;
    const cpuRatio = deflated.cpuMs / stored.cpuMs;
    console.log(
      `  deflated / stored: wall ${wallRatio.toFixed(2)}x  target <= 1.2x: ${verdict(wallRatio <= 1.2)}; CPU ${cpuRatio.toFixed(2)}x; ` +
        `peak RSS ${(deflated.peakRssBytes / stored.peakRssBytes).toFixed(2)}x`,
    );
    console.log(`${line('import without crowd answers:', withoutCrowd)}  ${withoutCrowd.items} items`);
    for (const [name, run] of [
      ['stored', stored],
      ['deflated', deflated],
    ] as const) {
      console.log(
        `  the crowd answers' own cost, ${name}: wall ${seconds(run.wallMs - withoutCrowd.wallMs)}, CPU ${seconds(run.cpuMs - withoutCrowd.cpuMs)}, ` +
          `${mb(run.peakRssBytes - withoutCrowd.peakRssBytes)} of memory`,
      );
    }
    console.log(`  reading crowd.npz's ${mb(storedBytes)} from disk: ${readSeconds.toFixed(2)} s`);
  } finally {
    cleanUp();
  }
}

if (values.child) {
  const [manifestPath, dbFile] = process.argv.slice(-2);
  await runChild(manifestPath!, dbFile!);
} else {
  await main();
}
