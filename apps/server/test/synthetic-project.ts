// Generated projects, users and sign-in for the API tests and the review-loop benchmark. Rows are inserted directly
// with SQL (one transaction, prepared statements), so a 10,000-item project takes well under a second.
import type { ReviewItem, Role, VerdictRequest } from '@bagel/contracts';
import { DEFAULT_MISTAKE_CATEGORIES } from '@bagel/contracts';
import { isMistakeUnderJudgements, queuePriority } from '@bagel/core';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../src/db/open-database';
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

export function seedSyntheticProject(db: Db, options: SyntheticProjectOptions): SyntheticProject {
  const random = seededRandom(options.seed);
  const classCount = options.classes ?? 100;
  const topK = options.topK ?? 5;
  if (classCount < topK + 1) throw new Error('need more classes than topK');
  const pick = (n: number) => Math.floor(random() * n);
  const now = new Date().toISOString();
  const classKeys = Array.from({ length: classCount }, (_, i) => classKey(i));
  const modelNames = Array.from({ length: options.models }, (_, m) => `model-${String.fromCharCode(97 + (m % 26))}${m >= 26 ? m : ''}`);
  const files = Array.from({ length: options.images }, (_, i) => `img-${String(i).padStart(6, '0')}.jpg`);

  const insertProject = db.prepare(
    `INSERT INTO projects (name, description, image_dir, panel_size, top_k, claim_ms, mistake_categories, manifest_sha256, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertClass = db.prepare('INSERT INTO classes (project_id, idx, key, names, gloss) VALUES (?, ?, ?, ?, ?)');
  const insertModel = db.prepare('INSERT INTO models (project_id, position, name, display_name, illustrative) VALUES (?, ?, ?, ?, 0)');
  const insertImage = db.prepare('INSERT INTO images (project_id, position, file, original_class_idx, missing) VALUES (?, ?, ?, ?, 0)');
  const insertAccepted = db.prepare('INSERT INTO accepted_labels (image_id, class_idx) VALUES (?, ?)');
  const insertPrediction = db.prepare('INSERT INTO predictions (image_id, model_id, rank, class_idx, score) VALUES (?, ?, ?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO items (project_id, image_id, models_wrong, confidence) VALUES (?, ?, ?, ?)');

  return db.transaction((): SyntheticProject => {
    const projectId = Number(
      insertProject.run(
        options.name,
        `Generated project (seed ${options.seed})`,
        options.imageDir ?? `/nonexistent/${options.name}`,
        options.panelSize ?? 3,
        topK,
        (options.claimMinutes ?? 20) * 60_000,
        JSON.stringify(DEFAULT_MISTAKE_CATEGORIES),
        `synthetic-${options.name}-${options.seed}`,
        now,
      ).lastInsertRowid,
    );
    for (let i = 0; i < classCount; i++) {
      insertClass.run(projectId, i, classKeys[i], JSON.stringify([`class ${i}`, `synonym ${i}`]), `gloss of class ${i}`);
    }
    const modelIds = modelNames.map((name, m) => Number(insertModel.run(projectId, m, name, `Model ${name}`).lastInsertRowid));
    let items = 0;
    for (let i = 0; i < options.images; i++) {
      const original = pick(classCount);
      const imageId = Number(insertImage.run(projectId, i, files[i], original).lastInsertRowid);
      insertAccepted.run(imageId, original);
      const predictions = modelIds.map((modelId, m) => {
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
        rows.forEach((p, r) => insertPrediction.run(imageId, modelId, r + 1, p.index, p.score));
        return { model: modelNames[m]!, predictions: rows };
      });
      const priority = queuePriority(predictions, new Set([classKeys[original]!]));
      if (priority.modelsWrong > 0) {
        insertItem.run(projectId, imageId, priority.modelsWrong, priority.confidence);
        items++;
      }
    }
    return { projectId, classKeys, modelNames, files, items };
  })();
}

// Hashing is deliberately slow; test users with the same password share one hash (verification is unaffected).
const hashes = new Map<string, string>();

/** Adds a user directly (no password policy); returns their id. */
export function createUser(db: Db, username: string, role: Role, password: string): number {
  let hash = hashes.get(password);
  if (!hash) {
    hash = hashPasswordSync(password);
    hashes.set(password, hash);
  }
  const result = db
    .prepare('INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?)')
    .run(username, role, hash, new Date().toISOString());
  return Number(result.lastInsertRowid);
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
  for (const c of item.candidates) labels[c.key] = c.key === item.originalLabel.key ? 'correct' : 'wrong';
  Object.assign(labels, extra.labels);
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of item.models) {
    const top1 = m.predictions[0];
    if (top1 && isMistakeUnderJudgements(top1.key, labels)) mistakes[m.model] = { severity: 'Minor', category: item.mistakeCategories[0]! };
  }
  return { problematic: null, comment: '', ...extra, labels, mistakes: { ...mistakes, ...extra.mistakes }, baseRevision };
}
