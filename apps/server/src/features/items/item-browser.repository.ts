import type { DisputeKind, FinalSeverity, ItemBrowserSort, ItemStatus, SortOrder } from '@bagel/contracts';
import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../../db/database';

/** The filters of a page, resolved to ids (names were checked against the project by the service). */
export interface ItemFilters {
  status?: ItemStatus;
  classIndex?: number;
  disputeKind?: DisputeKind;
  /** The model's id and its position in the manifest (its bit in items.top1_mistake_models). */
  wrongModel?: { id: number; position: number };
  severity?: FinalSeverity;
  category?: string;
  expertId?: number;
}

export interface ItemBrowserRecord {
  itemId: number;
  imageId: number;
  file: string;
  originalClassIndex: number;
  status: ItemStatus;
  modelsWrong: number;
  confidence: number;
  verdictCount: number;
  divisiveness: number | null;
  updatedAt: string | null;
  disputeKinds: DisputeKind[];
  /** Ids of the models whose top-1 is a mistake now (see wrongNow). */
  wrongModelIds: number[];
  /** Final grades by model id. */
  grades: { modelId: number; severity: FinalSeverity; category: string | null }[];
}

/** An item has final labels exactly while it is agreed or final (consensus item-state.ts). */
const HAS_FINAL = sql`i.status IN ('agreed', 'final')`;

/** Models at these positions have a bit in items.top1_mistake_models (migration 007); SQLite integers are 64-bit. */
export const MASKED_MODEL_POSITIONS = 62;

/**
 * The model's top-1 is outside the image's accepted labels (what made the image an item; ReviewItem.top1IsMistake):
 * a bit of the item's mask, or for a model past the masked positions a look-up in predictions and accepted_labels.
 */
const top1OutsideAccepted = (model: { id: number; position: number }) =>
  model.position < MASKED_MODEL_POSITIONS
    ? sql`(i.top1_mistake_models & ${2 ** model.position}) <> 0`
    : sql`EXISTS (SELECT 1 FROM predictions p WHERE p.image_id = i.image_id AND p.model_id = ${model.id} AND p.rank = 1
        AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx))`;

/** Lifecycle order for the status sort. */
const STATUS_RANK = sql`CASE i.status WHEN 'open' THEN 0 WHEN 'in_review' THEN 1 WHEN 'disputed' THEN 2 WHEN 'agreed' THEN 3 ELSE 4 END`;

/** Sort keys, each followed by the item id; `nullsLast` keys are null for items without a consensus. */
const SORTS: Record<ItemBrowserSort, { keys: RawBuilder<unknown>[]; joins: ('images' | 'consensus')[]; nullsLast?: RawBuilder<unknown> }> = {
  priority: { keys: [sql`i.models_wrong`, sql`i.confidence`], joins: [] },
  id: { keys: [], joins: [] },
  file: { keys: [sql`im.file`], joins: ['images'] },
  status: { keys: [STATUS_RANK], joins: [] },
  divisiveness: { keys: [sql`c.divisiveness`], joins: ['consensus'], nullsLast: sql`c.item_id IS NULL` },
  verdicts: { keys: [sql`i.verdict_count`], joins: [] },
  updated: { keys: [sql`c.updated_at`], joins: ['consensus'], nullsLast: sql`c.item_id IS NULL` },
};

const and = (conditions: RawBuilder<unknown>[]) => sql.join(conditions, sql`\n  AND `);

/** The WHERE clause of a page and of its count. */
export function whereOf(projectId: number, filters: ItemFilters): RawBuilder<unknown> {
  const conditions = [sql`i.project_id = ${projectId}`];
  if (filters.status !== undefined) conditions.push(sql`i.status = ${filters.status}`);
  if (filters.classIndex !== undefined) {
    // Driven by the two indexes on the class (a few hundred images of 50,000), not by a scan of the items.
    conditions.push(
      sql`i.image_id IN (SELECT id FROM images WHERE project_id = ${projectId} AND original_class_idx = ${filters.classIndex}
        UNION ALL SELECT image_id FROM predictions WHERE rank = 1 AND class_idx = ${filters.classIndex})`,
    );
  }
  if (filters.disputeKind !== undefined) {
    conditions.push(sql`i.id IN (SELECT item_id FROM item_dispute_kinds WHERE project_id = ${projectId} AND kind = ${filters.disputeKind})`);
  }
  if (filters.expertId !== undefined) {
    // Verdicts are never deleted: any revision means a current verdict.
    conditions.push(sql`i.id IN (SELECT item_id FROM verdicts WHERE user_id = ${filters.expertId})`);
  }
  const { wrongModel } = filters;
  if (filters.severity !== undefined || filters.category !== undefined) {
    // A final grade implies final labels under which the model is wrong: this also decides `wrongModel`.
    const grade = [sql`f.item_id = i.id`];
    if (wrongModel !== undefined) grade.push(sql`f.model_id = ${wrongModel.id}`);
    if (filters.severity !== undefined) grade.push(sql`f.severity = ${filters.severity}`);
    if (filters.category !== undefined) grade.push(sql`f.category = ${filters.category}`);
    conditions.push(sql`${HAS_FINAL} AND EXISTS (SELECT 1 FROM item_final_mistakes f WHERE ${sql.join(grade, sql` AND `)})`);
  } else if (wrongModel !== undefined) {
    conditions.push(
      sql`CASE WHEN ${HAS_FINAL} THEN EXISTS (SELECT 1 FROM item_final_mistakes f WHERE f.item_id = i.id AND f.model_id = ${wrongModel.id})
       ELSE ${top1OutsideAccepted(wrongModel)} END`,
    );
  }
  return and(conditions);
}

/** A page of item ids. */
export function pageSql(where: RawBuilder<unknown>, sort: ItemBrowserSort, order: SortOrder, limit: number, offset: number): RawBuilder<{ id: number }> {
  const { keys, joins, nullsLast } = SORTS[sort];
  const direction = order === 'asc' ? sql`ASC` : sql`DESC`;
  const orderBy = [...(nullsLast ? [nullsLast] : []), ...[...keys, sql`i.id`].map((key) => sql`${key} ${direction}`)];
  const from = [sql`items i`];
  if (joins.includes('images')) from.push(sql`JOIN images im ON im.id = i.image_id`);
  if (joins.includes('consensus')) from.push(sql`LEFT JOIN item_consensus c ON c.item_id = i.id`);
  return sql<{ id: number }>`SELECT i.id FROM ${sql.join(from, sql` `)}\nWHERE ${where}\nORDER BY ${sql.join(orderBy)}\nLIMIT ${limit} OFFSET ${offset}`;
}

export const countSql = (where: RawBuilder<unknown>) => sql<{ n: number }>`SELECT count(*) AS n FROM items i\nWHERE ${where}`;

/** Reads the item browser's pages: item ids by filters and sort, then what a row shows for those ids. */
export function createItemBrowserRepository(db: Queries) {
  const ids = (column: string, itemIds: readonly number[]) => sql`${sql.ref(column)} IN (${sql.join(itemIds)})`;

  return {
    /** The ids of one page, in order, and how many items match in all. Run it in a snapshot: the two reads must agree. */
    async page(projectId: number, filters: ItemFilters, sort: ItemBrowserSort, order: SortOrder, limit: number, offset: number): Promise<{ ids: number[]; total: number }> {
      const where = whereOf(projectId, filters);
      const total = (await countSql(where).execute(db)).rows[0]!.n;
      const ids = offset >= total ? [] : (await pageSql(where, sort, order, limit, offset).execute(db)).rows.map((r) => r.id);
      return { ids, total };
    },

    /** What the rows of these items show, in the order of `itemIds`. Run it in a snapshot: the reads must agree. */
    async rows(itemIds: readonly number[]): Promise<ItemBrowserRecord[]> {
      if (itemIds.length === 0) return [];
      const details = await sql<{
        id: number;
        image_id: number;
        file: string;
        original_class_idx: number;
        status: ItemStatus;
        models_wrong: number;
        confidence: number;
        verdict_count: number;
        divisiveness: number | null;
        updated_at: string | null;
      }>`SELECT i.id, i.image_id, im.file, im.original_class_idx, i.status, i.models_wrong, i.confidence, i.verdict_count, c.divisiveness, c.updated_at
         FROM items i JOIN images im ON im.id = i.image_id LEFT JOIN item_consensus c ON c.item_id = i.id WHERE ${ids('i.id', itemIds)}`.execute(db);
      const kinds = await db.selectFrom('item_dispute_kinds').select(['item_id', 'kind']).where('item_id', 'in', itemIds).execute();
      const grades = await db.selectFrom('item_final_mistakes').select(['item_id', 'model_id', 'severity', 'category']).where('item_id', 'in', itemIds).execute();
      // Per item and model: is its top-1 outside the accepted labels (only read for items without final labels).
      const top1Outside = await sql<{ id: number; model_id: number }>`SELECT i.id, p.model_id FROM items i JOIN predictions p ON p.image_id = i.image_id AND p.rank = 1
         WHERE ${ids('i.id', itemIds)} AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx)`.execute(db);

      const records = new Map<number, ItemBrowserRecord>();
      for (const r of details.rows) {
        records.set(r.id, {
          itemId: r.id,
          imageId: r.image_id,
          file: r.file,
          originalClassIndex: r.original_class_idx,
          status: r.status,
          modelsWrong: r.models_wrong,
          confidence: r.confidence,
          verdictCount: r.verdict_count,
          divisiveness: r.divisiveness,
          updatedAt: r.updated_at,
          disputeKinds: [],
          wrongModelIds: [],
          grades: [],
        });
      }
      for (const { item_id, kind } of kinds) records.get(item_id)?.disputeKinds.push(kind as DisputeKind);
      for (const { item_id, model_id, severity, category } of grades) records.get(item_id)?.grades.push({ modelId: model_id, severity: severity as FinalSeverity, category });
      const hasFinal = (r: ItemBrowserRecord) => r.status === 'agreed' || r.status === 'final';
      for (const r of records.values()) if (hasFinal(r)) r.wrongModelIds = r.grades.map((g) => g.modelId);
      for (const { id, model_id } of top1Outside.rows) {
        const r = records.get(id);
        if (r && !hasFinal(r)) r.wrongModelIds.push(model_id);
      }
      return itemIds.flatMap((id) => records.get(id) ?? []);
    },

    /** Leads and experts, with their current verdicts in the project. */
    async experts(projectId: number): Promise<{ username: string; role: 'lead' | 'expert'; verdicts: number }[]> {
      // By name without case, as SQLite's NOCASE column sorts (names are ASCII, and unique without case).
      const { rows } = await sql<{ username: string; role: 'lead' | 'expert'; verdicts: number }>`SELECT u.username, u.role, count(DISTINCT v.item_id) AS verdicts
         FROM users u LEFT JOIN (SELECT v.user_id, v.item_id FROM verdicts v JOIN items i ON i.id = v.item_id WHERE i.project_id = ${projectId}) v ON v.user_id = u.id
         WHERE u.role IN ('lead', 'expert') GROUP BY u.id, u.username, u.role ORDER BY lower(u.username)`.execute(db);
      return rows;
    },

    /** A model's position in its project's manifest. */
    async modelPosition(modelId: number): Promise<number> {
      const row = await db.selectFrom('models').select('position').where('id', '=', modelId).executeTakeFirst();
      return row?.position ?? Number.MAX_SAFE_INTEGER;
    },

    /** A user's id by username (case-insensitive, as sign-in), or null. */
    async userId(username: string): Promise<number | null> {
      const row = await db.selectFrom('users').select('id').where(sql<boolean>`lower(username) = ${username.toLowerCase()}`).executeTakeFirst();
      return row?.id ?? null;
    },
  };
}
export type ItemBrowserRepository = ReturnType<typeof createItemBrowserRepository>;
