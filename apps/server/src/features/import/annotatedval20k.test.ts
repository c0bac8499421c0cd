// The real project: ImageNetV2's list of the 20,000 annotated validation images and the top-5 predictions of five real
// models (test-fixtures/annotatedval20k, see its README). The expected review queue is computed here from the raw
// arrays, independently of the import.
import { decodeNpy } from '@bagel/core';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/open-database';
import { importManifest, type ImportResult } from './import-manifest';

const FIXTURE = fileURLToPath(new URL('../../../test-fixtures/annotatedval20k/', import.meta.url));
const CLASS_INFO = fileURLToPath(new URL('../../../../../data/imagenet/class_info.json', import.meta.url));
const LARGE_MODELS = ['pnasnet5large', 'nasnetalarge', 'senet154', 'polynet'] as const;

const imageList = (JSON.parse(readFileSync(`${FIXTURE}imagenet-annotatedval20k-0.json`, 'utf8')) as { image_filenames: [string, string][] }).image_filenames;
const cidOf = new Map((JSON.parse(readFileSync(CLASS_INFO, 'utf8')) as { cid: number; wnid: string }[]).map((c) => [c.wnid, c.cid]));
const originalCids = imageList.map(([, wnid]) => cidOf.get(wnid)!);

/** The model's top-1 class index on each image, straight from its .npy file. */
function top1s(model: string): number[] {
  // A copy into a plain Uint8Array: decodeNpy takes the bytes as its own.
  const { shape, data } = decodeNpy(new Uint8Array(readFileSync(`${FIXTURE}predictions/${model}.npy`)));
  expect(shape).toEqual([20_000, 5]);
  return Array.from({ length: shape[0]! }, (_, i) => data[i * 5] as number);
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}

/** Top-1 accuracy against the original labels, from what the import stored. */
function storedTop1Accuracy(db: Db, projectId: number, model: string): number {
  const hits = count(
    db,
    `SELECT COUNT(*) AS n FROM predictions p JOIN images im ON im.id = p.image_id JOIN models m ON m.id = p.model_id
     WHERE im.project_id = ? AND m.name = ? AND p.rank = 1 AND p.class_idx = im.original_class_idx`,
    projectId,
    model,
  );
  return hits / count(db, 'SELECT COUNT(*) AS n FROM images WHERE project_id = ?', projectId);
}

describe('the annotated 20k validation images with four large models', () => {
  let db: Db;
  let result: ImportResult;
  const wrongCount = new Array<number>(imageList.length).fill(0);

  beforeAll(async () => {
    for (const model of LARGE_MODELS) top1s(model).forEach((cid, i) => (wrongCount[i]! += cid === originalCids[i] ? 0 : 1));
    db = openDatabase(':memory:');
    result = await importManifest(db, `${FIXTURE}manifest.json`);
  });

  it('imports the 20,000 listed images with their original labels (no image is in the repository)', () => {
    expect(result).toMatchObject({ images: 20_000, models: 4, alreadyImported: false });
    expect(result.missingImages).toHaveLength(20_000);
    const stored = db.prepare('SELECT file, original_class_idx AS cid FROM images WHERE project_id = ? ORDER BY position').all(result.projectId) as { file: string; cid: number }[];
    expect(stored.map((s) => s.file)).toEqual(imageList.map(([file]) => file));
    expect(stored.map((s) => s.cid)).toEqual(originalCids);
    expect(count(db, 'SELECT COUNT(*) AS n FROM predictions')).toBe(20_000 * 4 * 5);
  });

  it('queues exactly the images on which a chosen model misses the original label, with how many miss', () => {
    const expected = imageList.flatMap(([file], i) => (wrongCount[i]! > 0 ? [`${file} ${wrongCount[i]}`] : []));
    const queued = db
      .prepare('SELECT im.file, i.models_wrong FROM items i JOIN images im ON im.id = i.image_id WHERE i.project_id = ? ORDER BY im.position')
      .all(result.projectId) as { file: string; models_wrong: number }[];
    expect(queued.map((q) => `${q.file} ${q.models_wrong}`)).toEqual(expected);
    expect(result.items).toBe(expected.length);
    // A ranking without scores counts 0 towards an item's confidence.
    expect(count(db, 'SELECT COUNT(*) AS n FROM items WHERE confidence <> 0')).toBe(0);
  });

  it('finds the 2,163 images on which all four large models are wrong, as the source reports', () => {
    expect(count(db, 'SELECT COUNT(*) AS n FROM items WHERE project_id = ? AND models_wrong = 4', result.projectId)).toBe(2163);
  });

  it('stores each model\'s top-1 so that its accuracy is the published one', () => {
    const published = { pnasnet5large: 0.8272, nasnetalarge: 0.8236, senet154: 0.8122, polynet: 0.8094 };
    for (const model of LARGE_MODELS) {
      const accuracy = storedTop1Accuracy(db, result.projectId, model);
      expect(accuracy).toBeCloseTo(published[model], 3);
      expect(accuracy).toBe(top1s(model).filter((cid, i) => cid === originalCids[i]).length / 20_000);
    }
  });

  it('with ResNet-50 and the labels looked up in the WNID lines: accuracy 0.7614, its misses queued', async () => {
    const resnet = await importManifest(db, `${FIXTURE}manifest-resnet50.json`);
    const hits = top1s('resnet50').filter((cid, i) => cid === originalCids[i]).length;
    expect(hits).toBe(15_229);
    expect(storedTop1Accuracy(db, resnet.projectId, 'resnet50')).toBeCloseTo(0.7614, 3);
    expect(resnet).toMatchObject({ images: 20_000, items: 20_000 - hits, models: 1 });
    // The same original labels whichever file gave them.
    expect(
      count(
        db,
        `SELECT COUNT(*) AS n FROM images a JOIN images b ON a.file = b.file
         WHERE a.project_id = ? AND b.project_id = ? AND a.original_class_idx = b.original_class_idx`,
        result.projectId,
        resnet.projectId,
      ),
    ).toBe(20_000);
  });
});
