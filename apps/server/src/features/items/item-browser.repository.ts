import { FinalSeverity, type DisputeKind, type ItemBrowserSort, type ItemStatus, type SortOrder } from '@bagel/contracts';
import { sql, type RawBuilder } from 'kysely';
import type { Queries } from '../../db/database';
import { computedWhole, indexedBy, joinInWrittenOrder, runsAsWritten } from '../../db/dialect';

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
  /**
   * A filter whose matches an index lists and which has few of them (FEW_MATCHES at most; see fewMatchesFilter): a
   * page starts from them (see fromOf). An expert with few verdicts, a rare dispute kind, a rare final grade.
   */
  startFrom?: ListedFilter;
  /**
   * Per status, a listed filter with few matches among that status's items, when it has too many in all to start
   * from (see fewMatchesByStatus): that status's run of a page starts from them (statusRunsOf), the others walk.
   */
  startFromIn?: Partial<Record<ItemStatus, ListedFilter>>;
}

/** The filters whose matching items an index lists: an expert's verdicts, a dispute kind's items, a final grade's mistakes. */
export type ListedFilter = 'expert' | 'disputeKind' | 'grade';

/** A filter that matches at most this many items is where a page starts, its matches then sorted. */
export const FEW_MATCHES = 5000;

/**
 * A dispute kind or an expert with more matches than FEW_MATCHES but at most this many is counted status by status
 * through the items (a grade, whatever its matches: its rows keep their status), so that each status where its
 * matches are few starts from them. Its whole list is then cheap to read for a status that has almost none of them,
 * and the walk it spares can be the whole of a large status (every agreed grade is Borderline, Major or Minor; every
 * ungraded one is final: a page of ungraded grades walked 244,574 agreed items, 0.55 to 0.85 s).
 */
export const COUNTED_BY_STATUS = 20_000;

/** Whether a page starts from a filter's few matches: a class (a few thousand images at most), or a listed filter's. */
const startsFromFewMatches = (filters: ItemFilters) => filters.classIndex !== undefined || filters.startFrom !== undefined;

/**
 * The rows that list a filter's matching items (`FROM … WHERE …`, an item_id per row, an item possibly on several
 * rows), read from an index: verdicts_by_user, item_dispute_kinds_by_kind, item_final_mistakes_by_grade or, under a
 * stated status, item_final_mistakes_by_status_grade (a grade without a severity names every severity, so that the
 * index is sought once per severity rather than read whole).
 */
function listedRows(projectId: number, filters: ItemFilters, filter: ListedFilter): RawBuilder<unknown> | null {
  if (filter === 'expert') return filters.expertId === undefined ? null : sql`FROM verdicts WHERE user_id = ${filters.expertId}`;
  if (filter === 'disputeKind') {
    return filters.disputeKind === undefined ? null : sql`FROM item_dispute_kinds WHERE project_id = ${projectId} AND kind = ${filters.disputeKind}`;
  }
  if (filters.severity === undefined && filters.category === undefined) return null;
  const grade = [sql`project_id = ${projectId}`];
  // A grade's rows keep their item's status (migration 035): under a stated status (the page's, or one run's), only
  // that status's are listed, from the index with the status first.
  if (filters.status !== undefined) grade.push(sql`status = ${filters.status}`);
  grade.push(filters.severity !== undefined ? sql`severity = ${filters.severity}` : sql`severity IN (${sql.join(FinalSeverity.options)})`);
  if (filters.category !== undefined) grade.push(sql`category = ${filters.category}`);
  if (filters.wrongModel !== undefined) grade.push(sql`model_id = ${filters.wrongModel.id}`);
  return sql`FROM item_final_mistakes WHERE ${sql.join(grade, sql` AND `)}`;
}

/** The listed filters, in the order they are tried as where a page starts (the cheapest to check first). */
const LISTED_FILTERS: readonly ListedFilter[] = ['disputeKind', 'grade', 'expert'];

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
const FINAL_STATUSES: readonly ItemStatus[] = ['agreed', 'final'];
const HAS_FINAL = sql`i.status IN (${sql.join(FINAL_STATUSES.map((s) => sql.lit(s)))})`;

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
const STATUS_ORDER: readonly ItemStatus[] = ['open', 'in_review', 'disputed', 'agreed', 'final'];
const STATUS_RANK = sql`CASE i.status ${sql.join(STATUS_ORDER.map((s, rank) => sql`WHEN ${sql.lit(s)} THEN ${sql.lit(rank)}`), sql` `)} END`;

/**
 * An item has dispute kinds only while disputed or final (item-facets.repository.ts: the kinds of a complete panel's
 * disputes; an agreed panel has none, an open or in-review item no complete panel).
 */
const DISPUTE_STATUSES: readonly ItemStatus[] = ['disputed', 'final'];

/**
 * The statuses an item matching the filters may have: the status filter's; with a grade filter (severity, category)
 * those of items with final labels (whereOf: HAS_FINAL); with a dispute kind those of items with dispute kinds; with
 * an expert, any but open. None:
 * nothing matches, and nothing is read (a status sort's segment of another status is not read either).
 */
const statusesOf = (filters: ItemFilters): ItemStatus[] =>
  STATUS_ORDER.filter(
    (s) =>
      (filters.status === undefined || s === filters.status) &&
      (filters.severity === undefined && filters.category === undefined ? true : FINAL_STATUSES.includes(s)) &&
      (filters.disputeKind === undefined || DISPUTE_STATUSES.includes(s)) &&
      // An expert's verdict makes an item more than open (item-state.ts: open is "no verdict").
      (filters.expertId === undefined || s !== 'open'),
  );

/**
 * The one status a match may have when the filters leave only one (a dispute kind with a final grade: final), else
 * undefined. Stated as the page's status filter it changes no result, and a sort's walk then reads that status's rows
 * only (its driver's byStatus index), as for a status asked for: a dispute kind with a grade sorted by divisiveness
 * walked every disputed and agreed item's consensus before the final ones (0.46 s at a million items).
 */
export function impliedStatus(filters: ItemFilters): ItemStatus | undefined {
  const statuses = statusesOf(filters);
  return statuses.length === 1 ? statuses[0] : undefined;
}

/** The column of project_item_totals that counts the items of each status. */
const STATUS_TOTAL: Record<ItemStatus, `items_${string}`> = {
  open: 'items_open',
  in_review: 'items_in_review',
  disputed: 'items_disputed',
  agreed: 'items_agreed',
  final: 'items_final',
};

const HAS_CONSENSUS = sql`EXISTS (SELECT 1 FROM item_consensus c WHERE c.item_id = i.id)`;

/**
 * One run of a sort that an index gives in order: the items of `where`, by `keys` then by `id` (both in the page's
 * direction). A sort is one segment, or several read one after another: by status, one segment per status (each in
 * id order from items_by_status), since the lifecycle order is no column; by divisiveness or last update, the items
 * with a consensus in its index's order, then those without one (which come last either way) by id.
 */
interface Segment {
  where?: RawBuilder<unknown>;
  /** The one status the segment's items have (the status sort's): with a filter on another status, it is not read. */
  status?: ItemStatus;
  /** The sort's columns in this segment, before the id, with the kind of value each holds (a cursor's are checked). */
  keys: { column: RawBuilder<unknown>; kind: KeyKind }[];
  /** The column that ends the order: the item id, as the index of the segment holds it. */
  id: RawBuilder<unknown>;
  /** Set when the keys alone are unique (a project's files): the keyset condition then needs no id. */
  uniqueKeys?: boolean;
  /** The table and index that give the segment in order (SQLite's planner, without statistics, is told). */
  driver: Driver;
}

/**
 * Where a segment's rows come from, in its order: the items or their consensus, by one of their indexes. `byStatus`
 * is an index that holds the same order after the status, walked instead when the page filters by a status: it reads
 * that status's rows only. Without it, a rare status under a sort whose first rows are of other statuses walked most
 * of the index (open items sorted by divisiveness: every item with a consensus, 0.9 s at a million).
 * item_consensus keeps its item's status for this (migration 027), stated in the WHERE clause as `c.status` (see
 * statusOfDriver). A driver with no `index` is read by status only: without a status filter, one run per status the
 * filters leave (statusRunsOf).
 */
type Driver = { table: 'items'; index?: string; byStatus?: string } | { table: 'item_consensus'; index: string; byStatus: string };

interface SortPlan {
  /** The segments in ascending order. */
  segments: Segment[];
  /** Descending reads the segments last to first (statuses); else they keep their order (no consensus last). */
  reverseWhenDescending?: boolean;
  /** For a page read by offset: one ORDER BY over every segment (first the segment's number, then its keys). */
  segmentOf?: RawBuilder<unknown>;
  joins: 'consensus'[];
}

const ITEM_ID = sql`i.id`;
const BY_ID: Driver = { table: 'items', index: 'items_by_project', byStatus: 'items_by_status' };
/** What a sort key holds (none is ever null where it sorts). */
export type KeyKind = 'integer' | 'real' | 'text';
const integer = (column: RawBuilder<unknown>) => ({ column, kind: 'integer' as const });
const real = (column: RawBuilder<unknown>) => ({ column, kind: 'real' as const });
const text = (column: RawBuilder<unknown>) => ({ column, kind: 'text' as const });

/** A sort by a key of the item's consensus: the items with one by that key's index, then those without (last either way) by id. */
const byConsensusKey = (key: Segment['keys'][number], index: string, byStatus: string): SortPlan => ({
  segments: [
    { keys: [key], id: sql`c.item_id`, driver: { table: 'item_consensus', index, byStatus } },
    { where: sql`NOT ${HAS_CONSENSUS}`, keys: [], id: ITEM_ID, driver: BY_ID },
  ],
  segmentOf: sql`CASE WHEN c.item_id IS NULL THEN 1 ELSE 0 END`,
  joins: ['consensus'],
});

const SORTS: Record<ItemBrowserSort, SortPlan> = {
  priority: {
    segments: [{ keys: [integer(sql`i.models_wrong`), real(sql`i.confidence`)], id: ITEM_ID, driver: { table: 'items', index: 'items_by_priority', byStatus: 'items_by_status_priority' } }],
    joins: [],
  },
  id: { segments: [{ keys: [], id: ITEM_ID, driver: BY_ID }], joins: [] },
  // The items' copy of their image's file (migration 034), by status only.
  file: { segments: [{ keys: [text(sql`i.file`)], id: ITEM_ID, uniqueKeys: true, driver: { table: 'items', byStatus: 'items_by_status_file' } }], joins: [] },
  status: {
    segments: STATUS_ORDER.map((status) => ({ where: sql`i.status = ${status}`, status, keys: [], id: ITEM_ID, driver: { table: 'items', index: 'items_by_status' } })),
    reverseWhenDescending: true,
    segmentOf: STATUS_RANK,
    joins: [],
  },
  divisiveness: byConsensusKey(real(sql`c.divisiveness`), 'item_consensus_by_divisiveness', 'item_consensus_by_status_divisiveness'),
  verdicts: { segments: [{ keys: [integer(sql`i.verdict_count`)], id: ITEM_ID, driver: { table: 'items', index: 'items_by_verdicts', byStatus: 'items_by_status_verdicts' } }], joins: [] },
  updated: byConsensusKey(text(sql`c.updated_at`), 'item_consensus_by_update', 'item_consensus_by_status_update'),
};

const and = (conditions: RawBuilder<unknown>[]) => sql.join(conditions, sql`\n  AND `);

/**
 * The items of a class filter: images whose original label is the class, or whose top-1 (of any model) is. From the
 * two indexes on the class: a few thousand images of a million, from which a page or a count starts (see fromOf).
 */
const classMatches = (projectId: number, classIndex: number) =>
  sql`(SELECT id AS image_id FROM images WHERE project_id = ${projectId} AND original_class_idx = ${classIndex}
    UNION SELECT image_id FROM predictions WHERE rank = 1 AND class_idx = ${classIndex}) m`;

/** The index a driver walks for these filters: the one with the status first when the page filters by a status. */
function indexOf(driver: Driver, filters: ItemFilters): string {
  const index = (filters.status !== undefined && driver.byStatus) || driver.index;
  if (index === undefined) throw new Error('a driver without an index of its own is read by status (statusRunsOf)');
  return index;
}

/**
 * The status condition on the driver's own table, for a page that filters by a status: on item_consensus, its copy of
 * the item's status (`c.status`), which its index holds before the sort's key (the filter's `i.status`, on the items
 * joined after, cannot narrow that walk); nothing on the items, whose filter is the condition itself.
 */
const statusOfDriver = (driver: Driver, filters: ItemFilters): RawBuilder<unknown>[] =>
  driver.table === 'item_consensus' && filters.status !== undefined ? [sql`c.status = ${filters.status}`] : [];

/**
 * The FROM clause of a page, a segment of one, or a count. With a class filter, or a listed filter with few matches
 * (ItemFilters.startFrom: an expert with few verdicts, a rare dispute kind or final grade), the filter's few matching
 * items come first and the page sorts them (a walk of a sort's index would pass most of the project's items to find
 * them; the filter's condition stays in the WHERE clause too: its list is a superset, and a class filter takes
 * precedence); else a segment walks its driver's index from the cursor, and a count or a page by offset reads the
 * items. On SQLite, which keeps no statistics, the order of the tables and the index are stated (joinInWrittenOrder,
 * indexedBy): its planner otherwise takes any index on project_id and sorts every match.
 */
function fromOf(db: Queries, projectId: number, filters: ItemFilters, driver: Driver | 'items', joins: readonly 'consensus'[]): RawBuilder<unknown> {
  const then = joinInWrittenOrder(db);
  const parts: RawBuilder<unknown>[] = [];
  const joined = new Set<string>();
  if (filters.classIndex !== undefined) {
    parts.push(classMatches(projectId, filters.classIndex), sql`${then} items i ON i.image_id = m.image_id`);
  } else if (filters.startFrom !== undefined && listedRows(projectId, filters, filters.startFrom) !== null) {
    parts.push(sql`(SELECT DISTINCT item_id ${listedRows(projectId, filters, filters.startFrom)}) e ${then} items i ON i.id = e.item_id`);
  } else if (driver === 'items') {
    parts.push(sql`items i`);
  } else if (driver.table === 'items') {
    parts.push(sql`items i ${indexedBy(db, indexOf(driver, filters))}`);
  } else {
    parts.push(sql`item_consensus c ${indexedBy(db, indexOf(driver, filters))} ${then} items i ON i.id = c.item_id AND c.project_id = ${projectId}`);
    joined.add('consensus');
  }
  const wanted = new Set<string>(joins);
  if (driver !== 'items' && driver.table === 'item_consensus') wanted.add('consensus');
  if (wanted.has('consensus') && !joined.has('consensus')) {
    // By offset, every item in one ORDER BY (those without a consensus too); a segment, only those with one.
    parts.push(driver === 'items' ? sql`LEFT JOIN item_consensus c ON c.item_id = i.id` : sql`JOIN item_consensus c ON c.item_id = i.id`);
  }
  return sql.join(parts, sql`\n`);
}

/**
 * How a row is checked against a dispute kind's or an expert's items. `list`: the list is read once, whole, and each
 * row looked up in it, for a query that reads every item of the project in one statement (a broad filter's count, a
 * jump by offset).
 * `probe`: each row looks itself up in the list's index, for a query that reads few rows (a page that walks its
 * sort's index until it is full, or one that starts from a filter's few matches): reading an expert's 230,000 verdicts
 * and a dispute kind's items to check a class's few thousand was most of such a request (its count 44 ms and its page
 * 36 ms, of 90 ms, at a million items).
 */
type Membership = 'list' | 'probe';

/** The membership check of a query that reads every item, unless it starts from a filter's few matches (fromOf). */
const membershipOfWholeRead = (filters: ItemFilters): Membership => (startsFromFewMatches(filters) ? 'probe' : 'list');

/** The WHERE clause of a page and of its count (the class filter is in fromOf). */
export function whereOf(projectId: number, filters: ItemFilters, membership: Membership): RawBuilder<unknown> {
  const conditions = [sql`i.project_id = ${projectId}`];
  if (filters.status !== undefined) conditions.push(sql`i.status = ${filters.status}`);
  // As a list, `+i.id`: the list of a dispute kind's or an expert's items is looked into, row by row, never walked.
  // SQLite's planner otherwise took it for an equality on the id, and looked every listed id up for every row of the
  // sort's index (an expert's 240,000 items against a million images: 211 s for one page sorted by file).
  if (filters.disputeKind !== undefined) {
    conditions.push(
      membership === 'list'
        ? sql`+i.id IN (SELECT item_id FROM item_dispute_kinds WHERE project_id = ${projectId} AND kind = ${filters.disputeKind})`
        : sql`EXISTS (SELECT 1 FROM item_dispute_kinds k WHERE k.item_id = i.id AND k.kind = ${filters.disputeKind})`,
    );
  }
  if (filters.expertId !== undefined) {
    // Verdicts are never deleted: any revision means a current verdict.
    conditions.push(
      membership === 'list'
        ? sql`+i.id IN (SELECT item_id FROM verdicts WHERE user_id = ${filters.expertId})`
        : sql`EXISTS (SELECT 1 FROM verdicts v WHERE v.user_id = ${filters.expertId} AND v.item_id = i.id)`,
    );
  }
  const { wrongModel } = filters;
  if (filters.severity !== undefined || filters.category !== undefined) {
    // A final grade implies final labels under which the model is wrong: this also decides `wrongModel`.
    const grade = [sql`f.item_id = i.id`];
    if (wrongModel !== undefined) grade.push(sql`f.model_id = ${wrongModel.id}`);
    if (filters.severity !== undefined) grade.push(sql`f.severity = ${filters.severity}`);
    if (filters.category !== undefined) grade.push(sql`f.category = ${filters.category}`);
    const graded = sql`EXISTS (SELECT 1 FROM item_final_mistakes f WHERE ${sql.join(grade, sql` AND `)})`;
    // A stated status is one with final labels (statusesOf: with another, nothing is read): HAS_FINAL again would be
    // redundant, and PostgreSQL's planner, multiplying the two conditions' shares, then took an agreed grade of one
    // expert for 20 times rarer than it is and sorted all its matches rather than walk (760 ms against 77 ms).
    conditions.push(filters.status === undefined ? sql`${HAS_FINAL} AND ${graded}` : graded);
  } else if (wrongModel !== undefined) {
    conditions.push(
      sql`CASE WHEN ${HAS_FINAL} THEN EXISTS (SELECT 1 FROM item_final_mistakes f WHERE f.item_id = i.id AND f.model_id = ${wrongModel.id})
       ELSE ${top1OutsideAccepted(wrongModel)} END`,
    );
  }
  return and(conditions);
}

/** Where a page ends: the last row's segment (its index in the sort's segments), its sort keys there, and its id. */
export interface PageCursor {
  segment: number;
  keys: (number | string)[];
  id: number;
}

/** The kinds of the keys a cursor of this sort carries in this segment (null: the sort has no such segment). */
export function cursorKeyKinds(sort: ItemBrowserSort, segment: number): KeyKind[] | null {
  return SORTS[sort].segments[segment]?.keys.map((k) => k.kind) ?? null;
}

const direction = (order: SortOrder) => (order === 'asc' ? sql`ASC` : sql`DESC`);

/** What a page row carries: its id, and its place in the sort (to make the cursor after it). */
interface PlacedRow {
  id: number;
  segment: number;
  [key: `k${number}`]: number | string | null;
}

const keyColumns = (keys: RawBuilder<unknown>[]) => keys.map((key, n) => sql`${key} AS ${sql.ref(`k${n}`)}`);
const columnsOf = (segment: Segment) => segment.keys.map((k) => k.column);

/** A page by offset: one ORDER BY over the segments (the segment's number, its keys, the id), read up to `offset`. */
export function offsetPageSql(db: Queries, projectId: number, filters: ItemFilters, sort: ItemBrowserSort, order: SortOrder, limit: number, offset: number): RawBuilder<PlacedRow> {
  const plan = SORTS[sort];
  // Every segment's keys, in one column list: a row's keys of another segment are null (the ordering never compares them).
  const width = Math.max(...plan.segments.map((s) => s.keys.length));
  const keys = Array.from({ length: width }, (_, n) => plan.segments.find((s) => s.keys.length > n)!.keys[n]!.column);
  const segmentOf = plan.segmentOf ?? sql`0`;
  const segmentOrder = plan.reverseWhenDescending ? direction(order) : sql`ASC`;
  // (A sort of one segment has no segment term: a constant in ORDER BY would be read as a column's number.)
  const orderBy = [...(plan.segmentOf ? [sql`${segmentOf} ${segmentOrder}`] : []), ...[...keys, ITEM_ID].map((key) => sql`${key} ${direction(order)}`)];
  return sql<PlacedRow>`SELECT i.id, ${segmentOf} AS segment${sql.join(keyColumns(keys).map((k) => sql`, ${k}`), sql``)}
FROM ${fromOf(db, projectId, filters, 'items', plan.joins)}
WHERE ${whereOf(projectId, filters, membershipOfWholeRead(filters))}
ORDER BY ${sql.join(orderBy)}
LIMIT ${limit} OFFSET ${offset}`;
}

/**
 * The statuses a segment is read by, one run each, when its driver has an index with the status first and the filters
 * leave some of the statuses its rows may have but not all (a dispute kind: disputed and final; a grade: agreed and
 * final), or whatever they leave when the driver has no other index (the file sort); else null. Each status's run
 * walks that status's rows only; a walk of the whole index passed over the rows of the others, which may all come
 * first (a dispute kind sorted by divisiveness ascending: every agreed item, 0.45 s at a million items). The runs are
 * merged by the sort in SQL (segmentPageSql).
 */
function statusRunsOf(segment: Segment, filters: ItemFilters): ItemStatus[] | null {
  const { driver } = segment;
  if (filters.status !== undefined || segment.status !== undefined || startsFromFewMatches(filters) || !driver.byStatus) return null;
  // item_consensus has rows for items with a verdict only: never open ones.
  const held = driver.table === 'item_consensus' ? STATUS_ORDER.filter((s) => s !== 'open') : STATUS_ORDER;
  const statuses = statusesOf(filters).filter((s) => held.includes(s));
  // A driver with no index of its own is read by status, whichever statuses the filters leave.
  if (driver.index === undefined) return statuses;
  return statuses.length > 1 && statuses.length < held.length ? statuses : null;
}

/** At most `limit` rows of one segment, in order, after `after` when the cursor is in this segment. */
export function segmentPageSql(db: Queries, projectId: number, filters: ItemFilters, sort: ItemBrowserSort, order: SortOrder, segmentIndex: number, after: PageCursor | null, limit: number): RawBuilder<PlacedRow> {
  const segment = SORTS[sort].segments[segmentIndex]!;
  const orderOfRows = [...segment.keys.map((_, n) => sql.ref(`k${n}`)), sql.ref('id')].map((key) => sql`${key} ${direction(order)}`);
  const runs = statusRunsOf(segment, filters);
  if (runs !== null) {
    // Each status's first rows in order (its own ORDER BY and LIMIT), merged by the same order.
    const reads = runs.map((status) => {
      const run = { ...filters, status, startFrom: filters.startFromIn?.[status] };
      return sql`SELECT * FROM (${segmentPageSql(db, projectId, run, sort, order, segmentIndex, after, limit)}) ${sql.ref(`run_${status}`)}`;
    });
    return sql<PlacedRow>`${sql.join(reads, sql`\nUNION ALL\n`)}\nORDER BY ${sql.join(orderOfRows)}\nLIMIT ${limit}`;
  }
  const conditions = [whereOf(projectId, filters, 'probe'), ...statusOfDriver(segment.driver, filters)];
  if (segment.where) conditions.push(segment.where);
  /** The rows past the cursor, compared on these columns (the segment's keys and id, or the page's copies of them). */
  const pastCursor = (keys: RawBuilder<unknown>[], id: RawBuilder<unknown>) => {
    const columns = segment.uniqueKeys ? keys : [...keys, id];
    const values = segment.uniqueKeys ? after!.keys : [...after!.keys, after!.id];
    const past = order === 'asc' ? sql`>` : sql`<`;
    // A row value compares column by column, as the ORDER BY sorts: both engines read it from the segment's index.
    return columns.length === 1 ? sql`${columns[0]!} ${past} ${values[0]}` : sql`(${sql.join(columns)}) ${past} (${sql.join(values)})`;
  };
  const fewMatches = startsFromFewMatches(filters);
  if (after && !fewMatches) conditions.push(pastCursor(columnsOf(segment), segment.id));
  const select = sql`SELECT ${segment.id} AS id, ${sql.lit(segmentIndex)} AS segment${sql.join(keyColumns(columnsOf(segment)).map((k) => sql`, ${k}`), sql``)}
FROM ${fromOf(db, projectId, filters, segment.driver, [])}
WHERE ${and(conditions)}`;
  if (fewMatches) {
    // The filter's few matches, found first and then sorted (see computedWhole); the cursor is applied to them, not
    // inside: there, a range on the sort's key was what PostgreSQL's planner walked the key's index for, testing every
    // row against the few matches (0.4 s for a class's 14 items of 100,000 by last change, after a cursor).
    const outside = after ? sql`\nWHERE ${pastCursor(segment.keys.map((_, n) => sql.ref(`page.k${n}`)), sql.ref('page.id'))}` : sql``;
    return sql<PlacedRow>`SELECT * FROM (${select} ${computedWhole(db)}) page${outside}\nORDER BY ${sql.join(orderOfRows)}\nLIMIT ${limit}`;
  }
  const orderBy = [...columnsOf(segment), segment.id].map((key) => sql`${key} ${direction(order)}`);
  return sql<PlacedRow>`${select}
ORDER BY ${sql.join(orderBy)}
LIMIT ${limit}`;
}

const cursorOf = (sort: ItemBrowserSort, row: PlacedRow): PageCursor => {
  const segment = Number(row.segment);
  // Engines give a REAL as a number and an integer column as a number (or a bigint's text: Number() again).
  const keys = SORTS[sort].segments[segment]!.keys.map(({ kind }, n) => (kind === 'text' ? String(row[`k${n}`]) : Number(row[`k${n}`])));
  return { segment, keys, id: Number(row.id) };
};

/** The count of the matches. */
export const countSql = (db: Queries, projectId: number, filters: ItemFilters) =>
  sql<{ n: number }>`SELECT count(*) AS n FROM ${fromOf(db, projectId, filters, 'items', [])}\nWHERE ${whereOf(projectId, filters, membershipOfWholeRead(filters))}`;

/** Reads the item browser's pages: item ids by filters and sort, then what a row shows for those ids. */
export function createItemBrowserRepository(db: Queries) {
  const ids = (column: string, itemIds: readonly number[]) => sql`${sql.ref(column)} IN (${sql.join(itemIds)})`;

  return {
    /**
     * The ids of one page, in order, and the cursor after its last row (null when no row follows). After a cursor,
     * each segment of the sort is read from where the cursor is, by its index, until the page is full; by offset,
     * one query sorts the matches up to the offset (a jump into the list: it costs what it skips).
     */
    async page(
      projectId: number,
      filters: ItemFilters,
      sort: ItemBrowserSort,
      order: SortOrder,
      limit: number,
      from: { after: PageCursor | null } | { offset: number },
    ): Promise<{ ids: number[]; next: PageCursor | null }> {
      // One row past the page tells whether another page follows.
      let rows: PlacedRow[];
      const statuses = statusesOf(filters);
      if (statuses.length === 0) {
        rows = [];
      } else if ('offset' in from) {
        rows = (await offsetPageSql(db, projectId, filters, sort, order, limit + 1, from.offset).execute(db)).rows;
      } else {
        rows = [];
        const plan = SORTS[sort];
        const inOrder = plan.segments.map((_, n) => n);
        if (order === 'desc' && plan.reverseWhenDescending) inOrder.reverse();
        const { after } = from;
        // From the cursor's segment on; a status sort's segment of a status no match may have is not read.
        const segments = inOrder.slice(after ? inOrder.indexOf(after.segment) : 0).filter((n) => {
          const { status } = plan.segments[n]!;
          return status === undefined || statuses.includes(status);
        });
        for (const segment of segments) {
          const read = await segmentPageSql(db, projectId, filters, sort, order, segment, after?.segment === segment ? after : null, limit + 1 - rows.length).execute(db);
          rows.push(...read.rows);
          if (rows.length > limit) break;
        }
      }
      const page = rows.slice(0, limit);
      return { ids: page.map((r) => Number(r.id)), next: rows.length > limit ? cursorOf(sort, page.at(-1)!) : null };
    },

    /**
     * How many items match the filters when that is cheap, else null: without a filter but the status, from the
     * project's item totals (kept with every status change, in the same write: see project-totals.ts); with a class
     * filter or an expert with few verdicts, from the filter's few matches. A broad filter's count reads every item of
     * the project (0.3 s at a million): that is `count`, asked for on its own.
     */
    async cheapCount(projectId: number, filters: ItemFilters): Promise<number | null> {
      const onlyStatus = Object.entries(filters).every(([name, value]) => name === 'status' || name === 'startFrom' || name === 'startFromIn' || value === undefined);
      if (onlyStatus) {
        const columns = filters.status === undefined ? STATUS_ORDER.map((s) => STATUS_TOTAL[s]) : [STATUS_TOTAL[filters.status]];
        const { rows } = await sql<{ n: number | string | null }>`SELECT sum(${sql.join(columns.map((c) => sql.ref(c)), sql` + `)}) AS n
          FROM project_item_totals WHERE project_id = ${projectId}`.execute(db);
        return Number(rows[0]?.n ?? 0);
      }
      return startsFromFewMatches(filters) ? this.count(projectId, filters) : null;
    },

    /** How many items match the filters, exactly. */
    async count(projectId: number, filters: ItemFilters): Promise<number> {
      if (statusesOf(filters).length === 0) return 0;
      return Number((await countSql(db, projectId, filters).execute(db)).rows[0]!.n);
    },

    /** What the rows of these items show, in the order of `itemIds`. Run it in a snapshot: the reads must agree. */
    async rows(itemIds: readonly number[]): Promise<ItemBrowserRecord[]> {
      if (itemIds.length === 0) return [];
      // Four reads asked together: on a reader thread (Database.slowSnapshot) they go in one round trip.
      const [details, kinds, grades, top1Outside] = await Promise.all([
        sql<{
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
         FROM items i JOIN images im ON im.id = i.image_id LEFT JOIN item_consensus c ON c.item_id = i.id WHERE ${ids('i.id', itemIds)}`.execute(db),
        db.selectFrom('item_dispute_kinds').select(['item_id', 'kind']).where('item_id', 'in', itemIds).execute(),
        db.selectFrom('item_final_mistakes').select(['item_id', 'model_id', 'severity', 'category']).where('item_id', 'in', itemIds).execute(),
        // Per item and model: is its top-1 outside the accepted labels (only read for items without final labels).
        sql<{ id: number; model_id: number }>`SELECT i.id, p.model_id FROM items i JOIN predictions p ON p.image_id = i.image_id AND p.rank = 1
         WHERE ${ids('i.id', itemIds)} AND NOT EXISTS (SELECT 1 FROM accepted_labels a WHERE a.image_id = i.image_id AND a.class_idx = p.class_idx)`.execute(db),
      ]);

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

    /**
     * The first of the page's listed filters (LISTED_FILTERS) whose index lists FEW_MATCHES rows at most (an upper
     * bound of its items: an expert's revisions, a grade's models, each counted; read no further), or undefined. A
     * walk of a sort's index passes over the items that do not match until the page is full: for a filter with few
     * matches that is most of the project (a grade no item has: the whole of it, 5 to 9 s at a million items).
     */
    async fewMatchesFilter(projectId: number, filters: ItemFilters): Promise<ListedFilter | undefined> {
      for (const filter of LISTED_FILTERS) {
        const rows = listedRows(projectId, filters, filter);
        if (rows === null) continue;
        const counted = await sql<{ n: number | string }>`SELECT count(*) AS n FROM (SELECT 1 ${rows} LIMIT ${FEW_MATCHES + 1}) v`.execute(db);
        if (Number(counted.rows[0]!.n) <= FEW_MATCHES) return filter;
      }
      return undefined;
    },

    /**
     * For filters that leave a few statuses (so that a page reads a run per status) and whose first listed filter has
     * more than FEW_MATCHES matches: the statuses among whose items it has FEW_MATCHES at most, each with that filter
     * (ItemFilters.startFromIn). A grade's matches of a status are counted from its index alone (its rows keep their
     * item's status: migration 035), on either engine. A dispute kind's or an expert's are counted through the items,
     * and only when they are COUNTED_BY_STATUS at most, and only on an engine that runs a page as written (SQLite):
     * PostgreSQL's planner does not walk a run as written, and such a count cost it 150 to 400 ms at a million items.
     * Else nothing: too many to count apart, or no runs.
     */
    async fewMatchesByStatus(projectId: number, filters: ItemFilters): Promise<Partial<Record<ItemStatus, ListedFilter>>> {
      const statuses = statusesOf(filters);
      const runs = filters.status === undefined && filters.classIndex === undefined && filters.startFrom === undefined && statuses.length > 1;
      // Items with a consensus have any status but open: filters that leave all of those are not read by status.
      if (!runs || STATUS_ORDER.every((s) => s === 'open' || statuses.includes(s))) return {};
      const filter = LISTED_FILTERS.find((f) => listedRows(projectId, filters, f) !== null);
      if (filter === undefined) return {};
      const byIndex = filter === 'grade';
      if (!byIndex) {
        if (!runsAsWritten(db)) return {};
        const listed = await sql<{ n: number | string }>`SELECT count(*) AS n FROM (SELECT 1 ${listedRows(projectId, filters, filter)!} LIMIT ${COUNTED_BY_STATUS + 1}) v`.execute(db);
        if (Number(listed.rows[0]!.n) > COUNTED_BY_STATUS) return {};
      }
      // Asked together: on a reader thread (Database.slowSnapshot) they go in one round trip.
      const counts = await Promise.all(
        statuses.map((status) => {
          const matching = byIndex
            ? sql`SELECT 1 ${listedRows(projectId, { ...filters, status }, filter)!}`
            : sql`SELECT 1 FROM (SELECT DISTINCT item_id ${listedRows(projectId, filters, filter)!}) e
              ${joinInWrittenOrder(db)} items i ON i.id = e.item_id WHERE i.status = ${status}`;
          return sql<{ n: number | string }>`SELECT count(*) AS n FROM (${matching} LIMIT ${FEW_MATCHES + 1}) v`.execute(db);
        }),
      );
      const few: Partial<Record<ItemStatus, ListedFilter>> = {};
      statuses.forEach((status, n) => {
        if (Number(counts[n]!.rows[0]!.n) <= FEW_MATCHES) few[status] = filter;
      });
      return few;
    },

    /** A user's id by username (case-insensitive, as sign-in), or null. */
    async userId(username: string): Promise<number | null> {
      const row = await db.selectFrom('users').select('id').where(sql<boolean>`lower(username) = ${username.toLowerCase()}`).executeTakeFirst();
      return row?.id ?? null;
    },
  };
}
export type ItemBrowserRepository = ReturnType<typeof createItemBrowserRepository>;
