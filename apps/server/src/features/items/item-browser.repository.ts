import type { DisputeKind, FinalSeverity, ItemBrowserSort, ItemStatus, SortOrder } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

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
const HAS_FINAL = `i.status IN ('agreed', 'final')`;

/** Models at these positions have a bit in items.top1_mistake_models (migration 007); SQLite integers are 64-bit. */
export const MASKED_MODEL_POSITIONS = 62;

/**
 * The model's top-1 is outside the image's accepted labels (what made the image an item; ReviewItem.top1IsMistake):
 * a bit of the item's mask, or for a model past the masked positions a look-up in predictions and accepted_labels.
 */
const top1OutsideAccepted = (position: number) =>
  position < MASKED_MODEL_POSITIONS
    ? '(i.top1_mistake_models & :wrongModelBit) <> 0'
    : `EXISTS (SELECT 1 FROM predictions p WHERE p.image_id = i.image_id AND p.model_id = :wrongModel AND p.rank = 1
        AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx))`;

/** Lifecycle order for the status sort. */
const STATUS_RANK = `CASE i.status WHEN 'open' THEN 0 WHEN 'in_review' THEN 1 WHEN 'disputed' THEN 2 WHEN 'agreed' THEN 3 ELSE 4 END`;

/** Sort keys, each followed by the item id; `nullsLast` keys are null for items without a consensus. */
const SORTS: Record<ItemBrowserSort, { keys: string[]; joins: ('images' | 'consensus')[]; nullsLast?: string }> = {
  priority: { keys: ['i.models_wrong', 'i.confidence'], joins: [] },
  id: { keys: [], joins: [] },
  file: { keys: ['im.file'], joins: ['images'] },
  status: { keys: [STATUS_RANK], joins: [] },
  divisiveness: { keys: ['c.divisiveness'], joins: ['consensus'], nullsLast: 'c.item_id IS NULL' },
  verdicts: { keys: ['i.verdict_count'], joins: [] },
  updated: { keys: ['c.updated_at'], joins: ['consensus'], nullsLast: 'c.item_id IS NULL' },
};

/** The WHERE clause of a page and of its count, with its parameters (named, only those used). */
export function whereOf(projectId: number, filters: ItemFilters): { sql: string; params: Record<string, string | number> } {
  const conditions = ['i.project_id = :project'];
  const params: Record<string, string | number> = { project: projectId };
  if (filters.status !== undefined) {
    conditions.push('i.status = :status');
    params.status = filters.status;
  }
  if (filters.classIndex !== undefined) {
    // Driven by the two indexes on the class (a few hundred images of 50,000), not by a scan of the items.
    conditions.push(
      `i.image_id IN (SELECT id FROM images WHERE project_id = :project AND original_class_idx = :class
        UNION ALL SELECT image_id FROM predictions WHERE rank = 1 AND class_idx = :class)`,
    );
    params.class = filters.classIndex;
  }
  if (filters.disputeKind !== undefined) {
    conditions.push('i.id IN (SELECT item_id FROM item_dispute_kinds WHERE project_id = :project AND kind = :disputeKind)');
    params.disputeKind = filters.disputeKind;
  }
  if (filters.expertId !== undefined) {
    // Verdicts are never deleted: any revision means a current verdict.
    conditions.push('i.id IN (SELECT item_id FROM verdicts WHERE user_id = :expert)');
    params.expert = filters.expertId;
  }
  const { wrongModel } = filters;
  if (wrongModel !== undefined) params.wrongModel = wrongModel.id;
  if (filters.severity !== undefined || filters.category !== undefined) {
    // A final grade implies final labels under which the model is wrong: this also decides `wrongModel`.
    const grade = ['f.item_id = i.id'];
    if (wrongModel !== undefined) grade.push('f.model_id = :wrongModel');
    if (filters.severity !== undefined) {
      grade.push('f.severity = :severity');
      params.severity = filters.severity;
    }
    if (filters.category !== undefined) {
      grade.push('f.category = :category');
      params.category = filters.category;
    }
    conditions.push(`${HAS_FINAL} AND EXISTS (SELECT 1 FROM item_final_mistakes f WHERE ${grade.join(' AND ')})`);
  } else if (wrongModel !== undefined) {
    if (wrongModel.position < MASKED_MODEL_POSITIONS) params.wrongModelBit = 2 ** wrongModel.position;
    conditions.push(
      `CASE WHEN ${HAS_FINAL} THEN EXISTS (SELECT 1 FROM item_final_mistakes f WHERE f.item_id = i.id AND f.model_id = :wrongModel)
       ELSE ${top1OutsideAccepted(wrongModel.position)} END`,
    );
  }
  return { sql: conditions.join('\n  AND '), params };
}

/** The SQL of a page of item ids. */
export function pageSql(where: string, sort: ItemBrowserSort, order: SortOrder): string {
  const { keys, joins, nullsLast } = SORTS[sort];
  const direction = order === 'asc' ? 'ASC' : 'DESC';
  const orderBy = [...(nullsLast ? [nullsLast] : []), ...[...keys, 'i.id'].map((key) => `${key} ${direction}`)];
  const from = ['items i'];
  if (joins.includes('images')) from.push('JOIN images im ON im.id = i.image_id');
  if (joins.includes('consensus')) from.push('LEFT JOIN item_consensus c ON c.item_id = i.id');
  return `SELECT i.id FROM ${from.join(' ')}\nWHERE ${where}\nORDER BY ${orderBy.join(', ')}\nLIMIT :limit OFFSET :offset`;
}

export const countSql = (where: string) => `SELECT count(*) AS n FROM items i\nWHERE ${where}`;

/** Reads the item browser's pages: item ids by filters and sort, then what a row shows for those ids. */
export function createItemBrowserRepository(db: Db) {
  // A statement per shape of query (filters given × sort × order), prepared on first use: at most a few thousand.
  const prepared = new Map<string, ReturnType<Db['prepare']>>();
  const statement = (sql: string) => {
    let s = prepared.get(sql);
    if (!s) {
      s = db.prepare(sql);
      prepared.set(sql, s);
    }
    return s;
  };

  const ids = (column: string) => `${column} IN (SELECT value FROM json_each(:ids))`;
  const details = db.prepare<{ ids: string }, [number, number, string, number, ItemStatus, number, number, number, number | null, string | null]>(
    `SELECT i.id, i.image_id, im.file, im.original_class_idx, i.status, i.models_wrong, i.confidence, i.verdict_count, c.divisiveness, c.updated_at
     FROM items i JOIN images im ON im.id = i.image_id LEFT JOIN item_consensus c ON c.item_id = i.id WHERE ${ids('i.id')}`,
  );
  // Per item and model: is its top-1 outside the accepted labels (only read for items without final labels).
  const top1Outside = db.prepare<{ ids: string }, [number, number]>(
    `SELECT i.id, p.model_id FROM items i JOIN predictions p ON p.image_id = i.image_id AND p.rank = 1
     WHERE ${ids('i.id')} AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx)`,
  );
  const grades = db.prepare<{ ids: string }, [number, number, FinalSeverity, string | null]>(
    `SELECT item_id, model_id, severity, category FROM item_final_mistakes WHERE ${ids('item_id')}`,
  );
  const kinds = db.prepare<{ ids: string }, [number, DisputeKind]>(`SELECT item_id, kind FROM item_dispute_kinds WHERE ${ids('item_id')}`);
  for (const s of [details, top1Outside, grades, kinds]) s.raw(true);

  const experts = db.prepare<[number], { username: string; role: 'lead' | 'expert'; verdicts: number }>(
    `SELECT u.username, u.role, count(DISTINCT v.item_id) AS verdicts
     FROM users u LEFT JOIN (SELECT v.user_id, v.item_id FROM verdicts v JOIN items i ON i.id = v.item_id WHERE i.project_id = ?) v ON v.user_id = u.id
     WHERE u.role IN ('lead', 'expert') GROUP BY u.id ORDER BY u.username`,
  );
  const userByName = db.prepare<[string], { id: number }>('SELECT id FROM users WHERE username = ?');
  const modelPosition = db.prepare<[number], { position: number }>('SELECT position FROM models WHERE id = ?');

  return {
    /** The ids of one page, in order, and how many items match in all. */
    page(projectId: number, filters: ItemFilters, sort: ItemBrowserSort, order: SortOrder, limit: number, offset: number): { ids: number[]; total: number } {
      const where = whereOf(projectId, filters);
      const total = (statement(countSql(where.sql)).get(where.params) as { n: number }).n;
      const ids = offset >= total ? [] : (statement(pageSql(where.sql, sort, order)).pluck().all({ ...where.params, limit, offset }) as number[]);
      return { ids, total };
    },

    /** What the rows of these items show, in the order of `itemIds`. */
    rows(itemIds: readonly number[]): ItemBrowserRecord[] {
      if (itemIds.length === 0) return [];
      const param = { ids: JSON.stringify(itemIds) };
      const records = new Map<number, ItemBrowserRecord>();
      for (const [itemId, imageId, file, originalClassIndex, status, modelsWrong, confidence, verdictCount, divisiveness, updatedAt] of details.all(param)) {
        records.set(itemId, {
          itemId,
          imageId,
          file,
          originalClassIndex,
          status,
          modelsWrong,
          confidence,
          verdictCount,
          divisiveness,
          updatedAt,
          disputeKinds: [],
          wrongModelIds: [],
          grades: [],
        });
      }
      for (const [itemId, kind] of kinds.all(param)) records.get(itemId)?.disputeKinds.push(kind);
      for (const [itemId, modelId, severity, category] of grades.all(param)) records.get(itemId)?.grades.push({ modelId, severity, category });
      const hasFinal = (r: ItemBrowserRecord) => r.status === 'agreed' || r.status === 'final';
      for (const r of records.values()) if (hasFinal(r)) r.wrongModelIds = r.grades.map((g) => g.modelId);
      for (const [itemId, modelId] of top1Outside.all(param)) {
        const r = records.get(itemId);
        if (r && !hasFinal(r)) r.wrongModelIds.push(modelId);
      }
      return itemIds.flatMap((id) => records.get(id) ?? []);
    },

    /** Leads and experts, with their current verdicts in the project. */
    experts(projectId: number) {
      return experts.all(projectId);
    },

    /** A model's position in its project's manifest. */
    modelPosition(modelId: number): number {
      return modelPosition.get(modelId)?.position ?? Number.MAX_SAFE_INTEGER;
    },

    /** A user's id by username (case-insensitive, as sign-in), or null. */
    userId(username: string): number | null {
      return userByName.get(username)?.id ?? null;
    },
  };
}
export type ItemBrowserRepository = ReturnType<typeof createItemBrowserRepository>;
