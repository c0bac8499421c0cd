import { Aggregation, PanelPolicy, PanelQuorum, type FinalLabels, type ItemStatus, type Judgement } from '@bagel/contracts';
import type { PanelDispute } from '@bagel/core';
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Queries } from '../../db/database';
import { executeCompiled, padded, shapedChunks } from '../../db/prepared-query';
import { chunksOf, joinedIntegers } from '../../db/dialect';
import type { ItemConsensusTable } from '../../db/tables';
import { createItemFacetsRepository } from '../items/item-facets.repository';
import type { CatalogProject } from '../projects/project-catalog';
import { loadConfusionModel } from './confusion.repository';
import { baseJudgements } from './image-labels';
import type { ContextDecision, ContextVerdict, ItemContext, ItemState, PanelSettings } from './item-state';
import { emptyItemTotals, encodeOutcomes, encodeRaters, ITEM_TOTAL_SHARDS, ProjectTotals, shareOf, storedShareOf, type ItemTotals } from './project-totals';

// The same queries serve one item (on each verdict and decision), a range of a project's judged items (when its
// quorum changes: a 20,000-item project is read range by range, which keeps the heap small) and a list of them (a
// page of the archive, a window of the Major slice), so all three build the same contexts. Items are walked by id: a
// range or a list is found through the items' primary key, `+project_id` and `+verdict_count` being filters only
// (the unary plus keeps SQLite from reading the whole project through an index on them instead; PostgreSQL reads
// it as the number it is).
type Scope = { kind: 'item'; itemId: number } | { kind: 'range'; projectId: number; from: number; to: number } | { kind: 'list'; projectId: number; ids: readonly number[] };

/** The values `where(scope)` binds, in order, and what else shapes its text. */
function scopeValues(scope: Scope): unknown[] {
  if (scope.kind === 'item') return [scope.itemId];
  if (scope.kind === 'range') return [scope.from, scope.to, scope.projectId];
  return [...scope.ids, scope.projectId];
}
const scopeShape = (scope: Scope) => (scope.kind === 'list' ? `list${scope.ids.length}` : scope.kind);

function where(scope: Scope): RawBuilder<unknown> {
  switch (scope.kind) {
    case 'item':
      return sql`i.id = ${scope.itemId}`;
    case 'range':
      return sql`i.id >= ${scope.from} AND i.id < ${scope.to} AND +i.project_id = ${scope.projectId} AND +i.verdict_count > 0`;
    case 'list':
      return sql`i.id IN (${sql.join(scope.ids)}) AND +i.project_id = ${scope.projectId} AND +i.verdict_count > 0`;
  }
}

/** Item ids per statement of the list scope (padded to a power of two): far below both engines' limits of bound values. */
const LIST_CHUNK = 1024;
/** Most rows per multi-row INSERT (shapedChunks: slices of 128, 64, … beyond 16), well under both engines' limits of bound values. */
const CHUNK = 200;
/** Items read, computed and written at a time by the project path. */
export const RANGE_ITEMS = 100;

// A prediction as one integer, (model id × RANK_SLOTS + rank) × CLASS_SLOTS + class index, computed by the database,
// an item's predictions joined in one text (dialect.joinedIntegers: 25 rows would take several times as long to
// read), then repacked by rank and model position to be sorted as numbers. Exact as long as it stays under 2^53:
// model ids below 2^23; ranks and model positions below RANK_SLOTS, class indices below CLASS_SLOTS (the import's
// limits are lower).
const RANK_SLOTS = 1024;
const CLASS_SLOTS = 1048576;

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What an item's aggregation reads that never changes after the import (its image and original label, accepted and
 * prior labels, prior problematic flag, the models' predictions, the extra candidates), once computed: kept per
 * catalog entry (a project's vocabulary and models as read at one settings version), by item, so that a verdict on an
 * item judged before reads only what changes (its item row, verdicts, decision, stored state): five statements fewer
 * per verdict, inside the write that holds the item's lock. Checked against the item row's image and original class.
 */
interface StaticParts {
  imageId: number;
  originalClassIndex: number;
  candidates: readonly string[];
  baseLabels: ReadonlyMap<string, Judgement>;
  top1Keys: readonly (string | null)[];
  priorProblematic: boolean;
}
const staticPartsOf = new WeakMap<CatalogProject, Map<number, StaticParts>>();
/** Items whose parts are kept per project entry; beyond, the oldest go first. */
const STATIC_PARTS_KEPT = 20_000;

/** A dispute without its wording (which is long, and recomputed whenever the aggregate is shown). */
function compactDispute(dispute: PanelDispute): { kind: PanelDispute['kind']; classKey?: string; model?: string } {
  if (dispute.kind === 'class') return { kind: dispute.kind, classKey: dispute.classKey };
  if (dispute.kind === 'problematic') return { kind: dispute.kind };
  return { kind: dispute.kind, model: dispute.model };
}

const keyArrays = new WeakMap<CatalogProject['vocabulary'], string[]>();
/** Class keys by index, as a plain array: the project path looks up half a million of them. */
function keysByIndex(vocabulary: CatalogProject['vocabulary']): string[] {
  let keys = keyArrays.get(vocabulary);
  if (!keys) {
    keys = [];
    for (const c of vocabulary.classes) keys[c.index] = c.key;
    keyArrays.set(vocabulary, keys);
  }
  return keys;
}

type ConsensusRow = Selectable<ItemConsensusTable>;

const consensusRow = (ctx: ItemContext, state: ItemState, updatedAt: string): ConsensusRow => {
  const a = state.agreement;
  return {
    item_id: ctx.itemId,
    project_id: ctx.projectId,
    disputes: JSON.stringify(state.consensus.disputes.map(compactDispute)),
    final: state.finalJson,
    final_at: state.finalAt,
    divisiveness: state.divisiveness,
    problematic: state.problematic ? 1 : 0,
    major_slice: state.majorSlice ? 1 : 0,
    major_models: state.majorModels.length === 0 ? null : `,${state.majorModels.join(',')},`,
    outcomes: encodeOutcomes(state.outcomes),
    raters: encodeRaters(state.raters),
    fleiss_units: a.fleissUnits,
    fleiss_agreement: a.fleissAgreement,
    fleiss_correct: a.fleissTotals.correct,
    fleiss_wrong: a.fleissTotals.wrong,
    fleiss_unclear: a.fleissTotals.unclear,
    alpha_units: a.alphaUnits,
    alpha_values: a.alphaValues,
    alpha_agreement: a.alphaAgreement,
    alpha_correct: a.alphaTotals.correct,
    alpha_wrong: a.alphaTotals.wrong,
    alpha_unclear: a.alphaTotals.unclear,
    gwet_units: a.gwetUnits,
    gwet_agreement: a.gwetAgreement,
    gwet_correct: a.gwetShares.correct,
    gwet_wrong: a.gwetShares.wrong,
    gwet_unclear: a.gwetShares.unclear,
    updated_at: updatedAt,
    // The item's status, as items.status is set in the same write (writeItemState, writeRangeStates): the item
    // browser's indexes with the status before a consensus key (migration 027) hold it.
    status: state.status,
  };
};
const CONSENSUS_UPDATED = [
  'project_id', 'disputes', 'final', 'final_at', 'divisiveness', 'problematic', 'major_slice', 'major_models', 'outcomes', 'raters',
  'fleiss_units', 'fleiss_agreement', 'fleiss_correct', 'fleiss_wrong', 'fleiss_unclear',
  'alpha_units', 'alpha_values', 'alpha_agreement', 'alpha_correct', 'alpha_wrong', 'alpha_unclear',
  'gwet_units', 'gwet_agreement', 'gwet_correct', 'gwet_wrong', 'gwet_unclear', 'updated_at', 'status',
] as const satisfies readonly (keyof ConsensusRow)[];

/** project_item_totals' figures (every column but its key). */
const ITEM_TOTAL_COLUMNS = Object.keys(emptyItemTotals(0)).filter((c) => c !== 'shard') as Exclude<keyof ItemTotals, 'shard'>[];

/**
 * Sums the project's project_item_totals afresh from its images and items (migration 021 does the same for the
 * projects it finds; 024's columns come from the re-aggregation it starts): after a full re-aggregation, and for projects whose items were written by other means than an
 * import (the tests' seeds).
 */
export async function rebuildItemTotals(db: Queries, projectId: number): Promise<void> {
  const count = (status: string) => sql`sum(CASE WHEN i.status = ${sql.lit(status)} THEN 1 ELSE 0 END)`;
  const sumOf = (column: string) => sql`coalesce(sum(${sql.ref(`c.${column}`)}), 0)`;
  const consensusColumns = ['major_slice', ...ITEM_TOTAL_COLUMNS.filter((c) => c.startsWith('fleiss_') || c.startsWith('alpha_') || c.startsWith('gwet_'))];
  await db.deleteFrom('project_item_totals').where('project_id', '=', projectId).execute();
  await sql`INSERT INTO project_item_totals (project_id, shard, images)
    SELECT project_id, 0, count(*) FROM images WHERE project_id = ${projectId} GROUP BY project_id`.execute(db);
  await sql`INSERT INTO project_item_totals (project_id, shard, items_open, items_in_review, items_agreed, items_disputed, items_final, verdicts,
      ${sql.join(consensusColumns.map((c) => sql.ref(c)))})
    SELECT i.project_id, i.id % ${sql.lit(ITEM_TOTAL_SHARDS)}, ${count('open')}, ${count('in_review')}, ${count('agreed')}, ${count('disputed')},
      ${count('final')}, sum(i.verdict_count), ${sql.join(consensusColumns.map(sumOf))}
    FROM items i LEFT JOIN item_consensus c ON c.item_id = i.id
    WHERE i.project_id = ${projectId}
    GROUP BY i.project_id, i.id % ${sql.lit(ITEM_TOTAL_SHARDS)}
    ON CONFLICT (project_id, shard) DO UPDATE SET
      ${sql.join(ITEM_TOTAL_COLUMNS.filter((c) => c !== 'images').map((c) => sql`${sql.ref(c)} = excluded.${sql.ref(c)}`))}`.execute(db);
}

/** What an item's context keeps of its stored consensus row (ItemContext.previous). */
const PREVIOUS_COLUMNS = [
  'item_id', 'final', 'final_at', 'outcomes', 'raters', 'major_slice',
  'fleiss_units', 'fleiss_agreement', 'fleiss_correct', 'fleiss_wrong', 'fleiss_unclear',
  'alpha_units', 'alpha_values', 'alpha_agreement', 'alpha_correct', 'alpha_wrong', 'alpha_unclear',
  'gwet_units', 'gwet_agreement', 'gwet_correct', 'gwet_wrong', 'gwet_unclear',
] as const satisfies readonly (keyof ConsensusRow)[];

/**
 * Reads what an item's state is computed from, and writes the computed state (items.status and the tables of
 * migration 005). Takes the database's queries or a write's transaction: the writes belong in a `Database.write` job.
 */
export function createConsensusRepository(db: Queries) {
  // The item browser's filter rows (migration 007), kept in step with item_consensus.
  const facets = createItemFacetsRepository(db);

  /** Stores item_consensus rows, replacing those of the same items. */
  async function upsertConsensus(rows: readonly ConsensusRow[]): Promise<void> {
    for (const chunk of shapedChunks(rows, CHUNK)) {
      await executeCompiled(db, `consensus.upsert.${chunk.length}`, chunk.flatMap(Object.values), () =>
        db
          .insertInto('item_consensus')
          .values(chunk)
          .onConflict((oc) => oc.column('item_id').doUpdateSet((eb) => Object.fromEntries(CONSENSUS_UPDATED.map((c) => [c, eb.ref(`excluded.${c}`)]))))
          .compile(),
      );
    }
  }

  /**
   * Adds each row of the totals to the project's, in multi-row upserts (one row per key: a statement never touches a
   * row twice), the rows in the order of their keys: concurrent writes (on PostgreSQL) take the rows' locks in the
   * same order, and never wait for each other in a circle.
   */
  async function addTotals(projectId: number, totals: ProjectTotals): Promise<void> {
    // project_item_totals first, as every write that moves totals does: the rows' locks are always taken in one order.
    const items = [...totals.items.values()]
      .sort((a, b) => a.shard - b.shard)
      .filter((row) => ITEM_TOTAL_COLUMNS.some((column) => row[column] !== 0))
      .map((row) => ({ project_id: projectId, ...row }));
    for (const chunk of shapedChunks(items, CHUNK)) {
      await executeCompiled(db, `consensus.addItemTotals.${chunk.length}`, chunk.flatMap(Object.values), () =>
        db
          .insertInto('project_item_totals')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['project_id', 'shard']).doUpdateSet((eb) => Object.fromEntries(ITEM_TOTAL_COLUMNS.map((c) => [c, eb(`project_item_totals.${c}`, '+', eb.ref(`excluded.${c}`))]))),
          )
          .compile(),
      );
    }
    const scores = [...totals.scores.values()]
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .filter(([, , counted, hits, realCounted, realHits]) => counted !== 0 || hits !== 0 || realCounted !== 0 || realHits !== 0)
      .map(([model_id, original_class_idx, counted, hits, real_counted, real_hits]) => ({ project_id: projectId, model_id, original_class_idx, counted, hits, real_counted, real_hits }));
    for (const chunk of shapedChunks(scores, CHUNK)) {
      await executeCompiled(db, `consensus.addScores.${chunk.length}`, chunk.flatMap(Object.values), () =>
        db
          .insertInto('project_score_deltas')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['project_id', 'model_id', 'original_class_idx']).doUpdateSet((eb) => ({
              counted: eb('project_score_deltas.counted', '+', eb.ref('excluded.counted')),
              hits: eb('project_score_deltas.hits', '+', eb.ref('excluded.hits')),
              real_counted: eb('project_score_deltas.real_counted', '+', eb.ref('excluded.real_counted')),
              real_hits: eb('project_score_deltas.real_hits', '+', eb.ref('excluded.real_hits')),
            })),
          )
          .compile(),
      );
    }
    const mistakes = [...totals.mistakes.values()]
      .sort((a, b) => a[0] - b[0] || compareText(a[1], b[1]) || compareText(a[2], b[2]))
      .filter(([, , , count]) => count !== 0)
      .map(([model_id, severity, category, count]) => ({ project_id: projectId, model_id, severity, category, count }));
    for (const chunk of shapedChunks(mistakes, CHUNK)) {
      await executeCompiled(db, `consensus.addMistakes.${chunk.length}`, chunk.flatMap(Object.values), () =>
        db
          .insertInto('project_mistake_counts')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['project_id', 'model_id', 'severity', 'category']).doUpdateSet((eb) => ({ count: eb('project_mistake_counts.count', '+', eb.ref('excluded.count')) })),
          )
          .compile(),
      );
    }
    const raters = [...totals.raters.values()]
      .sort((a, b) => a[0] - b[0])
      .filter(([, verdicts, agreements, compared]) => verdicts !== 0 || agreements !== 0 || compared !== 0)
      .map(([user_id, verdicts, agreements, compared]) => ({ project_id: projectId, user_id, verdicts, agreements, compared }));
    for (const chunk of shapedChunks(raters, CHUNK)) {
      await executeCompiled(db, `consensus.addRaters.${chunk.length}`, chunk.flatMap(Object.values), () =>
        db
          .insertInto('project_rater_totals')
          .values(chunk)
          .onConflict((oc) =>
            oc.columns(['project_id', 'user_id']).doUpdateSet((eb) => ({
              verdicts: eb('project_rater_totals.verdicts', '+', eb.ref('excluded.verdicts')),
              agreements: eb('project_rater_totals.agreements', '+', eb.ref('excluded.agreements')),
              compared: eb('project_rater_totals.compared', '+', eb.ref('excluded.compared')),
            })),
          )
          .compile(),
      );
    }
  }

  async function loadContexts(scope: Scope, entry: CatalogProject): Promise<ItemContext[]> {
    const { vocabulary } = entry;
    const keys = keysByIndex(vocabulary);
    const keyOf = (index: number): string => {
      const key = keys[index];
      // The import checks every class index against the vocabulary, so this is a corrupt database, not bad input.
      if (key === undefined) throw new Error(`project ${entry.project.id}: class index ${index} is not in its vocabulary`);
      return key;
    };
    const w = where(scope);
    const shape = scopeShape(scope);
    const values = scopeValues(scope);
    /** The rows of one of the queries below, `name` telling it apart, `extra` the values it binds after the scope's. */
    const rows = async <R>(name: string, query: () => RawBuilder<R>, extra: readonly unknown[] = []): Promise<R[]> =>
      (await executeCompiled(db, `consensus.${name}.${shape}`, extra.length === 0 ? values : [...values, ...extra], () => query().compile(db))).rows;

    interface Draft {
      ctx: ItemContext;
      originalKey: string;
      accepted: string[];
      extra: string[];
      /** The item's predictions up to the top-k, packed for sorting: (rank × RANK_SLOTS + model position) × CLASS_SLOTS + class. */
      ranked: number[];
      prior: { key: string; judgement: Judgement }[];
    }
    const drafts = new Map<number, Draft>();
    const items = await rows('items', () =>
      sql<{ id: number; image_id: number; original_class_idx: number; status: ItemStatus }>`
        SELECT i.id, i.image_id, im.original_class_idx, i.status FROM items i JOIN images im ON im.id = i.image_id WHERE ${w} ORDER BY i.id`,
    );
    for (const { id: itemId, image_id: imageId, original_class_idx: originalClassIndex, status } of items) {
      // One array for the current and the blind verdicts, until an expert's differ (see below).
      const verdicts: ContextVerdict[] = [];
      drafts.set(itemId, {
        ctx: {
          itemId,
          projectId: entry.project.id,
          imageId,
          originalClassIndex,
          status,
          candidates: [],
          models: entry.models.map((m) => ({ id: m.id, name: m.name, top1Key: null })),
          baseLabels: new Map(),
          priorProblematic: false,
          verdicts,
          blindVerdicts: verdicts,
          latestDecision: null,
          previous: null,
        },
        originalKey: keyOf(originalClassIndex),
        accepted: [],
        extra: [],
        ranked: [],
        prior: [],
      });
    }
    if (drafts.size === 0) return [];

    // A single item's unchanging parts, if kept: then only what changes is read.
    let partsKept = staticPartsOf.get(entry);
    if (!partsKept) staticPartsOf.set(entry, (partsKept = new Map()));
    const only = scope.kind === 'item' ? drafts.values().next().value : undefined;
    const kept = only && partsKept.get(only.ctx.itemId);
    const known = kept && kept.imageId === only!.ctx.imageId && kept.originalClassIndex === only!.ctx.originalClassIndex ? kept : undefined;
    if (!known) {
      for (const { id, class_idx } of await rows('accepted', () => sql<{ id: number; class_idx: number }>`SELECT i.id, a.class_idx FROM items i JOIN accepted_labels a ON a.image_id = i.image_id WHERE ${w}`)) {
        drafts.get(id)?.accepted.push(keyOf(class_idx));
      }
      const positionOf: number[] = [];
      entry.models.forEach((m, position) => (positionOf[m.id] = position));
      const predictions = await rows('predictions', () =>
        sql<{ id: number; packed: string }>`
          SELECT i.id, ${joinedIntegers(db, sql<number>`(p.model_id * ${sql.lit(RANK_SLOTS)} + p.rank) * ${sql.lit(CLASS_SLOTS)} + p.class_idx`)} AS packed
          FROM items i JOIN predictions p ON p.image_id = i.image_id WHERE ${w} AND p.rank <= ${entry.project.topK} GROUP BY i.id`,
        [entry.project.topK],
      );
      for (const { id, packed } of predictions) {
        const draft = drafts.get(id);
        if (!draft) continue;
        for (const text of packed.split(',')) {
          const value = Number(text);
          const classIndex = value % CLASS_SLOTS;
          const modelAndRank = (value - classIndex) / CLASS_SLOTS;
          const rank = modelAndRank % RANK_SLOTS;
          const position = positionOf[(modelAndRank - rank) / RANK_SLOTS];
          if (position !== undefined) draft.ranked.push((rank * RANK_SLOTS + position) * CLASS_SLOTS + classIndex);
        }
      }
      for (const { id, class_idx } of await rows('extra', () =>
        sql<{ id: number; class_idx: number }>`SELECT i.id, x.class_idx FROM items i JOIN item_extra_candidates x ON x.item_id = i.id WHERE ${w} ORDER BY i.id, x.class_idx`,
      )) {
        drafts.get(id)?.extra.push(keyOf(class_idx));
      }
      for (const { id, class_idx, judgement } of await rows('prior', () =>
        sql<{ id: number; class_idx: number; judgement: Judgement }>`SELECT i.id, pl.class_idx, pl.judgement FROM items i JOIN prior_labels pl ON pl.image_id = i.image_id WHERE ${w}`,
      )) {
        drafts.get(id)?.prior.push({ key: keyOf(class_idx), judgement });
      }
      for (const { id } of await rows('priorProblematic', () => sql<{ id: number }>`SELECT i.id FROM items i JOIN prior_problematic pp ON pp.image_id = i.image_id WHERE ${w}`)) {
        const draft = drafts.get(id);
        if (draft) draft.ctx.priorProblematic = true;
      }
    }
    // Every revision, by item, expert, revision: an expert's last row is their current verdict, and their last row
    // stored before they saw the panel their blind verdict (the same one unless they revised after seeing it); JSON
    // is parsed only for those. An item whose every current verdict is blind shares one array for both.
    const verdictRows = await rows('verdicts', () =>
      sql<{ item_id: number; user_id: number; labels: string; problematic: string | null; mistakes: string; after_seeing_panel: number }>`
        SELECT v.item_id, v.user_id, v.labels, v.problematic, v.mistakes, v.after_seeing_panel FROM items i JOIN verdicts v ON v.item_id = i.id
        WHERE ${w} ORDER BY v.item_id, v.user_id, v.revision`,
    );
    type VerdictRow = (typeof verdictRows)[number];
    const toVerdict = (row: VerdictRow): ContextVerdict => ({
      userId: row.user_id,
      expert: String(row.user_id),
      labels: JSON.parse(row.labels),
      problematic: row.problematic === null ? null : JSON.parse(row.problematic),
      mistakes: JSON.parse(row.mistakes),
    });
    let blindRow: VerdictRow | undefined;
    verdictRows.forEach((row, i) => {
      const { item_id: itemId, user_id: userId } = row;
      const previous = verdictRows[i - 1];
      if (!previous || previous.item_id !== itemId || previous.user_id !== userId) blindRow = undefined;
      if (row.after_seeing_panel === 0) blindRow = row;
      const next = verdictRows[i + 1];
      if (next && next.item_id === itemId && next.user_id === userId) return;
      const ctx = drafts.get(itemId)?.ctx;
      if (!ctx) return;
      const current = toVerdict(row);
      ctx.verdicts.push(current);
      // Revision 1 is always blind (nobody sees the panel before their own verdict), so blindRow is set; a missing
      // one would be a corrupt database, where the current verdict is the best there is.
      if (blindRow === row || blindRow === undefined) {
        if (ctx.blindVerdicts !== ctx.verdicts) ctx.blindVerdicts.push(current);
      } else {
        // The first expert of the item with a revision after seeing the panel: the blind list parts from the current one.
        if (ctx.blindVerdicts === ctx.verdicts) ctx.blindVerdicts = ctx.verdicts.slice(0, -1);
        ctx.blindVerdicts.push(toVerdict(blindRow));
      }
    });
    for (const { item_id, kind, final, created_at } of await rows('decisions', () =>
      sql<{ item_id: number; kind: ContextDecision['kind']; final: string | null; created_at: string }>`
        SELECT d.item_id, d.kind, d.final, d.created_at FROM items i JOIN decisions d ON d.item_id = i.id
        WHERE ${w} AND d.sequence = (SELECT max(e.sequence) FROM decisions e WHERE e.item_id = d.item_id)`,
    )) {
      const draft = drafts.get(item_id);
      if (draft) draft.ctx.latestDecision = { kind, final: final === null ? null : (JSON.parse(final) as FinalLabels), createdAt: created_at };
    }
    for (const row of await rows('previous', () =>
      sql<Pick<ConsensusRow, (typeof PREVIOUS_COLUMNS)[number]>>`
        SELECT ${sql.join(PREVIOUS_COLUMNS.map((column) => sql.ref(`c.${column}`)))} FROM items i JOIN item_consensus c ON c.item_id = i.id WHERE ${w}`,
    )) {
      const draft = drafts.get(row.item_id);
      if (!draft) continue;
      draft.ctx.previous = {
        final: row.final,
        finalAt: row.final_at,
        outcomes: row.outcomes,
        raters: row.raters,
        majorSlice: row.major_slice === 1,
        agreement: {
          fleissUnits: row.fleiss_units,
          fleissAgreement: row.fleiss_agreement,
          fleissTotals: { correct: row.fleiss_correct, wrong: row.fleiss_wrong, unclear: row.fleiss_unclear },
          alphaUnits: row.alpha_units,
          alphaValues: row.alpha_values,
          alphaAgreement: row.alpha_agreement,
          alphaTotals: { correct: row.alpha_correct, wrong: row.alpha_wrong, unclear: row.alpha_unclear },
          gwetUnits: row.gwet_units,
          gwetAgreement: row.gwet_agreement,
          gwetShares: { correct: row.gwet_correct, wrong: row.gwet_wrong, unclear: row.gwet_unclear },
        },
      };
    }

    const contexts: ItemContext[] = [];
    for (const { ctx, originalKey, accepted, extra, ranked, prior } of drafts.values()) {
      if (known) {
        ctx.candidates = [...known.candidates];
        ctx.baseLabels = new Map(known.baseLabels);
        known.top1Keys.forEach((key, position) => ((ctx.models[position] as ItemContext['models'][number]).top1Key = key));
        ctx.priorProblematic = known.priorProblematic;
        contexts.push(ctx);
        continue;
      }
      // The predictions by rank then model (the order of candidateClasses), each model's rank 1 its top-1.
      const rankedKeys: string[] = [];
      for (const value of Float64Array.from(ranked).sort()) {
        const classIndex = value % CLASS_SLOTS;
        const rankAndPosition = (value - classIndex) / CLASS_SLOTS;
        const position = rankAndPosition % RANK_SLOTS;
        const key = keyOf(classIndex);
        rankedKeys.push(key);
        if (rankAndPosition - position === RANK_SLOTS) (ctx.models[position] as ItemContext['models'][number]).top1Key = key;
      }
      // The item's candidates as the review screen lists them (candidateClasses in @bagel/core: original label,
      // accepted labels, every model's top-k by rank then model), then the classes the import sent to the panel
      // (judged wrong beforehand, uncertain crowd pairs). Classes experts added are read from the verdicts.
      const candidates = [originalKey];
      const seen = new Set(candidates);
      accepted.sort((a, b) => (vocabulary.byKey(a)?.index ?? 0) - (vocabulary.byKey(b)?.index ?? 0));
      for (const list of [accepted, rankedKeys, extra]) {
        for (const key of list) {
          if (seen.has(key)) continue;
          seen.add(key);
          candidates.push(key);
        }
      }
      ctx.candidates = candidates;
      ctx.baseLabels = baseJudgements(prior, accepted);
      contexts.push(ctx);
      if (scope.kind === 'item') {
        if (partsKept.size >= STATIC_PARTS_KEPT) partsKept.delete(partsKept.keys().next().value as number);
        partsKept.set(ctx.itemId, {
          imageId: ctx.imageId,
          originalClassIndex: ctx.originalClassIndex,
          candidates: [...candidates],
          baseLabels: new Map(ctx.baseLabels),
          top1Keys: ctx.models.map((m) => m.top1Key),
          priorProblematic: ctx.priorProblematic,
        });
      }
    }
    return contexts;
  }

  return {
    /** The context of one item, or null when it does not exist. */
    async loadItemContext(itemId: number, entry: CatalogProject): Promise<ItemContext | null> {
      return (await loadContexts({ kind: 'item', itemId }, entry))[0] ?? null;
    },
    /** The project's judged items in ranges of about `size` items: [from, to) item ids. */
    async projectRanges(projectId: number, size = RANGE_ITEMS): Promise<[number, number][]> {
      const rows = await db.selectFrom('items').select('id').where('project_id', '=', projectId).where('verdict_count', '>', 0).orderBy('id').execute();
      const ranges: [number, number][] = [];
      for (let start = 0; start < rows.length; start += size) {
        ranges.push([rows[start]!.id, rows[Math.min(start + size, rows.length) - 1]!.id + 1]);
      }
      return ranges;
    },
    /** The contexts of the project's judged items with ids in [from, to), by id. */
    loadRangeContexts(entry: CatalogProject, from: number, to: number): Promise<ItemContext[]> {
      return loadContexts({ kind: 'range', projectId: entry.project.id, from, to }, entry);
    },
    /** The contexts of the judged items among `itemIds` (of the project), by id. */
    async loadListContexts(entry: CatalogProject, itemIds: readonly number[]): Promise<ItemContext[]> {
      const contexts: ItemContext[] = [];
      const sorted = [...new Set(itemIds)].sort((a, b) => a - b);
      for (const ids of chunksOf(sorted, LIST_CHUNK)) contexts.push(...(await loadContexts({ kind: 'list', projectId: entry.project.id, ids: padded(ids) }, entry)));
      return contexts;
    },

    /**
     * The project's panel size, quorum, panel policy, aggregation and Dawid–Skene model as stored, read on the
     * queries given (a write's transaction sees the settings it has just changed).
     */
    async panelSettings(projectId: number): Promise<PanelSettings | null> {
      const row = await db.selectFrom('projects').select(['panel_size', 'quorum', 'panel', 'aggregation']).where('id', '=', projectId).executeTakeFirst();
      if (!row) return null;
      const aggregation = Aggregation.parse(row.aggregation);
      return {
        panelSize: row.panel_size,
        quorum: PanelQuorum.parse(JSON.parse(row.quorum)),
        panel: PanelPolicy.parse(JSON.parse(row.panel)),
        aggregation,
        confusion: aggregation === 'dawid-skene' ? await loadConfusionModel(db, projectId) : null,
      };
    },

    /**
     * Sets panel_complete (migration 002: the item is out of the queue's index) of the project's items with ids in
     * [from, to) from their verdicts and the most verdicts an item may get (`most`: the panel size, or an adaptive
     * panel's max), for a re-aggregation after the panel policy changed. Only the rows it changes are written.
     */
    async setPanelComplete(projectId: number, range: [number, number], most: number): Promise<void> {
      await sql`UPDATE items SET panel_complete = CASE WHEN verdict_count >= ${most} THEN 1 ELSE 0 END
        WHERE id >= ${range[0]} AND id < ${range[1]} AND +project_id = ${projectId}
          AND panel_complete <> CASE WHEN verdict_count >= ${most} THEN 1 ELSE 0 END`.execute(db);
    },

    /**
     * Stores an item's computed state and moves the project totals by the difference between its new share and
     * its old one. The caller runs it in the transaction that changed the item.
     */
    async writeItemState(ctx: ItemContext, state: ItemState, updatedAt: string): Promise<void> {
      if (state.status !== ctx.status) {
        await executeCompiled(db, 'consensus.status', [state.status, ctx.itemId], () => db.updateTable('items').set({ status: state.status }).where('id', '=', ctx.itemId).compile());
      }
      const totals = new ProjectTotals();
      totals.add(storedShareOf(ctx), -1);
      totals.add(shareOf(ctx, state), 1);
      if (ctx.verdicts.length === 0) {
        await executeCompiled(db, 'consensus.delete', [ctx.itemId], () => db.deleteFrom('item_consensus').where('item_id', '=', ctx.itemId).compile());
      } else {
        await upsertConsensus([consensusRow(ctx, state, updatedAt)]);
      }
      await facets.replaceItem(ctx.itemId, ctx.projectId, ctx.verdicts.length === 0 ? null : state);
      await addTotals(ctx.projectId, totals);
    },

    /**
     * Stores the states of a range of a project's judged items (loadRangeContexts) and adds their shares to
     * `totals`; once every range is written, replaceProjectTotals stores the totals. The caller runs all of it in
     * one transaction.
     */
    async writeRangeStates(projectId: number, range: [number, number], contexts: readonly ItemContext[], states: readonly ItemState[], updatedAt: string, totals: ProjectTotals): Promise<void> {
      const byStatus = new Map<ItemStatus, number[]>();
      const rows: ConsensusRow[] = [];
      contexts.forEach((ctx, i) => {
        const state = states[i] as ItemState;
        if (state.status !== ctx.status) {
          const ids = byStatus.get(state.status);
          if (ids) ids.push(ctx.itemId);
          else byStatus.set(state.status, [ctx.itemId]);
        }
        rows.push(consensusRow(ctx, state, updatedAt));
        totals.add(shareOf(ctx, state), 1);
      });
      for (const [status, ids] of byStatus) {
        for (const chunk of chunksOf(ids, LIST_CHUNK).map(padded)) {
          await executeCompiled(db, `consensus.statuses.${chunk.length}`, [status, ...chunk], () => db.updateTable('items').set({ status }).where('id', 'in', chunk).compile());
        }
      }
      // The range's rows go and come back in bulk: cheaper than replacing them one by one. A range holds one
      // project's items, though another project's may fall between its ids (imports may interleave): `+project_id`
      // filters only, the rows found by their item ids (the primary key).
      await executeCompiled(db, 'consensus.deleteRange', [range[0], range[1], projectId], () =>
        sql`DELETE FROM item_consensus WHERE item_id >= ${range[0]} AND item_id < ${range[1]} AND +project_id = ${projectId}`.compile(db),
      );
      await upsertConsensus(rows);
      await facets.replaceRange(range[0], range[1], projectId, contexts.map((ctx, i) => ({ itemId: ctx.itemId, projectId: ctx.projectId, state: states[i] as ItemState })));
    },

    /** The facets (item_dispute_kinds, item_final_mistakes) of a range of judged items, from their computed states; nothing else is written. */
    async writeRangeFacets(projectId: number, range: [number, number], contexts: readonly ItemContext[], states: readonly ItemState[]): Promise<void> {
      await facets.replaceRange(range[0], range[1], projectId, contexts.map((ctx, i) => ({ itemId: ctx.itemId, projectId: ctx.projectId, state: states[i] as ItemState })));
    },

    /** Projects whose facets migration 008 marked to be recomputed. */
    async projectsAwaitingFacets(): Promise<number[]> {
      return (await db.selectFrom('item_facets_backfill').select('project_id').orderBy('project_id').execute()).map((r) => r.project_id);
    },
    /** Unmarks a project once its facets are recomputed. */
    async facetsRebuilt(projectId: number): Promise<void> {
      await db.deleteFrom('item_facets_backfill').where('project_id', '=', projectId).execute();
    },

    // A project re-aggregated at once (next_item_id NULL: migration 011's marks) or range by range in the background
    // (a quorum change: next_item_id is where it stands, done how many items it has recomputed).
    /** Projects a migration marked to be re-aggregated at once (011: scores written before unranked images were left out). */
    async projectsAwaitingReaggregation(): Promise<number[]> {
      return (await db.selectFrom('project_reaggregation_pending').select('project_id').where('next_item_id', 'is', null).orderBy('project_id').execute()).map((r) => r.project_id);
    },
    /** Projects being re-aggregated range by range (after a quorum change), in the background. */
    async projectsReaggregatingInSteps(): Promise<number[]> {
      return (await db.selectFrom('project_reaggregation_pending').select('project_id').where('next_item_id', 'is not', null).orderBy('project_id').execute()).map((r) => r.project_id);
    },
    /** Marks the project to be re-aggregated range by range from its first item (again from the start, if it was being). */
    async markReaggregation(projectId: number): Promise<void> {
      await db
        .insertInto('project_reaggregation_pending')
        .values({ project_id: projectId, next_item_id: 0, done: 0 })
        .onConflict((oc) => oc.column('project_id').doUpdateSet({ next_item_id: 0, done: 0 }))
        .execute();
    },
    /** Where the project's re-aggregation stands: the next item id to do (null: all at once) and the items done; null when none is pending. */
    async reaggregationMark(projectId: number): Promise<{ nextItemId: number | null; done: number } | null> {
      const row = await db.selectFrom('project_reaggregation_pending').select(['next_item_id', 'done']).where('project_id', '=', projectId).executeTakeFirst();
      return row ? { nextItemId: row.next_item_id, done: row.done } : null;
    },
    /** Records that the project's items below `nextItemId` are re-aggregated, `done` in all. */
    async advanceReaggregation(projectId: number, nextItemId: number, done: number): Promise<void> {
      await db.updateTable('project_reaggregation_pending').set({ next_item_id: nextItemId, done }).where('project_id', '=', projectId).execute();
    },
    /**
     * The next range of at most `size` of the project's judged items with ids from `fromId`: [from, to), or null when
     * none is left. Walked by id from where the re-aggregation stands (the project's items follow one another), not by
     * reading every judged item of the project through items_by_verdicts and sorting them.
     */
    async judgedRangeFrom(projectId: number, fromId: number, size: number): Promise<[number, number] | null> {
      const { rows } = await sql<{ id: number }>`
        SELECT id FROM items WHERE id >= ${fromId} AND +project_id = ${projectId} AND +verdict_count > 0 ORDER BY id LIMIT ${size}`.execute(db);
      if (rows.length === 0) return null;
      return [rows[0]!.id, rows[rows.length - 1]!.id + 1];
    },
    /** How many of the project's items with ids from `fromId` are judged. */
    async judgedCountFrom(projectId: number, fromId: number): Promise<number> {
      const row = await db
        .selectFrom('items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('project_id', '=', projectId)
        .where('verdict_count', '>', 0)
        .where('id', '>=', fromId)
        .executeTakeFirstOrThrow();
      return row.n;
    },
    /** Adds a sum of shares to the project's totals (an item's old share taken out, its new one put in). */
    addToProjectTotals(projectId: number, totals: ProjectTotals): Promise<void> {
      return addTotals(projectId, totals);
    },
    /** Unmarks a project once it is re-aggregated. */
    async reaggregated(projectId: number): Promise<void> {
      await db.deleteFrom('project_reaggregation_pending').where('project_id', '=', projectId).execute();
    },

    /**
     * Replaces the project's totals (after writeRangeStates over all its judged items): those of `totals`, and
     * project_item_totals summed afresh over every item (rebuildItemTotals), since `totals` holds the judged items' only.
     */
    async replaceProjectTotals(projectId: number, totals: ProjectTotals): Promise<void> {
      await db.deleteFrom('project_score_deltas').where('project_id', '=', projectId).execute();
      await db.deleteFrom('project_mistake_counts').where('project_id', '=', projectId).execute();
      await db.deleteFrom('project_rater_totals').where('project_id', '=', projectId).execute();
      totals.items.clear();
      await addTotals(projectId, totals);
      await rebuildItemTotals(db, projectId);
    },
  };
}
export type ConsensusRepository = ReturnType<typeof createConsensusRepository>;
