import { formatDateTime } from '../../../lib/format';

/** The earliest a renewal is planned: a claim that (by this browser's clock) is about to run out is renewed soon, not at once. */
export const MIN_RENEWAL_DELAY_MS = 5_000;
/** After a renewal that failed for another reason than a refusal (the network): when to try again. */
export const RETRY_AFTER_ERROR_MS = 30_000;

/** When to renew a claim that lasts `remainingMs` more: halfway, so that a slow or failed renewal still has time. */
export function renewalDelay(remainingMs: number): number {
  return Math.max(MIN_RENEWAL_DELAY_MS, Math.floor(remainingMs / 2));
}

/** What the review screen tells the expert about their claim on the item: why their verdict may be refused. */
export interface ClaimWarning {
  kind: 'expired' | 'panel-full' | 'not-renewed';
  text: string;
}

/**
 * The warning for a claim that ran out unrenewed (`EXPIRED`), was refused again (`PANEL_FULL`: the slot went to
 * someone else; `TOO_MANY_CLAIMS`), or could not be renewed (null: the network, with `message`).
 */
export function claimWarningOf(code: string | null, expiresAt: number, message: string, now = new Date()): ClaimWarning {
  if (code === 'EXPIRED') {
    return {
      kind: 'expired',
      text: 'Your reservation of this item ran out while you were away. It is taken again as soon as you go on, if the panel still has room.',
    };
  }
  if (code === 'PANEL_FULL') {
    return {
      kind: 'panel-full',
      text: 'Your reservation of this item ran out and its panel is full now: a verdict from you would not be stored. Skip it to go on.',
    };
  }
  if (code === 'TOO_MANY_CLAIMS') {
    return { kind: 'not-renewed', text: `Your reservation of this item could not be taken again: ${message}` };
  }
  return {
    kind: 'not-renewed',
    text: `Your reservation of this item could not be renewed (${message}); it runs out ${formatDateTime(new Date(expiresAt).toISOString(), now)}. Trying again shortly.`,
  };
}
