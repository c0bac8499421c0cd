// A six-image project small enough to check every figure by hand: the dashboard and export tests run the same review
// on it (three experts, one lead) and compare with numbers worked out in the comments and golden files.
import type { DeskItem, LeadDecisionRequest, VerdictRequest } from '@bagel/contracts';
import { DEFAULT_MISTAKE_CATEGORIES } from '@bagel/contracts';
import { queuePriority } from '@bagel/core';
import { expect } from 'vitest';
import type { Database } from '../src/db/database';
import type { Db } from '../src/db/open-database';
import { asDatabase } from '../src/db/sqlite-engine';
import { rebuildItemTotals } from '../src/features/consensus/consensus.repository';
import { createUser, login } from './synthetic-project';
import type { TestApp } from './test-app';

/** Class keys (WordNet ids), their index being their position in sorted order, as ImageNet's CIDs. */
export const CLASSES = {
  dog: { index: 0, key: 'n02085620', names: ['Chihuahua'] },
  fox: { index: 1, key: 'n02119022', names: ['red fox', 'Vulpes vulpes'] },
  cat: { index: 2, key: 'n02123045', names: ['tabby', 'tabby cat'] },
  car: { index: 3, key: 'n02814533', names: ['beach wagon', 'station wagon'] },
  cup: { index: 4, key: 'n03063599', names: ['coffee mug'] },
  bus: { index: 5, key: 'n04146614', names: ['school bus'] },
} as const;
type ClassName = keyof typeof CLASSES;
const key = (name: ClassName) => CLASSES[name].key;

/**
 * Images 1 to 6 of a validation set (so the ReaL export is a list): original label, then models A and B's top-1
 * (top-k is 1, so an item's candidates are its original label and the two top-1s). Both models are right on images
 * 1 and 4, which are therefore not items.
 */
export const IMAGES: { file: string; original: ClassName; a: ClassName; b: ClassName }[] = [
  { file: 'ILSVRC2012_val_00000001.JPEG', original: 'cat', a: 'cat', b: 'cat' },
  { file: 'ILSVRC2012_val_00000002.JPEG', original: 'cat', a: 'dog', b: 'cat' },
  { file: 'ILSVRC2012_val_00000003.JPEG', original: 'dog', a: 'fox', b: 'cup' },
  { file: 'ILSVRC2012_val_00000004.JPEG', original: 'dog', a: 'dog', b: 'dog' },
  { file: 'ILSVRC2012_val_00000005.JPEG', original: 'fox', a: 'car', b: 'bus' },
  { file: 'ILSVRC2012_val_00000006.JPEG', original: 'cup', a: 'cup', b: 'bus' },
];
export const MODELS = ['model-a', 'model-b'] as const;

export interface HandProject {
  projectId: number;
  /** Item ids by image file; only images 2, 3, 5 and 6 are items. */
  items: Record<string, number>;
}

/** Seeds the project (one write, as an import would), with prior labels on image 2 and a prior ImageNet-M entry for image 4. */
export function seedHandProject(db: Database | Db, name = 'Hand-checked zoo'): Promise<HandProject> {
  return asDatabase(db).write(async (trx) => {
    const { id: projectId } = await trx
      .insertInto('projects')
      .values({
        name,
        description: 'Six images checked by hand',
        image_dir: '/nonexistent/zoo',
        panel_size: 3,
        top_k: 1,
        claim_ms: 1_200_000,
        mistake_categories: JSON.stringify(DEFAULT_MISTAKE_CATEGORIES),
        manifest_sha256: `hand-${name}`,
        created_at: '2025-01-01T00:00:00.000Z',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    for (const c of Object.values(CLASSES)) {
      await trx.insertInto('classes').values({ project_id: projectId, idx: c.index, key: c.key, names: JSON.stringify(c.names), gloss: '' }).execute();
    }
    const modelIds: number[] = [];
    for (const [position, m] of MODELS.entries()) {
      const row = await trx.insertInto('models').values({ project_id: projectId, position, name: m, display_name: m.toUpperCase(), illustrative: 0 }).returning('id').executeTakeFirstOrThrow();
      modelIds.push(row.id);
    }
    const items: Record<string, number> = {};
    for (const [position, image] of IMAGES.entries()) {
      const original = CLASSES[image.original];
      const { id: imageId } = await trx
        .insertInto('images')
        .values({ project_id: projectId, position, file: image.file, original_class_idx: original.index })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('accepted_labels').values({ image_id: imageId, class_idx: original.index }).execute();
      const tops = [image.a, image.b];
      for (const [m, top] of tops.entries()) {
        await trx.insertInto('predictions').values({ image_id: imageId, model_id: modelIds[m]!, rank: 1, class_idx: CLASSES[top].index, score: 0.9 }).execute();
      }
      const priority = queuePriority(
        tops.map((top, m) => ({ model: MODELS[m]!, predictions: [{ key: key(top), score: 0.9 }] })),
        new Set([original.key]),
      );
      if (priority.modelsWrong > 0) {
        const item = await trx
          .insertInto('items')
          .values({ project_id: projectId, image_id: imageId, models_wrong: priority.modelsWrong, confidence: priority.confidence })
          .returning('id')
          .executeTakeFirstOrThrow();
        items[image.file] = item.id;
      }
      if (position === 1) {
        // Prior labels of image 2: tabby correct, red fox wrong. The panel's final labels are merged over them.
        await trx
          .insertInto('prior_labels')
          .values([
            { image_id: imageId, class_idx: CLASSES.cat.index, judgement: 'correct' },
            { image_id: imageId, class_idx: CLASSES.fox.index, judgement: 'wrong' },
          ])
          .execute();
      }
      if (position === 3) await trx.insertInto('prior_major_slice').values({ image_id: imageId, position: 0 }).execute();
    }
    // The dashboard's totals, as an import starts them.
    await rebuildItemTotals(trx, projectId);
    return { projectId, items };
  });
}

type Labels = Partial<Record<ClassName, 'correct' | 'wrong' | 'unclear'>>;
type Grades = Partial<Record<'model-a' | 'model-b', { severity: 'Major' | 'Minor' | 'Borderline'; category: string }>>;

export function verdict(labels: Labels, mistakes: Grades = {}, extra: Partial<VerdictRequest> = {}): VerdictRequest {
  return {
    labels: Object.fromEntries(Object.entries(labels).map(([name, judgement]) => [key(name as ClassName), judgement])),
    mistakes,
    problematic: null,
    comment: '',
    baseRevision: 0,
    ...extra,
  };
}

/** A decision without `basePanelVersion` unless given: whoever sends it reads the desk's panelVersion first (withDeskVersion). */
export type DecisionBody = Omit<LeadDecisionRequest, 'basePanelVersion'> & { basePanelVersion?: number };

export function decision(labels: Labels, mistakes: Grades, extra: Partial<LeadDecisionRequest> = {}): DecisionBody {
  return {
    labels: Object.fromEntries(Object.entries(labels).map(([name, judgement]) => [key(name as ClassName), judgement])),
    mistakes,
    problematic: null,
    note: '',
    baseDecision: 0,
    ...extra,
  };
}

const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;
const DRAWING = 'Drawing, painting, cartoon or rendering';

/**
 * The review, one step a minute (so every stored time differs):
 * - image 2 (tabby; A says Chihuahua): ann and bob judge Chihuahua correct too, cyd wrong → agreed, A no mistake;
 * - image 3 (Chihuahua; A red fox, B coffee mug): all judge both wrong, grades Major / Spurious Correlation (cyd: A
 *   Minor, Fine-grained) → agreed; both models Major: the Major slice;
 * - image 5 (red fox; A beach wagon, B school bus): split on red fox and beach wagon (bob revises once) → disputed;
 *   ann and the lead discuss; the lead finalizes red fox unclear, beach wagon correct, school bus wrong (B Major);
 * - image 6 (coffee mug; B school bus): ann and bob flag it a drawing → agreed, problematic; B Borderline.
 */
export async function runHandReview(t: TestApp, project: HandProject): Promise<Record<string, string>> {
  const users = { ann: 'expert', bob: 'expert', cyd: 'expert', lea: 'lead', adm: 'admin' } as const;
  const cookies: Record<string, string> = {};
  for (const [name, role] of Object.entries(users)) {
    await createUser(t.database, name, role, 'hand-password');
    cookies[name] = await login(t.app, name, 'hand-password');
  }
  const post = async (user: string, url: string, payload: object, status = 201) => {
    t.clock.advance(60_000);
    const res = await t.app.inject({ method: 'POST', url, headers: { cookie: cookies[user]! }, payload });
    expect(res.statusCode, `${user} POST ${url}: ${res.body}`).toBe(status);
    return res.json();
  };
  const item = (n: number) => project.items[IMAGES[n - 1]!.file]!;
  const judge = (user: string, n: number, body: VerdictRequest) => post(user, `/api/items/${item(n)}/verdicts`, body);

  await judge('ann', 2, verdict({ cat: 'correct', dog: 'correct' }));
  await judge('bob', 2, verdict({ cat: 'correct', dog: 'correct' }));
  await judge('cyd', 2, verdict({ cat: 'correct', dog: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' } }));

  await judge('ann', 3, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
  await judge('bob', 3, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': SP, 'model-b': SP }));
  await judge('cyd', 3, verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Fine-grained error' }, 'model-b': SP }));

  await judge('ann', 5, verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': { severity: 'Minor', category: 'Non-prototypical' }, 'model-b': SP }));
  await judge('bob', 5, verdict({ fox: 'correct', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { comment: 'a red fox beside a car' }));
  await judge('bob', 5, verdict({ fox: 'wrong', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { comment: 'the car is the subject', baseRevision: 1 }));
  await judge('cyd', 5, verdict({ fox: 'unclear', car: 'unclear', bus: 'wrong' }, { 'model-b': { severity: 'Minor', category: 'Spurious Correlation' } }));
  await post('ann', `/api/items/${item(5)}/discussion`, { body: 'The fox is tiny; the wagon fills the frame.' });
  await post('lea', `/api/items/${item(5)}/discussion`, { body: 'Then both: fox unclear, wagon correct.' });
  const desk = await t.app.inject({ url: `/api/items/${item(5)}/desk`, headers: { cookie: cookies.lea! } });
  expect(desk.statusCode, desk.body).toBe(200);
  const basePanelVersion = (desk.json() as DeskItem).panelVersion;
  expect(basePanelVersion).toBe(4); // ann, bob twice, cyd
  await post('lea', `/api/items/${item(5)}/decisions`, decision({ fox: 'unclear', car: 'correct', bus: 'wrong' }, { 'model-b': SP }, { note: 'both are in the image', basePanelVersion }));

  const drawing = { problematic: { reason: DRAWING } };
  await judge('ann', 6, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': { severity: 'Borderline', category: 'Fine-grained error' } }, drawing));
  await judge('bob', 6, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': { severity: 'Borderline', category: 'Fine-grained error' } }, drawing));
  await judge('cyd', 6, verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': { severity: 'Minor', category: 'Fine-grained error' } }));
  return cookies;
}
