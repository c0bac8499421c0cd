import type { FinalLabels, ItemStatus, Judgement } from '@bagel/contracts';
import type { PanelDispute } from '@bagel/core';
import type { Db } from '../../db/open-database';
import { createSyncItemFacetsRepository } from '../items/item-facets.repository';
import type { CatalogProject } from '../projects/project-catalog';
import { baseJudgements } from './image-labels';
import type { ContextDecision, ContextVerdict, ItemContext, ItemState } from './item-state';
import { decodeOutcomes, decodeRaters, encodeOutcomes, encodeRaters, ProjectTotals, shareOf } from './project-totals';

// The same statements serve one item (on each verdict and decision) and a range of a project's judged items (when
// its quorum changes: a 20,000-item project is read range by range, which keeps the heap small), so both paths build
// the same contexts. Items are walked by id (rowid order, no index), which is also the order of the rows each
// statement returns: no statement sorts.
const SCOPES = {
  item: 'i.id = :from',
  range: 'i.id >= :from AND i.id < :to AND i.project_id = :project AND i.verdict_count > 0',
  // A page of judged items by id (a JSON array): the archive export reads the project page by page in project order.
  list: 'i.id IN (SELECT value FROM json_each(:ids)) AND i.project_id = :project AND i.verdict_count > 0',
} as const;
type Scope = keyof typeof SCOPES;
type ScopeParams = { from: number; to: number; project: number; ids: string };

/** Rows per multi-row INSERT of the project path: fewer statements, well under SQLite's limit of bound values. */
const CHUNK = 200;
/** Items read, computed and written at a time by the project path. */
export const RANGE_ITEMS = 100;

// A prediction packed in one integer by SQLite, so a whole item's top-k comes as one short string:
// (model id × RANK_SLOTS + rank) × CLASS_SLOTS + class index. Exact as long as it stays under 2^53: model ids below
// 2^23; ranks and model positions below RANK_SLOTS, class indices below CLASS_SLOTS (the import's limits are lower).
const RANK_SLOTS = 1024;
const CLASS_SLOTS = 1048576;

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

/** Reads what an item's state is computed from, and writes the computed state (items.status and the tables of migration 005). */
export function createConsensusRepository(db: Db) {
  // The item browser's filter rows (migration 007), kept in step with item_consensus.
  const facets = createSyncItemFacetsRepository(db);
  const statements = (scope: Scope) => {
    const where = SCOPES[scope];
    const items = 'items i NOT INDEXED';
    type P = ScopeParams;
    const s = {
      items: db.prepare<P, [number, number, number, ItemStatus]>(
        `SELECT i.id, i.image_id, im.original_class_idx, i.status FROM ${items} JOIN images im ON im.id = i.image_id WHERE ${where}`,
      ),
      accepted: db.prepare<P, [number, number]>(`SELECT i.id, a.class_idx FROM ${items} JOIN accepted_labels a ON a.image_id = i.image_id WHERE ${where}`),
      // Per item, its predictions up to the top-k, packed (see RANK_SLOTS).
      predictions: db.prepare<P & { topK: number }, [number, string]>(
        `SELECT i.id, group_concat((p.model_id * ${RANK_SLOTS} + p.rank) * ${CLASS_SLOTS} + p.class_idx)
         FROM ${items} JOIN predictions p ON p.image_id = i.image_id WHERE ${where} AND p.rank <= :topK GROUP BY i.id`,
      ),
      extraCandidates: db.prepare<P, [number, number]>(
        `SELECT i.id, x.class_idx FROM ${items} JOIN item_extra_candidates x ON x.item_id = i.id WHERE ${where}`,
      ),
      prior: db.prepare<P, [number, number, Judgement]>(
        `SELECT i.id, pl.class_idx, pl.judgement FROM ${items} JOIN prior_labels pl ON pl.image_id = i.image_id WHERE ${where}`,
      ),
      priorProblematic: db.prepare<P, [number]>(`SELECT i.id FROM ${items} JOIN prior_problematic pp ON pp.image_id = i.image_id WHERE ${where}`),
      // Every revision, in primary-key order: the last row of an expert is their current verdict, their last row not
      // made after seeing the panel their blind verdict.
      verdicts: db.prepare<P, [number, number, string, string | null, string, number]>(
        `SELECT v.item_id, v.user_id, v.labels, v.problematic, v.mistakes, v.after_seeing_panel FROM ${items} JOIN verdicts v ON v.item_id = i.id
         WHERE ${where} ORDER BY v.item_id, v.user_id, v.revision`,
      ),
      decisions: db.prepare<P, [number, ContextDecision['kind'], string | null, string]>(
        `SELECT d.item_id, d.kind, d.final, d.created_at FROM ${items} JOIN decisions d ON d.item_id = i.id
         WHERE ${where} AND d.sequence = (SELECT max(e.sequence) FROM decisions e WHERE e.item_id = d.item_id)`,
      ),
      previous: db.prepare<P, [number, string | null, string | null, string | null, string]>(
        `SELECT c.item_id, c.final, c.final_at, c.outcomes, c.raters FROM ${items} JOIN item_consensus c ON c.item_id = i.id WHERE ${where}`,
      ),
    };
    // Rows as arrays: these statements feed tight loops over thousands of items.
    for (const statement of Object.values(s)) statement.raw(true);
    return s;
  };
  const byScope = { item: statements('item'), range: statements('range'), list: statements('list') };
  const judgedIds = db.prepare<[number], { id: number }>('SELECT id FROM items WHERE project_id = ? AND verdict_count > 0 ORDER BY id');
  const facetBackfills = db.prepare<[], { project_id: number }>('SELECT project_id FROM item_facets_backfill ORDER BY project_id');
  const deleteFacetBackfill = db.prepare<[number]>('DELETE FROM item_facets_backfill WHERE project_id = ?');
  // A project re-aggregated at once (next_item_id NULL: migration 011's marks) or range by range in the background
  // (a quorum change: next_item_id is where it stands, done how many items it has recomputed).
  const reaggregations = db.prepare<[], { project_id: number }>('SELECT project_id FROM project_reaggregation_pending WHERE next_item_id IS NULL ORDER BY project_id');
  const stepReaggregations = db.prepare<[], { project_id: number }>('SELECT project_id FROM project_reaggregation_pending WHERE next_item_id IS NOT NULL ORDER BY project_id');
  const reaggregationMark = db.prepare<[number], { next_item_id: number | null; done: number }>('SELECT next_item_id, done FROM project_reaggregation_pending WHERE project_id = ?');
  const markReaggregation = db.prepare<[number]>('INSERT OR REPLACE INTO project_reaggregation_pending (project_id, next_item_id, done) VALUES (?, 0, 0)');
  const advanceReaggregation = db.prepare<[number, number, number]>('UPDATE project_reaggregation_pending SET next_item_id = ?, done = ? WHERE project_id = ?');
  // Walked by id from where the re-aggregation stands (the project's items follow one another), not by reading every
  // judged item of the project through items_by_verdicts and sorting them.
  const judgedFrom = db.prepare<[number, number, number], [number]>('SELECT id FROM items NOT INDEXED WHERE project_id = ? AND verdict_count > 0 AND id >= ? ORDER BY id LIMIT ?').raw(true);
  const judgedCountFrom = db.prepare<[number, number], { n: number }>('SELECT count(*) AS n FROM items WHERE project_id = ? AND verdict_count > 0 AND id >= ?');
  const deleteReaggregation = db.prepare<[number]>('DELETE FROM project_reaggregation_pending WHERE project_id = ?');

  const CONSENSUS_COLUMNS = `item_id, project_id, disputes, final, final_at, divisiveness, problematic, major_slice, major_models,
    outcomes, raters, fleiss_units, fleiss_agreement, fleiss_correct, fleiss_wrong, fleiss_unclear,
    alpha_units, alpha_values, alpha_agreement, alpha_correct, alpha_wrong, alpha_unclear, updated_at`;
  const inserts = new Map<string, ReturnType<Db['prepare']>>();
  /** `INSERT INTO table (columns) VALUES (?, ...), ...` for `rows` rows, prepared once per size. */
  const insert = (table: string, columns: string, rows: number) => {
    const name = `${table}/${rows}`;
    let statement = inserts.get(name);
    if (!statement) {
      const row = `(${columns.split(',').map(() => '?').join(', ')})`;
      statement = db.prepare(`INSERT OR REPLACE INTO ${table} (${columns}) VALUES ${Array(rows).fill(row).join(', ')}`);
      inserts.set(name, statement);
    }
    return statement;
  };
  /** Inserts rows in multi-row statements of CHUNK rows. */
  function insertRows(table: string, columns: string, rows: readonly unknown[][]): void {
    const values: unknown[] = [];
    for (let start = 0; start < rows.length; start += CHUNK) {
      const end = Math.min(start + CHUNK, rows.length);
      values.length = 0;
      for (let i = start; i < end; i++) for (const value of rows[i] as unknown[]) values.push(value);
      insert(table, columns, end - start).run(values);
    }
  }

  const updateStatus = db.prepare<[string, number]>('UPDATE items SET status = ? WHERE id = ?');
  const updateStatuses = db.prepare<[string, string]>('UPDATE items SET status = ? WHERE id IN (SELECT value FROM json_each(?))');
  const deleteConsensus = db.prepare<[number]>('DELETE FROM item_consensus WHERE item_id = ?');
  // A range holds one project's items, though another project's may fall between its ids (imports may interleave).
  // `+project_id`: a filter only, the rows found by their item ids (the primary key).
  const deleteConsensusRange = db.prepare<[number, number, number]>('DELETE FROM item_consensus WHERE item_id >= ? AND item_id < ? AND +project_id = ?');
  const deleteTotals = [
    db.prepare<[number]>('DELETE FROM project_score_deltas WHERE project_id = ?'),
    db.prepare<[number]>('DELETE FROM project_mistake_counts WHERE project_id = ?'),
    db.prepare<[number]>('DELETE FROM project_rater_totals WHERE project_id = ?'),
  ];
  // Adding to the totals: a share taken out or put in.
  const addScores = db.prepare<[number, number, number, number, number, number, number]>(
    `INSERT INTO project_score_deltas (project_id, model_id, original_class_idx, counted, hits, real_counted, real_hits) VALUES (?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET counted = counted + excluded.counted, hits = hits + excluded.hits,
       real_counted = real_counted + excluded.real_counted, real_hits = real_hits + excluded.real_hits`,
  );
  const addMistakes = db.prepare<[number, number, string, string, number]>(
    `INSERT INTO project_mistake_counts (project_id, model_id, severity, category, count) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET count = count + excluded.count`,
  );
  const addRaters = db.prepare<[number, number, number, number, number]>(
    `INSERT INTO project_rater_totals (project_id, user_id, verdicts, agreements, compared) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT DO UPDATE SET verdicts = verdicts + excluded.verdicts, agreements = agreements + excluded.agreements,
       compared = compared + excluded.compared`,
  );

  function addTotals(projectId: number, totals: ProjectTotals): void {
    for (const [model, cls, counted, hits, realCounted, realHits] of totals.scores.values()) {
      if (counted !== 0 || hits !== 0 || realCounted !== 0 || realHits !== 0) addScores.run(projectId, model, cls, counted, hits, realCounted, realHits);
    }
    for (const [model, severity, category, count] of totals.mistakes.values()) if (count !== 0) addMistakes.run(projectId, model, severity, category, count);
    for (const [user, verdicts, agreements, compared] of totals.raters.values()) {
      if (verdicts !== 0 || agreements !== 0 || compared !== 0) addRaters.run(projectId, user, verdicts, agreements, compared);
    }
  }

  function loadContexts(scope: Scope, params: ScopeParams, entry: CatalogProject): ItemContext[] {
    const s = byScope[scope];
    const { vocabulary } = entry;
    const keys = keysByIndex(vocabulary);
    const keyOf = (index: number): string => {
      const key = keys[index];
      // The import checks every class index against the vocabulary, so this is a corrupt database, not bad input.
      if (key === undefined) throw new Error(`project ${entry.project.id}: class index ${index} is not in its vocabulary`);
      return key;
    };

    interface Draft {
      ctx: ItemContext;
      originalKey: string;
      accepted: string[];
      extra: string[];
      ranked: string[];
      prior: { key: string; judgement: Judgement }[];
    }
    const drafts = new Map<number, Draft>();
    for (const [itemId, imageId, originalClassIndex, status] of s.items.all(params)) {
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
    for (const [itemId, classIndex] of s.accepted.all(params)) drafts.get(itemId)?.accepted.push(keyOf(classIndex));
    const positionOf: number[] = [];
    entry.models.forEach((m, position) => (positionOf[m.id] = position));
    for (const [itemId, packed] of s.predictions.all({ ...params, topK: entry.project.topK })) {
      const draft = drafts.get(itemId);
      if (!draft) continue;
      // Repacked as (rank, model position, class) and sorted as numbers: the order of candidateClasses, by rank then model.
      const tokens = packed.split(',');
      const sortable = new Float64Array(tokens.length);
      let n = 0;
      for (const text of tokens) {
        const value = Number(text);
        const classIndex = value % CLASS_SLOTS;
        const modelAndRank = (value - classIndex) / CLASS_SLOTS;
        const rank = modelAndRank % RANK_SLOTS;
        const position = positionOf[(modelAndRank - rank) / RANK_SLOTS];
        if (position !== undefined) sortable[n++] = (rank * RANK_SLOTS + position) * CLASS_SLOTS + classIndex;
      }
      for (const value of sortable.subarray(0, n).sort()) {
        const classIndex = value % CLASS_SLOTS;
        const rankAndPosition = (value - classIndex) / CLASS_SLOTS;
        const position = rankAndPosition % RANK_SLOTS;
        const key = keyOf(classIndex);
        draft.ranked.push(key);
        if (rankAndPosition - position === RANK_SLOTS) (draft.ctx.models[position] as ItemContext['models'][number]).top1Key = key;
      }
    }
    for (const [itemId, classIndex] of s.extraCandidates.all(params)) drafts.get(itemId)?.extra.push(keyOf(classIndex));
    for (const [itemId, classIndex, judgement] of s.prior.all(params)) drafts.get(itemId)?.prior.push({ key: keyOf(classIndex), judgement });
    for (const [itemId] of s.priorProblematic.all(params)) {
      const draft = drafts.get(itemId);
      if (draft) draft.ctx.priorProblematic = true;
    }
    // Rows come by item, expert, revision: an expert's last row is their current verdict, and their last row stored
    // before they saw the panel their blind verdict (the same one unless they revised after seeing it); JSON is
    // parsed only for those. An item whose every current verdict is blind shares one array for both.
    const rows = s.verdicts.all(params);
    const toVerdict = (row: (typeof rows)[number]): ContextVerdict => ({
      userId: row[1],
      expert: String(row[1]),
      labels: JSON.parse(row[2]),
      problematic: row[3] === null ? null : JSON.parse(row[3]),
      mistakes: JSON.parse(row[4]),
    });
    let blindRow: (typeof rows)[number] | undefined;
    rows.forEach((row, i) => {
      const [itemId, userId, , , , afterSeeingPanel] = row;
      const previous = rows[i - 1];
      if (!previous || previous[0] !== itemId || previous[1] !== userId) blindRow = undefined;
      if (afterSeeingPanel === 0) blindRow = row;
      const next = rows[i + 1];
      if (next && next[0] === itemId && next[1] === userId) return;
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
    for (const [itemId, kind, final, createdAt] of s.decisions.all(params)) {
      const draft = drafts.get(itemId);
      if (draft) draft.ctx.latestDecision = { kind, final: final === null ? null : (JSON.parse(final) as FinalLabels), createdAt };
    }
    for (const [itemId, final, finalAt, outcomes, raters] of s.previous.all(params)) {
      const draft = drafts.get(itemId);
      if (draft) draft.ctx.previous = { final, finalAt, outcomes, raters };
    }

    const contexts: ItemContext[] = [];
    for (const { ctx, originalKey, accepted, extra, ranked, prior } of drafts.values()) {
      // The item's candidates as the review screen lists them (candidateClasses in @bagel/core: original label,
      // accepted labels, every model's top-k by rank then model), then the classes the import sent to the panel
      // (judged wrong beforehand, uncertain crowd pairs). Classes experts added are read from the verdicts.
      const candidates = [originalKey];
      const seen = new Set(candidates);
      accepted.sort((a, b) => (vocabulary.byKey(a)?.index ?? 0) - (vocabulary.byKey(b)?.index ?? 0));
      for (const list of [accepted, ranked, extra]) {
        for (const key of list) {
          if (seen.has(key)) continue;
          seen.add(key);
          candidates.push(key);
        }
      }
      ctx.candidates = candidates;
      ctx.baseLabels = baseJudgements(prior, accepted);
      contexts.push(ctx);
    }
    return contexts;
  }

  const consensusValues = (ctx: ItemContext, state: ItemState, updatedAt: string): unknown[] => {
    const a = state.agreement;
    return [
      ctx.itemId,
      ctx.projectId,
      JSON.stringify(state.consensus.disputes.map(compactDispute)),
      state.finalJson,
      state.finalAt,
      state.divisiveness,
      state.problematic ? 1 : 0,
      state.majorSlice ? 1 : 0,
      state.majorModels.length === 0 ? null : `,${state.majorModels.join(',')},`,
      encodeOutcomes(state.outcomes),
      encodeRaters(state.raters),
      a.fleissUnits,
      a.fleissAgreement,
      a.fleissTotals.correct,
      a.fleissTotals.wrong,
      a.fleissTotals.unclear,
      a.alphaUnits,
      a.alphaValues,
      a.alphaAgreement,
      a.alphaTotals.correct,
      a.alphaTotals.wrong,
      a.alphaTotals.unclear,
      updatedAt,
    ];
  };

  return {
    /** The context of one item, or null when it does not exist. */
    loadItemContext(itemId: number, entry: CatalogProject): ItemContext | null {
      return loadContexts('item', { from: itemId, to: itemId, project: entry.project.id, ids: '[]' }, entry)[0] ?? null;
    },
    /** The project's judged items in ranges of about `size` items: [from, to) item ids. */
    projectRanges(projectId: number, size = RANGE_ITEMS): [number, number][] {
      const ids = judgedIds.all(projectId).map((r) => r.id);
      const ranges: [number, number][] = [];
      for (let start = 0; start < ids.length; start += size) {
        ranges.push([ids[start] as number, (ids[Math.min(start + size, ids.length) - 1] as number) + 1]);
      }
      return ranges;
    },
    /** The contexts of the project's judged items with ids in [from, to), by id. */
    loadRangeContexts(entry: CatalogProject, from: number, to: number): ItemContext[] {
      return loadContexts('range', { from, to, project: entry.project.id, ids: '[]' }, entry);
    },
    /** The contexts of the judged items among `itemIds` (of the project), by id. */
    loadListContexts(entry: CatalogProject, itemIds: readonly number[]): ItemContext[] {
      return loadContexts('list', { from: 0, to: 0, project: entry.project.id, ids: JSON.stringify(itemIds) }, entry);
    },

    /**
     * Stores an item's computed state and moves the project totals by the difference between its new share and
     * its old one. The caller runs it in the transaction that changed the item.
     */
    writeItemState(ctx: ItemContext, state: ItemState, updatedAt: string): void {
      if (state.status !== ctx.status) updateStatus.run(state.status, ctx.itemId);
      const totals = new ProjectTotals();
      if (ctx.previous) {
        totals.add({ originalClassIndex: ctx.originalClassIndex, outcomes: decodeOutcomes(ctx.previous.outcomes), raters: decodeRaters(ctx.previous.raters) }, -1);
      }
      if (ctx.verdicts.length === 0) {
        deleteConsensus.run(ctx.itemId);
      } else {
        insert('item_consensus', CONSENSUS_COLUMNS, 1).run(consensusValues(ctx, state, updatedAt));
        totals.add(shareOf(ctx.originalClassIndex, state), 1);
      }
      facets.replaceItem(ctx.itemId, ctx.projectId, ctx.verdicts.length === 0 ? null : state);
      addTotals(ctx.projectId, totals);
    },

    /**
     * Stores the states of a range of a project's judged items (loadRangeContexts) and adds their shares to
     * `totals`; once every range is written, replaceProjectTotals stores the totals. The caller runs all of it in
     * one transaction.
     */
    writeRangeStates(projectId: number, range: [number, number], contexts: readonly ItemContext[], states: readonly ItemState[], updatedAt: string, totals: ProjectTotals): void {
      const byStatus = new Map<ItemStatus, number[]>();
      const rows: unknown[][] = [];
      contexts.forEach((ctx, i) => {
        const state = states[i] as ItemState;
        if (state.status !== ctx.status) {
          const ids = byStatus.get(state.status);
          if (ids) ids.push(ctx.itemId);
          else byStatus.set(state.status, [ctx.itemId]);
        }
        rows.push(consensusValues(ctx, state, updatedAt));
        totals.add(shareOf(ctx.originalClassIndex, state), 1);
      });
      for (const [status, ids] of byStatus) updateStatuses.run(status, JSON.stringify(ids));
      // The range's rows go and come back in bulk: cheaper than replacing them one by one.
      deleteConsensusRange.run(range[0], range[1], projectId);
      insertRows('item_consensus', CONSENSUS_COLUMNS, rows);
      facets.replaceRange(range[0], range[1], projectId, contexts.map((ctx, i) => ({ itemId: ctx.itemId, projectId: ctx.projectId, state: states[i] as ItemState })));
    },

    /** The facets (item_dispute_kinds, item_final_mistakes) of a range of judged items, from their computed states; nothing else is written. */
    writeRangeFacets(projectId: number, range: [number, number], contexts: readonly ItemContext[], states: readonly ItemState[]): void {
      facets.replaceRange(range[0], range[1], projectId, contexts.map((ctx, i) => ({ itemId: ctx.itemId, projectId: ctx.projectId, state: states[i] as ItemState })));
    },

    /** Projects whose facets migration 008 marked to be recomputed. */
    projectsAwaitingFacets(): number[] {
      return facetBackfills.all().map((r) => r.project_id);
    },
    /** Unmarks a project once its facets are recomputed. */
    facetsRebuilt(projectId: number): void {
      deleteFacetBackfill.run(projectId);
    },

    /** Projects a migration marked to be re-aggregated at once (011: scores written before unranked images were left out). */
    projectsAwaitingReaggregation(): number[] {
      return reaggregations.all().map((r) => r.project_id);
    },
    /** Projects being re-aggregated range by range (after a quorum change), in the background. */
    projectsReaggregatingInSteps(): number[] {
      return stepReaggregations.all().map((r) => r.project_id);
    },
    /** Marks the project to be re-aggregated range by range from its first item (again from the start, if it was being). */
    markReaggregation(projectId: number): void {
      markReaggregation.run(projectId);
    },
    /** Where the project's re-aggregation stands: the next item id to do (null: all at once) and the items done; null when none is pending. */
    reaggregationMark(projectId: number): { nextItemId: number | null; done: number } | null {
      const row = reaggregationMark.get(projectId);
      return row ? { nextItemId: row.next_item_id, done: row.done } : null;
    },
    /** Records that the project's items below `nextItemId` are re-aggregated, `done` in all. */
    advanceReaggregation(projectId: number, nextItemId: number, done: number): void {
      advanceReaggregation.run(nextItemId, done, projectId);
    },
    /** The next range of at most `size` of the project's judged items with ids from `fromId`: [from, to), or null when none is left. */
    judgedRangeFrom(projectId: number, fromId: number, size: number): [number, number] | null {
      const ids = judgedFrom.all(projectId, fromId, size);
      if (ids.length === 0) return null;
      return [ids[0]![0], ids[ids.length - 1]![0] + 1];
    },
    /** How many of the project's items with ids from `fromId` are judged. */
    judgedCountFrom(projectId: number, fromId: number): number {
      return judgedCountFrom.get(projectId, fromId)!.n;
    },
    /** Adds a sum of shares to the project's totals (an item's old share taken out, its new one put in). */
    addToProjectTotals(projectId: number, totals: ProjectTotals): void {
      addTotals(projectId, totals);
    },
    /** Unmarks a project once it is re-aggregated. */
    reaggregated(projectId: number): void {
      deleteReaggregation.run(projectId);
    },

    /** Replaces the project's totals (after writeRangeStates over all its judged items). */
    replaceProjectTotals(projectId: number, totals: ProjectTotals): void {
      for (const statement of deleteTotals) statement.run(projectId);
      addTotals(projectId, totals);
    },
  };
}
export type ConsensusRepository = ReturnType<typeof createConsensusRepository>;
