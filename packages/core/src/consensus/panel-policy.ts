import { aggregatePanel, type PanelConsensus, type PanelInput } from './aggregate-panel';
import { quorumSize } from './quorum';

/**
 * How many experts an item gets (the project setting `panel`; the rules and the simulation behind them are in
 * docs/AGGREGATION.md, "Adaptive panels").
 * - `fixed`: every item gets the project's panel size P of verdicts, then is agreed (final) or disputed (lead).
 * - `adaptive`: an item is final as soon as `min` or more verdicts settle it; while they do not, it gets one more
 *   expert, up to `max`; still disputed at `max`, it goes to the lead.
 */
export type PanelPolicy = { mode: 'fixed' } | { mode: 'adaptive'; min: number; max: number };

export const DEFAULT_PANEL_POLICY: PanelPolicy = { mode: 'fixed' };

/** What an item needs next: nothing (its labels are final), another expert's verdict, or the lead's decision. */
export type PanelNext = 'final' | 'more-experts' | 'lead';

export interface PanelPolicyDecision {
  next: PanelNext;
  /**
   * The aggregate the decision was made on: its `quorum` and `panelSize` are the ones the rule applied (for an
   * adaptive panel short of `max`, q of the verdicts in; see `adaptiveQuorum`). When `next` is `final`, its class
   * decisions are the item's labels; when it is `lead`, its disputes are what the lead must settle.
   */
  consensus: PanelConsensus;
}

/**
 * Decides what an item needs under the project's panel policy, from its current verdicts. `input.panelSize` is the
 * project's panel size: the fixed policy uses it, the adaptive one uses `min` and `max` instead. `input.quorum` is
 * the project's quorum in both.
 *
 * Adaptive, with n verdicts in:
 * - n < min: more experts.
 * - min <= n < max: final when every answer the aggregate checks (each class, the problematic flag, and the severity
 *   and category of each standing mistake: the same ones that make a fixed panel agreed or disputed) reaches
 *   q = `adaptiveQuorum(quorum, n)`, the votes that would still be the project's quorum of a panel of n + 1 if the
 *   next expert dissented (never more than n); otherwise more experts.
 * - n >= max: the fixed rule with a panel of `max`: agreed is final, disputed goes to the lead.
 */
export function decidePanelNext(policy: PanelPolicy, input: PanelInput): PanelPolicyDecision {
  const n = input.verdicts.length;
  if (policy.mode === 'fixed') {
    const consensus = aggregatePanel(input);
    return { next: nextOfComplete(consensus), consensus };
  }
  assertAdaptiveBounds(policy);
  const { min, max } = policy;
  if (n >= max) {
    const consensus = aggregatePanel({ ...input, panelSize: max });
    return { next: nextOfComplete(consensus), consensus };
  }
  if (n < min) {
    // A preview over the smallest panel that could settle the item; its status reads `incomplete`.
    return { next: 'more-experts', consensus: aggregatePanel({ ...input, panelSize: min }) };
  }
  const q = adaptiveQuorum(input.quorum, n);
  // q of the n verdicts in, as a fraction of n: aggregatePanel then counts exactly q (q <= n, so the fraction is at most 1).
  const consensus = aggregatePanel({ ...input, panelSize: n, quorum: { kind: 'fraction', value: q / n } });
  return { next: consensus.status === 'agreed' ? 'final' : 'more-experts', consensus };
}

/**
 * The matching votes an answer needs to settle an adaptive item early, with n verdicts in: the project's quorum of
 * a panel of n + 1, at most n. Such an answer keeps the quorum of the larger panel even if the next expert dissents,
 * so asking one more could not overturn it (when that quorum is more than half of n + 1: majority, fractions above
 * 1/2). Under `majority` this is "ahead of all other answers together by at least two": 2 of 2, 3 of 3, 3 of 4, 4 of
 * 5, 4 of 6, ... (a 2-of-3 majority asks a fourth expert). Where the quorum of n + 1 is more than n votes (always
 * under `unanimity`; under a high fraction with a small panel) it is all n verdicts.
 */
export function adaptiveQuorum(quorum: PanelInput['quorum'], n: number): number {
  return Math.min(n, quorumSize(quorum, n + 1));
}

/** The number of verdicts the policy asks of every item before it can be settled, and the most it ever asks. */
export function panelBounds(policy: PanelPolicy, panelSize: number): { min: number; max: number } {
  return policy.mode === 'fixed' ? { min: panelSize, max: panelSize } : { min: policy.min, max: policy.max };
}

function nextOfComplete(consensus: PanelConsensus): PanelNext {
  return consensus.status === 'incomplete' ? 'more-experts' : consensus.status === 'agreed' ? 'final' : 'lead';
}

function assertAdaptiveBounds(policy: { min: number; max: number }): void {
  const { min, max } = policy;
  // Agreement needs two verdicts at least: with min 1, a single expert would settle items alone.
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 2 || max < min) {
    throw new RangeError(`an adaptive panel needs integers 2 <= min <= max, got min ${min}, max ${max}`);
  }
}
