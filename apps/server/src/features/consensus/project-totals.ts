import type { ItemStatus, Severity } from '@bagel/contracts';
import type { ProjectItemTotalsTable } from '../../db/tables';
import { emptyAgreementSums, type AgreementSums } from './agreement-sums';
import type { ItemContext, ItemState, ModelOutcome } from './item-state';

/**
 * An item's share of its project's totals (tables project_score_deltas, project_mistake_counts, project_rater_totals,
 * project_item_totals): how each model fares on it before and with its final labels, each current verdict's agreement
 * with them, and the item's status, verdicts, agreement sums and place in the Major slice. What it is made of is
 * stored with the item (items.status, item_consensus) so that when the item changes, its old share can be taken out
 * of the totals exactly and the new one put in, without reading any other item.
 */
export interface ItemShare {
  itemId: number;
  originalClassIndex: number;
  status: ItemStatus;
  /** Experts with a current verdict (items.verdict_count). */
  verdicts: number;
  majorSlice: boolean;
  agreement: AgreementSums;
  outcomes: readonly ModelOutcome[];
  raters: readonly { userId: number; agreements: number; compared: number }[];
}

/** project_item_totals' shards: a change to an item moves the row of shard `item id % ITEM_TOTAL_SHARDS`. */
export const ITEM_TOTAL_SHARDS = 8;

/** A row of project_item_totals, without its project. */
export type ItemTotals = Omit<ProjectItemTotalsTable, 'project_id'>;

export const emptyItemTotals = (shard: number): ItemTotals => ({
  shard,
  images: 0,
  items_open: 0,
  items_in_review: 0,
  items_agreed: 0,
  items_disputed: 0,
  items_final: 0,
  verdicts: 0,
  major_slice: 0,
  fleiss_units: 0,
  fleiss_agreement: 0,
  fleiss_correct: 0,
  fleiss_wrong: 0,
  fleiss_unclear: 0,
  alpha_units: 0,
  alpha_values: 0,
  alpha_agreement: 0,
  alpha_correct: 0,
  alpha_wrong: 0,
  alpha_unclear: 0,
  gwet_units: 0,
  gwet_agreement: 0,
  gwet_correct: 0,
  gwet_wrong: 0,
  gwet_unclear: 0,
});

const STATUS_COLUMN = {
  open: 'items_open',
  in_review: 'items_in_review',
  agreed: 'items_agreed',
  disputed: 'items_disputed',
  final: 'items_final',
} as const satisfies Record<ItemStatus, keyof ItemTotals>;

type OutcomeRow = [number, number, number, number, number, number, number, number, number, number, string | null, string | null];

const bit = (value: boolean) => (value ? 1 : 0);

/** Compact JSON of the outcomes: one array per model. */
export function encodeOutcomes(outcomes: readonly ModelOutcome[]): string | null {
  if (outcomes.length === 0) return null;
  return JSON.stringify(
    outcomes.map((o): OutcomeRow => [
      o.modelId,
      bit(o.base.counted),
      bit(o.base.hit),
      bit(o.base.realCounted),
      bit(o.base.realHit),
      bit(o.base.mistake),
      bit(o.final.counted),
      bit(o.final.hit),
      bit(o.final.realCounted),
      bit(o.final.realHit),
      o.severity,
      o.category,
    ]),
  );
}

export function decodeOutcomes(json: string | null): ModelOutcome[] {
  if (json === null) return [];
  return (JSON.parse(json) as OutcomeRow[]).map(([modelId, bc, bh, brc, brh, bm, c, h, rc, rh, severity, category]) => ({
    modelId,
    base: { counted: bc === 1, hit: bh === 1, realCounted: brc === 1, realHit: brh === 1, mistake: bm === 1 },
    final: { counted: c === 1, hit: h === 1, realCounted: rc === 1, realHit: rh === 1, mistake: severity !== null },
    severity: severity as Severity | 'ungraded' | null,
    category,
  }));
}

export const encodeRaters = (raters: ItemShare['raters']): string => JSON.stringify(raters.map((r) => [r.userId, r.agreements, r.compared]));
export const decodeRaters = (json: string): ItemShare['raters'] =>
  (JSON.parse(json) as [number, number, number][]).map(([userId, agreements, compared]) => ({ userId, agreements, compared }));

/**
 * The share the item has in the totals now, from what is stored of it (its context: items.status and the
 * item_consensus row as read before it is recomputed). An item without a consensus row (no verdict) counts only its
 * status.
 */
export function storedShareOf(ctx: ItemContext): ItemShare {
  const stored = ctx.previous;
  const raters = stored ? decodeRaters(stored.raters) : [];
  return {
    itemId: ctx.itemId,
    originalClassIndex: ctx.originalClassIndex,
    status: ctx.status,
    // One rater per current verdict (computeItemState).
    verdicts: raters.length,
    majorSlice: stored?.majorSlice ?? false,
    agreement: stored?.agreement ?? emptyAgreementSums(),
    outcomes: stored ? decodeOutcomes(stored.outcomes) : [],
    raters,
  };
}

/** The item's share once its state is stored (an item with no verdict keeps no consensus row: only its status counts). */
export function shareOf(ctx: ItemContext, state: ItemState): ItemShare {
  const judged = ctx.verdicts.length > 0;
  return {
    itemId: ctx.itemId,
    originalClassIndex: ctx.originalClassIndex,
    status: state.status,
    verdicts: ctx.verdicts.length,
    majorSlice: judged && state.majorSlice,
    agreement: judged ? state.agreement : emptyAgreementSums(),
    outcomes: judged ? state.outcomes : [],
    raters: judged ? state.raters : [],
  };
}

/** Sums of shares, keyed as the totals tables are; `add` with sign -1 takes a share out. */
export class ProjectTotals {
  /** model × 2^32 + class → [model, class, counted, hits, realCounted, realHits] (final minus before). */
  readonly scores = new Map<number, [number, number, number, number, number, number]>();
  /** `model:severity:category` → [model, severity, category, count]. */
  readonly mistakes = new Map<string, [number, string, string, number]>();
  /** user → [user, verdicts, agreements, compared]. */
  readonly raters = new Map<number, [number, number, number, number]>();
  /** shard → project_item_totals' row (the differences to add). */
  readonly items = new Map<number, ItemTotals>();

  add(share: ItemShare, sign: 1 | -1): void {
    const shard = share.itemId % ITEM_TOTAL_SHARDS;
    let item = this.items.get(shard);
    if (!item) {
      item = emptyItemTotals(shard);
      this.items.set(shard, item);
    }
    item[STATUS_COLUMN[share.status]] += sign;
    item.verdicts += sign * share.verdicts;
    item.major_slice += sign * (share.majorSlice ? 1 : 0);
    const a = share.agreement;
    item.fleiss_units += sign * a.fleissUnits;
    item.fleiss_agreement += sign * a.fleissAgreement;
    item.fleiss_correct += sign * a.fleissTotals.correct;
    item.fleiss_wrong += sign * a.fleissTotals.wrong;
    item.fleiss_unclear += sign * a.fleissTotals.unclear;
    item.alpha_units += sign * a.alphaUnits;
    item.alpha_values += sign * a.alphaValues;
    item.alpha_agreement += sign * a.alphaAgreement;
    item.alpha_correct += sign * a.alphaTotals.correct;
    item.alpha_wrong += sign * a.alphaTotals.wrong;
    item.alpha_unclear += sign * a.alphaTotals.unclear;
    item.gwet_units += sign * a.gwetUnits;
    item.gwet_agreement += sign * a.gwetAgreement;
    item.gwet_correct += sign * a.gwetShares.correct;
    item.gwet_wrong += sign * a.gwetShares.wrong;
    item.gwet_unclear += sign * a.gwetShares.unclear;
    for (const o of share.outcomes) {
      const key = o.modelId * 4294967296 + share.originalClassIndex;
      let row = this.scores.get(key);
      if (!row) {
        row = [o.modelId, share.originalClassIndex, 0, 0, 0, 0];
        this.scores.set(key, row);
      }
      row[2] += sign * (bit(o.final.counted) - bit(o.base.counted));
      row[3] += sign * (bit(o.final.hit) - bit(o.base.hit));
      row[4] += sign * (bit(o.final.realCounted) - bit(o.base.realCounted));
      row[5] += sign * (bit(o.final.realHit) - bit(o.base.realHit));
      if (o.severity !== null) this.countMistake(o.modelId, o.severity, o.category ?? '', sign);
      if (o.base.mistake) this.countMistake(o.modelId, 'replaced', '', sign);
    }
    for (const r of share.raters) {
      let row = this.raters.get(r.userId);
      if (!row) {
        row = [r.userId, 0, 0, 0];
        this.raters.set(r.userId, row);
      }
      row[1] += sign;
      row[2] += sign * r.agreements;
      row[3] += sign * r.compared;
    }
  }

  private countMistake(modelId: number, severity: string, category: string, sign: number): void {
    const key = `${modelId}:${severity}:${category}`;
    const row = this.mistakes.get(key);
    if (row) row[3] += sign;
    else this.mistakes.set(key, [modelId, severity, category, sign]);
  }
}
