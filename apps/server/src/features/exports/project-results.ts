import type { FinalLabels, Judgement } from '@bagel/contracts';
import type { ProblematicImageRecord } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { baseJudgements, mergeFinal, type Judgements } from '../consensus/image-labels';
import { ProgressPhase, type ProgressListener } from '../../lib/step-progress';
import type { CatalogProject } from '../projects/project-catalog';

/** One image of a project as the exports see it: its labels now, and whether the panel (or the lead) judged it. */
export interface ImageResult {
  imageId: number;
  file: string;
  originalClassIndex: number;
  /** The item's final labels merged over the image's base labels when it has final labels; else the base labels. */
  labels: Judgements;
  /** The item has final labels (agreed or decided by the lead). */
  judged: boolean;
  /** The image came with prior labels. */
  hasPrior: boolean;
  final: FinalLabels | null;
  /** The human-accuracy-v3 `problematic_images` record: the final labels' flag, or the prior one for an image not judged. */
  problematic: ProblematicImageRecord | null;
  /** In `imagenet_m`: the Major slice for a judged image, the prior list for the others. */
  inMajorSlice: boolean;
  /** Position in the prior `imagenet_m` list, to keep its order. */
  priorMajorSlicePosition: number | null;
}

/**
 * Reads every image of a project with its current labels, in project order: the labels the dashboard scores it by.
 * `onProgress` hears the step `reading results`, counted in images.
 */
export function readProjectResults(db: Db, entry: CatalogProject, options: { onProgress?: ProgressListener } = {}): ImageResult[] {
  const projectId = entry.project.id;
  const keyOf = (index: number) => entry.vocabulary.byIndex(index)?.key ?? `#${index}`;
  const images = db
    .prepare<[number], { id: number; file: string; original_class_idx: number }>('SELECT id, file, original_class_idx FROM images WHERE project_id = ? ORDER BY position')
    .all(projectId);
  const reading = new ProgressPhase(options.onProgress ?? (() => {}), 'reading results', images.length, 'images');
  const accepted = new Map<number, string[]>();
  for (const [imageId, classIndex] of db
    .prepare<[number], [number, number]>('SELECT a.image_id, a.class_idx FROM accepted_labels a JOIN images im ON im.id = a.image_id WHERE im.project_id = ? ORDER BY a.image_id, a.class_idx')
    .raw(true)
    .iterate(projectId)) {
    push(accepted, imageId, keyOf(classIndex));
  }
  const prior = new Map<number, { key: string; judgement: Judgement }[]>();
  for (const [imageId, classIndex, judgement] of db
    .prepare<[number], [number, number, Judgement]>('SELECT pl.image_id, pl.class_idx, pl.judgement FROM prior_labels pl JOIN images im ON im.id = pl.image_id WHERE im.project_id = ?')
    .raw(true)
    .iterate(projectId)) {
    push(prior, imageId, { key: keyOf(classIndex), judgement });
  }
  const priorProblematic = new Map(
    db
      .prepare<[number], ProblematicImageRecord & { image_id: number }>(
        `SELECT pp.image_id, pp.reason, pp.reviewer, pp.server_username, pp.time_marked, pp.time_reviewed
         FROM prior_problematic pp JOIN images im ON im.id = pp.image_id WHERE im.project_id = ?`,
      )
      .all(projectId)
      .map(({ image_id, ...record }) => [image_id, record]),
  );
  const priorSlice = new Map(
    db
      .prepare<[number], [number, number]>('SELECT ps.image_id, ps.position FROM prior_major_slice ps JOIN images im ON im.id = ps.image_id WHERE im.project_id = ?')
      .raw(true)
      .all(projectId),
  );
  const judged = new Map(
    db
      .prepare<[number], { image_id: number; item_id: number; final: string; final_at: string; major_slice: number; lead: string | null }>(
        `SELECT i.image_id, i.id AS item_id, c.final, c.final_at, c.major_slice,
           (SELECT u.username FROM decisions d JOIN users u ON u.id = d.lead_id WHERE d.item_id = i.id ORDER BY d.sequence DESC LIMIT 1) AS lead
         FROM items i JOIN item_consensus c ON c.item_id = i.id WHERE i.project_id = ? AND c.final IS NOT NULL`,
      )
      .all(projectId)
      .map((row) => [row.image_id, row]),
  );
  // Who flagged a problematic image first: the earliest current verdict that flags it.
  const firstFlag = db.prepare<[number], { username: string; created_at: string }>(
    `SELECT u.username, v.created_at FROM verdicts v JOIN users u ON u.id = v.user_id
     WHERE v.item_id = ? AND v.problematic IS NOT NULL
       AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id)
     ORDER BY v.created_at, u.username LIMIT 1`,
  );

  const results = images.map((image, index): ImageResult => {
    reading.tick(index);
    const priorLabels = prior.get(image.id) ?? [];
    const item = judged.get(image.id);
    const base = baseJudgements(priorLabels, accepted.get(image.id) ?? []);
    const priorSlicePosition = priorSlice.get(image.id) ?? null;
    if (!item) {
      return {
        imageId: image.id,
        file: image.file,
        originalClassIndex: image.original_class_idx,
        labels: base,
        judged: false,
        hasPrior: priorLabels.length > 0,
        final: null,
        problematic: priorProblematic.get(image.id) ?? null,
        inMajorSlice: priorSlicePosition !== null,
        priorMajorSlicePosition: priorSlicePosition,
      };
    }
    const final = JSON.parse(item.final) as FinalLabels;
    let problematic: ProblematicImageRecord | null = null;
    if (final.problematic !== null) {
      // `reviewer` is who made the labels final: the lead who decided, or the panel when it agreed.
      const reviewer = item.lead ?? 'panel';
      const flag = firstFlag.get(item.item_id);
      problematic = {
        reason: final.problematic.reason,
        reviewer,
        server_username: flag?.username ?? reviewer,
        time_marked: flag?.created_at ?? item.final_at,
        time_reviewed: item.final_at,
      };
    }
    return {
      imageId: image.id,
      file: image.file,
      originalClassIndex: image.original_class_idx,
      labels: mergeFinal(base, final),
      judged: true,
      hasPrior: priorLabels.length > 0,
      final,
      problematic,
      inMajorSlice: item.major_slice === 1,
      priorMajorSlicePosition: priorSlicePosition,
    };
  });
  reading.end(`read the results of ${images.length} images`);
  return results;
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
