import type { ItemStatus, PanelPolicy } from '@bagel/contracts';

/**
 * How many verdicts plus other experts' live claims an item's panel takes now (its slots), under the project's panel
 * policy (docs/AGGREGATION.md, "Adaptive panels"); a first verdict or a new claim needs verdicts + claims below it.
 * - Fixed: the panel size, whatever the item's state.
 * - Adaptive: while the item is in the queue (open or in review: aggregation puts an item that needs more experts
 *   there, computeItemState), `min` until min verdicts are in, then one more than the verdicts in (one expert at a
 *   time: each verdict may settle the item), never more than `max`; an item out of the queue (agreed, disputed,
 *   final) takes no more verdicts.
 * The queue's SQL says the same (review-queue.repository.ts, `claimable`), and panel_complete is 1 from the most
 * verdicts on (panelBounds(...).max, in @bagel/core).
 */
export function panelRoom(policy: PanelPolicy, panelSize: number, verdicts: number, status: ItemStatus | string): number {
  if (policy.mode === 'fixed') return panelSize;
  if (status !== 'open' && status !== 'in_review') return verdicts;
  return verdicts < policy.min ? policy.min : Math.min(verdicts + 1, policy.max);
}

/** The policy as stored in projects.panel (written only through the PanelPolicy schema: the settings route, the import). */
export function storedPanelPolicy(text: string): PanelPolicy {
  return JSON.parse(text) as PanelPolicy;
}
