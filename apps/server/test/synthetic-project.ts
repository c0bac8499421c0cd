// Generated projects, users and sign-in for the API tests and the review-loop benchmark, on either engine. Rows are
// inserted directly with SQL (one write, multi-row INSERTs), so a 10,000-item project takes about a second.
import type { ReviewItem, Role, VerdictRequest } from '@bagel/contracts';
import { DEFAULT_MISTAKE_CATEGORIES } from '@bagel/contracts';
import { isMistakeUnderJudgements, queuePriority } from '@bagel/core';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../src/db/database';
import { insertRows, refreshStatistics } from '../src/db/dialect';
import type { Db } from '../src/db/open-database';
import { asDatabase } from '../src/db/sqlite-engine';
import { rebuildItemTotals } from '../src/features/consensus/consensus.repository';
import { hashPasswordSync } from '../src/features/users/password';
import { seededRandom } from '@bagel/core';

export interface SyntheticProjectOptions {
  name: string;
  images: number;
  models: number;
  /** Vocabulary size (default 100); keys are `c0000`, `c0001`, ... by index. */
  classes?: number;
  panelSize?: number;
  topK?: number;
  claimMinutes?: number;
  seed: number;
  /** Recorded as the project's image folder (default: a folder that does not exist). */
  imageDir?: string;
  /** Make every model's top-1 miss the original label, so every image becomes an item. */
  allWrong?: boolean;
  /**
   * Models predict among the `neighbourhood` classes nearest the original label (by index, the original included),
   * as real models confuse a class with its neighbours (a dog breed with other dog breeds), so their top-k overlap.
   * Default: any class of the vocabulary.
   */
  neighbourhood?: number;
}

export interface SyntheticProject {
  projectId: number;
  /** Class keys by index. */
  classKeys: string[];
  /** Model names in manifest order. */
  modelNames: string[];
  /** Image files in order (`img-000000.jpg`, ...). */
  files: string[];
  items: number;
}

export const classKey = (index: number) => `c${String(index).padStart(4, '0')}`;

export async function seedSyntheticProject(db: Database | Db, options: SyntheticProjectOptions): Promise<SyntheticProject> {
  const random = seededRandom(options.seed);
  const classCount = options.classes ?? 100;
  const topK = options.topK ?? 5;
  if (classCount < topK + 1) throw new Error('need more classes than topK');
  const pick = (n: number) => Math.floor(random() * n);
  const now = new Date().toISOString();
  const classKeys = Array.from({ length: classCount }, (_, i) => classKey(i));
  const modelNames = Array.from({ length: options.models }, (_, m) => `model-${String.fromCharCode(97 + (m % 26))}${m >= 26 ? m : ''}`);
  const files = Array.from({ length: options.images }, (_, i) => `img-${String(i).padStart(6, '0')}.jpg`);

  const database = asDatabase(db);
  const project = await database.write(async (trx): Promise<SyntheticProject> => {
    const { id: projectId } = await trx
      .insertInto('projects')
      .values({
        name: options.name,
        description: `Generated project (seed ${options.seed})`,
        image_dir: options.imageDir ?? `/nonexistent/${options.name}`,
        panel_size: options.panelSize ?? 3,
        top_k: topK,
        claim_ms: (options.claimMinutes ?? 20) * 60_000,
        mistake_categories: JSON.stringify(DEFAULT_MISTAKE_CATEGORIES),
        manifest_sha256: `synthetic-${options.name}-${options.seed}`,
        created_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await insertRows(
      trx,
      'classes',
      ['project_id', 'idx', 'key', 'names', 'gloss'],
      classKeys.map((key, i) => [projectId, i, key, JSON.stringify([`class ${i}`, `synonym ${i}`]), `gloss of class ${i}`]),
    );
    const modelIds: number[] = [];
    for (const [m, name] of modelNames.entries()) {
      const row = await trx.insertInto('models').values({ project_id: projectId, position: m, name, display_name: `Model ${name}`, illustrative: 0 }).returning('id').executeTakeFirstOrThrow();
      modelIds.push(row.id);
    }
    // A few hundred images at a time: drawn in the same order as always (the same seed gives the same project), then
    // the images written and their ids read back by position, then what hangs on them.
    let items = 0;
    for (let first = 0; first < options.images; first += 500) {
      const last = Math.min(first + 500, options.images);
      const drawn: { original: number; predictions: { modelId: number; ranked: { index: number; score: number }[] }[]; item: { modelsWrong: number; confidence: number } | null }[] = [];
      for (let i = first; i < last; i++) {
        const original = pick(classCount);
        const perModel = modelIds.map((modelId, m) => {
          // Half the time (or never, with allWrong) the model gets the original label right.
          const right = !options.allWrong && random() < 0.5;
          const ranked = right ? [original] : [];
          const near = options.neighbourhood;
          if (near !== undefined && near < topK + 1) throw new Error('need a neighbourhood larger than topK');
          while (ranked.length < topK) {
            const c = near === undefined ? pick(classCount) : (original - Math.floor(near / 2) + pick(near) + classCount) % classCount;
            if (!ranked.includes(c) && (ranked.length > 0 || c !== original)) ranked.push(c);
          }
          let score = 0.3 + random() * 0.69;
          const rows = ranked.map((c) => {
            const row = { key: classKeys[c]!, index: c, score: Math.round(score * 1000) / 1000 };
            score *= 0.5;
            return row;
          });
          return { modelId, model: modelNames[m]!, predictions: rows };
        });
        const priority = queuePriority(perModel, new Set([classKeys[original]!]));
        drawn.push({
          original,
          predictions: perModel.map((p) => ({ modelId: p.modelId, ranked: p.predictions })),
          item: priority.modelsWrong > 0 ? { modelsWrong: priority.modelsWrong, confidence: priority.confidence } : null,
        });
      }
      await insertRows(
        trx,
        'images',
        ['project_id', 'position', 'file', 'original_class_idx', 'missing'],
        drawn.map((d, i) => [projectId, first + i, files[first + i], d.original, 0]),
      );
      const idRows = await trx.selectFrom('images').select(['id', 'position']).where('project_id', '=', projectId).where('position', '>=', first).where('position', '<', last).execute();
      const imageIds = new Map(idRows.map((r) => [r.position, r.id]));
      const imageOf = (i: number) => imageIds.get(first + i)!;
      await insertRows(trx, 'accepted_labels', ['image_id', 'class_idx'], drawn.map((d, i) => [imageOf(i), d.original]));
      await insertRows(
        trx,
        'predictions',
        ['image_id', 'model_id', 'rank', 'class_idx', 'score'],
        drawn.flatMap((d, i) => d.predictions.flatMap((p) => p.ranked.map((r, rank) => [imageOf(i), p.modelId, rank + 1, r.index, r.score]))),
      );
      const itemRows = drawn.flatMap((d, i) => (d.item ? [[projectId, imageOf(i), files[first + i], d.item.modelsWrong, d.item.confidence]] : []));
      await insertRows(trx, 'items', ['project_id', 'image_id', 'file', 'models_wrong', 'confidence'], itemRows);
      items += itemRows.length;
    }
    // The dashboard's totals, as an import starts them.
    await rebuildItemTotals(trx, projectId);
    return { projectId, classKeys, modelNames, files, items };
  });
  // As an import does after its bulk load (the seed stands for one): dialect.refreshStatistics.
  await refreshStatistics(database.queries, ['images', 'accepted_labels', 'predictions', 'items']);
  return project;
}

// Hashing is deliberately slow; test users with the same password share one hash (verification is unaffected).
const hashes = new Map<string, string>();

/** Adds a user directly (no password policy); returns their id. */
export async function createUser(db: Database | Db, username: string, role: Role, password: string): Promise<number> {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPasswordSync(password);
    hashes.set(password, hash);
  }
  const row = await asDatabase(db).write((trx) =>
    trx.insertInto('users').values({ username, role, password_hash: hash, created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow(),
  );
  return row.id;
}

/** Signs in through the API and returns the `Cookie` header value carrying the session. */
export async function login(app: FastifyInstance, username: string, password: string): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) throw new Error(`login of ${username} answered ${res.statusCode}: ${res.body}`);
  const session = res.cookies.find((c) => c.name === 'bagel_session');
  if (!session) throw new Error('login set no session cookie');
  return `bagel_session=${session.value}`;
}

/** A complete, valid verdict on an item: the original label correct, every other candidate wrong, each mistake graded. */
export function completeVerdict(item: ReviewItem, baseRevision = 0, extra: Partial<VerdictRequest> = {}): VerdictRequest {
  const labels: VerdictRequest['labels'] = {};
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel!.key ? 'correct' : 'wrong';
  Object.assign(labels, extra.labels);
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of item.models) {
    const top1 = m.predictions[0];
    if (top1 && isMistakeUnderJudgements(top1.key, labels)) mistakes[m.model] = { severity: 'Minor', category: item.mistakeCategories[0]! };
  }
  return { problematic: null, comment: '', ...extra, labels, mistakes: { ...mistakes, ...extra.mistakes }, baseRevision };
}
