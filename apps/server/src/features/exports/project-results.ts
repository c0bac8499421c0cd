import type { FinalLabels, Judgement } from '@bagel/contracts';
import type { ProblematicImageRecord } from '@bagel/core';
import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../../db/database';
import { executeCompiled, padded } from '../../db/prepared-query';
import { chunksOf } from '../../db/dialect';
import { baseJudgements, mergeFinal, type Judgements } from '../consensus/image-labels';
import type { ProgressPhase } from '../../lib/step-progress';
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

/** Images read per page: a page's queries take a few milliseconds, so a streamed export yields to other work often. */
export const RESULTS_PAGE_IMAGES = 250;
/** Image ids bound per statement, whatever the page size (padded to a power of two): far below both engines' limits. */
const IDS_PER_STATEMENT = 1024;

/** Project order (by position), or by file name: the ReaL list layout wants validation order, which is file order. */
export type ImageOrder = 'position' | 'file';

/**
 * Every image of a project with its current labels, page by page in project order (or file order): the labels the
 * dashboard scores it by. Only a page is held at a time, so memory stays small however large the project; read it on
 * one snapshot (Database.longSnapshot) for a consistent whole. `reading` hears each image read.
 */
export async function* projectResultPages(
  db: Queries,
  entry: CatalogProject,
  options: { order?: ImageOrder; pageSize?: number; reading?: ProgressPhase } = {},
): AsyncGenerator<ImageResult[], void, undefined> {
  const projectId = entry.project.id;
  const keys = entry.vocabulary.classes.reduce<string[]>((all, c) => ((all[c.index] = c.key), all), []);
  const keyOf = (index: number) => keys[index] ?? `#${index}`;
  const order = options.order ?? 'position';
  const pageSize = options.pageSize ?? RESULTS_PAGE_IMAGES;
  /**
   * The rows `query` gives for the page's images, its ids bound as `IN (…)` a statement's worth at a time (and no
   * other value), padded to a power of two: a few texts of each statement serve every page (executeCompiled).
   */
  const ofImages = async <R>(name: string, ids: readonly number[], query: (inIds: RawBuilder<unknown>) => RawBuilder<R>): Promise<R[]> => {
    const rows: R[] = [];
    for (const chunk of chunksOf(ids, IDS_PER_STATEMENT).map(padded)) {
      rows.push(...(await executeCompiled(db, `results.${name}.${chunk.length}`, chunk, () => query(sql`IN (${sql.join(chunk)})`).compile(db))).rows);
    }
    return rows;
  };
  // Who flagged a problematic image first: the earliest current verdict that flags it. Names compare as SQLite's
  // NOCASE column orders them, on both engines: lower() (they are unique without case).
  const firstFlag = async (itemId: number) =>
    (
      await sql<{ username: string; created_at: string }>`
        SELECT u.username, v.created_at FROM verdicts v JOIN users u ON u.id = v.user_id
        WHERE v.item_id = ${itemId} AND v.problematic IS NOT NULL
          AND v.revision = (SELECT max(w.revision) FROM verdicts w WHERE w.item_id = v.item_id AND w.user_id = v.user_id)
        ORDER BY v.created_at, lower(u.username) LIMIT 1`.execute(db)
    ).rows[0];

  let after: number | string = order === 'position' ? -1 : '';
  let done = 0;
  for (;;) {
    // Keyset paging: each page starts after the last image of the one before, found through an index.
    const images = await db
      .selectFrom('images')
      .select(['id', 'file', 'original_class_idx', 'position'])
      .where('project_id', '=', projectId)
      .$if(order === 'position', (q) => q.where('position', '>', after as number).orderBy('position'))
      .$if(order === 'file', (q) => q.where('file', '>', after as string).orderBy('file'))
      .limit(pageSize)
      .execute();
    if (images.length === 0) return;
    const last = images[images.length - 1]!;
    after = order === 'position' ? last.position : last.file;
    const ids = images.map((image) => image.id);
    const acceptedOf = new Map<number, string[]>();
    for (const { image_id, class_idx } of await ofImages('accepted', ids, (inIds) => sql<{ image_id: number; class_idx: number }>`SELECT image_id, class_idx FROM accepted_labels WHERE image_id ${inIds} ORDER BY image_id, class_idx`)) {
      push(acceptedOf, image_id, keyOf(class_idx));
    }
    const priorOf = new Map<number, { key: string; judgement: Judgement }[]>();
    for (const { image_id, class_idx, judgement } of await ofImages('prior', ids, (inIds) => sql<{ image_id: number; class_idx: number; judgement: Judgement }>`SELECT image_id, class_idx, judgement FROM prior_labels WHERE image_id ${inIds}`)) {
      push(priorOf, image_id, { key: keyOf(class_idx), judgement });
    }
    const problematicOf = new Map(
      (
        await ofImages('priorProblematic', ids,
          (inIds) => sql<ProblematicImageRecord & { image_id: number }>`SELECT image_id, reason, reviewer, server_username, time_marked, time_reviewed FROM prior_problematic WHERE image_id ${inIds}`,
        )
      ).map(({ image_id, ...record }) => [image_id, record]),
    );
    const sliceOf = new Map(
      (await ofImages('priorSlice', ids, (inIds) => sql<{ image_id: number; position: number }>`SELECT image_id, position FROM prior_major_slice WHERE image_id ${inIds}`)).map((r) => [r.image_id, r.position]),
    );
    const judgedOf = new Map(
      (
        await ofImages('judged', ids,
          (inIds) => sql<{ image_id: number; item_id: number; final: string; final_at: string; major_slice: number; lead: string | null }>`
            SELECT i.image_id, i.id AS item_id, c.final, c.final_at, c.major_slice,
              (SELECT u.username FROM decisions d JOIN users u ON u.id = d.lead_id WHERE d.item_id = i.id ORDER BY d.sequence DESC LIMIT 1) AS lead
            FROM items i JOIN item_consensus c ON c.item_id = i.id WHERE i.image_id ${inIds} AND c.final IS NOT NULL`,
        )
      ).map((row) => [row.image_id, row]),
    );

    const page: ImageResult[] = [];
    for (const image of images) {
      options.reading?.tick(done++);
      const priorLabels = priorOf.get(image.id) ?? [];
      const item = judgedOf.get(image.id);
      const base = baseJudgements(priorLabels, acceptedOf.get(image.id) ?? []);
      const priorSlicePosition = sliceOf.get(image.id) ?? null;
      if (!item) {
        page.push({
          imageId: image.id,
          file: image.file,
          originalClassIndex: image.original_class_idx,
          labels: base,
          judged: false,
          hasPrior: priorLabels.length > 0,
          final: null,
          problematic: problematicOf.get(image.id) ?? null,
          inMajorSlice: priorSlicePosition !== null,
          priorMajorSlicePosition: priorSlicePosition,
        });
        continue;
      }
      const final = JSON.parse(item.final) as FinalLabels;
      let problematic: ProblematicImageRecord | null = null;
      if (final.problematic !== null) {
        // `reviewer` is who made the labels final: the lead who decided, or the panel when it agreed.
        const reviewer = item.lead ?? 'panel';
        const flag = await firstFlag(item.item_id);
        problematic = {
          reason: final.problematic.reason,
          reviewer,
          server_username: flag?.username ?? reviewer,
          time_marked: flag?.created_at ?? item.final_at,
          time_reviewed: item.final_at,
        };
      }
      page.push({
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
      });
    }
    yield page;
  }
}

function push<T>(map: Map<number, T[]>, key: number, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
