import type { Severity } from '@bagel/contracts';
import type { ItemState, ModelOutcome } from './item-state';

/**
 * An item's share of its project's totals (tables project_score_deltas, project_mistake_counts, project_rater_totals):
 * how each model fares on it before and with its final labels, and each current verdict's agreement with them. It is
 * stored with the item (item_consensus.outcomes, .raters) so that when the item changes, its old share can be taken
 * out of the totals exactly and the new one put in, without reading any other item.
 */
export interface ItemShare {
  originalClassIndex: number;
  outcomes: readonly ModelOutcome[];
  raters: readonly { userId: number; agreements: number; compared: number }[];
}

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

export const shareOf = (originalClassIndex: number, state: Pick<ItemState, 'outcomes' | 'raters'>): ItemShare => ({
  originalClassIndex,
  outcomes: state.outcomes,
  raters: state.raters,
});

/** Sums of shares, keyed as the totals tables are; `add` with sign -1 takes a share out. */
export class ProjectTotals {
  /** model × 2^32 + class → [model, class, counted, hits, realCounted, realHits] (final minus before). */
  readonly scores = new Map<number, [number, number, number, number, number, number]>();
  /** `model:severity:category` → [model, severity, category, count]. */
  readonly mistakes = new Map<string, [number, string, string, number]>();
  /** user → [user, verdicts, agreements, compared]. */
  readonly raters = new Map<number, [number, number, number, number]>();

  add(share: ItemShare, sign: 1 | -1): void {
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
