import type { ItemStatus } from '@bagel/contracts';
import { ApiError } from '../../../lib/api-client';
import { CATEGORY_KEYS, SEVERITY_KEYS } from './shortcuts';

/**
 * The statuses in which an item takes no verdict: the panel agreed (`agreed`) or the lead decided (`final`). The server
 * answers a verdict on such an item 409 ITEM_FINAL until the lead reopens it, so the review screen shows it read-only.
 */
export type FinalStatus = Extract<ItemStatus, 'agreed' | 'final'>;

export function isFinalStatus(status: ItemStatus): status is FinalStatus {
  return status === 'agreed' || status === 'final';
}

/** The server's refusal of a verdict because the item became agreed or final (409 ITEM_FINAL). */
export function isItemFinalError(error: unknown): boolean {
  return error instanceof ApiError && error.status === 409 && error.code === 'ITEM_FINAL';
}

/** Who made the item final, in a few words. */
const WHO: Record<FinalStatus, string> = { agreed: 'the panel agreed', final: 'the lead decided' };

export interface FinalBanner {
  /** The status, as the banner starts: "Agreed" or "Final". */
  label: string;
  /** The rest of the sentence, after "label: ". */
  text: string;
}

/** The read-only screen's banner: why nothing can change, and who could change it. */
export function finalBanner(status: FinalStatus, hasVerdict: boolean): FinalBanner {
  const label = status === 'agreed' ? 'Agreed' : 'Final';
  const text = hasVerdict
    ? `${WHO[status]}, so this verdict is final unless the lead reopens the item.`
    : `${WHO[status]} without a verdict of yours, so this item is final unless the lead reopens it.`;
  return { label, text };
}

/** What a shortcut that the read-only screen refuses would have done. */
export type LockedAction = 'edit' | 'submit' | 'skip';

/** The keys that change the verdict (judge, clear a judgement, grade, add or remove a class, flag, write the comment). */
const EDIT_KEYS: ReadonlySet<string> = new Set([
  'c',
  'w',
  'u',
  'W',
  'a',
  '/',
  'x',
  'Backspace',
  'Delete',
  'p',
  'm',
  ...Object.keys(SEVERITY_KEYS),
  ...CATEGORY_KEYS,
]);

/**
 * What a plain key (no Ctrl, Meta or Alt) would do on an editable screen, when the read-only screen must refuse it;
 * null for the keys that work the same on both (candidates j/k, the image, `?`, Esc) and for Enter (the next item).
 */
export function lockedActionOfKey(key: string): LockedAction | null {
  if (EDIT_KEYS.has(key)) return 'edit';
  if (key === 's') return 'skip';
  return null;
}

/** The brief, polite message a refused shortcut shows (announced politely: role="status"). */
export function lockedKeyMessage(status: FinalStatus, action: LockedAction, hasVerdict: boolean): string {
  const what =
    action === 'skip'
      ? 'there is nothing to skip'
      : action === 'submit'
        ? 'there is nothing to submit'
        : hasVerdict
          ? 'your verdict can no longer change'
          : 'it takes no more verdicts';
  return `Sorry, this item is final (${WHO[status]}): ${what}. Press Enter for the next item.`;
}

/** The message after a submit refused with 409 ITEM_FINAL: the item became final while the expert worked on it. */
export function itemFinalNotice(hadVerdict: boolean): string {
  return hadVerdict
    ? 'Your revision was not stored: this item became final while you were revising it (the panel agreed, or the lead decided). Your verdict as stored is shown.'
    : 'Your verdict was not stored: this item became final before it arrived (the panel agreed, or the lead decided).';
}
