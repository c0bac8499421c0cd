import { type ItemStatus, ItemStatus as ItemStatusSchema, type ReviewItem } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { ApiError, StaleRevisionError } from '../../../lib/api-client';
import { draftSourceOf } from '../stores/review-ui-store';
import { finalBanner, isFinalStatus, isItemFinalError, itemFinalNotice, lockedActionOfKey, lockedKeyMessage } from './read-only';
import { GUIDE_KEY, shortcutGroups } from './shortcuts';

const CATEGORIES = ['Fine-grained error', 'Class overlap', 'Non-prototypical', 'Spurious correlation'];
// As the app shows them: the app shell gives the review screen the examples of a class (`e`) and the guide (`g`).
const keysOf = (readOnly: boolean, examples = true, guide = true) =>
  shortcutGroups(CATEGORIES, { readOnly, examples, guide }).flatMap((g) => g.shortcuts.flatMap((s) => s.keys));

describe('which items show read-only', () => {
  it('is exactly the agreed and the final ones (the server refuses a verdict on them)', () => {
    const readOnly = ItemStatusSchema.options.filter((status: ItemStatus) => isFinalStatus(status));
    expect(readOnly).toEqual(['agreed', 'final']);
  });

  it('recognizes the server’s 409 ITEM_FINAL, and nothing else', () => {
    expect(isItemFinalError(new ApiError(409, 'Item 3 is final', 'ITEM_FINAL'))).toBe(true);
    expect(isItemFinalError(new StaleRevisionError('stale', 2))).toBe(false);
    expect(isItemFinalError(new ApiError(409, 'Item 3 is final', 'STALE_DECISION'))).toBe(false);
    expect(isItemFinalError(new ApiError(400, 'Invalid verdict', 'ITEM_FINAL'))).toBe(false);
    expect(isItemFinalError(new ApiError(409, 'Conflict'))).toBe(false);
    expect(isItemFinalError(new Error('ITEM_FINAL'))).toBe(false);
    expect(isItemFinalError(null)).toBe(false);
  });
});

describe('the banner of a read-only item', () => {
  it('says who made the verdict final, and who could reopen it', () => {
    const agreed = finalBanner('agreed', true);
    expect(`${agreed.label}: ${agreed.text}`).toBe('Agreed: the panel agreed, so this verdict is final unless the lead reopens the item.');
    const final = finalBanner('final', true);
    expect(`${final.label}: ${final.text}`).toBe('Final: the lead decided, so this verdict is final unless the lead reopens the item.');
  });

  it('does not speak of “this verdict” to an expert who gave none', () => {
    const agreed = finalBanner('agreed', false);
    expect(agreed.label).toBe('Agreed');
    expect(agreed.text).toBe('the panel agreed without a verdict of yours, so this item is final unless the lead reopens it.');
    expect(finalBanner('final', false).text).toMatch(/^the lead decided without a verdict of yours/);
  });
});

describe('the shortcuts of a read-only item', () => {
  it('refuses every key that would change the verdict, and the skip', () => {
    for (const key of ['c', 'w', 'u', 'W', 'a', '/', 'x', 'Backspace', 'Delete', 'p', 'm', '1', '2', '3', '4', '5', '6', '7']) {
      expect(lockedActionOfKey(key), key).toBe('edit');
    }
    expect(lockedActionOfKey('s')).toBe('skip');
  });

  it('lets the navigation, the image keys, the overlay and Enter (the next item) through', () => {
    for (const key of ['j', 'k', 'ArrowDown', 'ArrowUp', 'e', 'g', '+', '=', '-', '_', '0', 'o', '?', 'Escape', 'Enter', 'Tab', 'C', '8']) {
      expect(lockedActionOfKey(key), key).toBeNull();
    }
  });

  it('matches the ? overlay: what it lists still acts; what only the editable screen lists is refused', () => {
    const readOnlyKeys = new Set(keysOf(true));
    expect([...readOnlyKeys].toSorted()).toEqual(['+', '-', '0', '?', 'Enter', 'Esc', 'e', 'g', 'j', 'k', 'o', '↑', '↓'].toSorted());
    for (const key of readOnlyKeys) expect(lockedActionOfKey(key), key).toBeNull();
    const refused = keysOf(false).filter((key) => !readOnlyKeys.has(key) && key !== 'Shift');
    expect(refused.length).toBeGreaterThan(10);
    for (const key of refused) expect(lockedActionOfKey(key), key).not.toBeNull();
  });

  it('lists `e` (the examples of the focused class) on both screens, and only when the screen can show them', () => {
    for (const readOnly of [false, true]) {
      expect(keysOf(readOnly), `readOnly: ${readOnly}`).toContain('e');
      expect(keysOf(readOnly, false), `readOnly: ${readOnly}`).not.toContain('e');
      expect(keysOf(readOnly, false)).toEqual(keysOf(readOnly).filter((key) => key !== 'e'));
    }
    // No other shortcut of either screen takes the key.
    expect(keysOf(false).filter((key) => key === 'e')).toHaveLength(1);
  });

  it('lists `g` (the labeling guide) on both screens, and only when the screen can show it', () => {
    expect(GUIDE_KEY).toBe('g');
    for (const readOnly of [false, true]) {
      expect(keysOf(readOnly), `readOnly: ${readOnly}`).toContain('g');
      expect(keysOf(readOnly, true, false)).toEqual(keysOf(readOnly).filter((key) => key !== 'g'));
      // Once, on either screen: no other shortcut takes the key.
      expect(keysOf(readOnly).filter((key) => key === 'g'), `readOnly: ${readOnly}`).toHaveLength(1);
    }
    // Reading the guide changes nothing: the read-only screen lets it through.
    expect(lockedActionOfKey(GUIDE_KEY)).toBeNull();
  });

  it('names Enter “Next item” in the overlay, where the editable screen submits', () => {
    const enter = (readOnly: boolean) =>
      shortcutGroups(CATEGORIES, { readOnly })
        .flatMap((g) => g.shortcuts)
        .find((s) => s.keys.includes('Enter'))?.action;
    expect(enter(true)).toBe('Next item: back to the review queue');
    expect(enter(false)).toMatch(/^Submit the verdict/);
  });

  it('answers a refused key politely, saying why and what still works', () => {
    expect(lockedKeyMessage('agreed', 'edit', true)).toBe(
      'Sorry, this item is final (the panel agreed): your verdict can no longer change. Press Enter for the next item.',
    );
    expect(lockedKeyMessage('final', 'skip', true)).toBe('Sorry, this item is final (the lead decided): there is nothing to skip. Press Enter for the next item.');
    expect(lockedKeyMessage('final', 'submit', true)).toContain('there is nothing to submit');
    expect(lockedKeyMessage('agreed', 'edit', false)).toContain('it takes no more verdicts');
  });
});

describe('a submit refused because the item became final', () => {
  it('says the revision, or the first verdict, was not stored', () => {
    expect(itemFinalNotice(true)).toMatch(/^Your revision was not stored: this item became final while you were revising it/);
    expect(itemFinalNotice(true)).toContain('Your verdict as stored is shown.');
    expect(itemFinalNotice(false)).toMatch(/^Your verdict was not stored: this item became final/);
  });
});

describe('the draft of an item that becomes final', () => {
  const item = (status: ItemStatus, revision: number | null): ReviewItem => ({
    id: 7,
    projectId: 1,
    status,
    image: { id: 3, file: 'chelsea.png', missing: false, previewUrl: '/p', originalUrl: '/o' },
    originalLabel: { key: 'n02123045', index: 281, names: ['tabby'], gloss: '' },
    acceptedLabels: ['n02123045'],
    candidates: [],
    models: [],
    mistakeCategories: CATEGORIES,
    myVerdict:
      revision === null
        ? null
        : { itemId: 7, expert: 'expert1', revision, labels: {}, problematic: null, mistakes: {}, comment: '', createdAt: '2025-03-01T10:00:00.000Z', afterSeeingPanel: false, modelsHidden: false },
    myDraft: null,
    claimExpiresAt: null,
    panelSeenAt: null,
    modelEvidence: { hidden: false, revealedAt: null },
  });

  it('starts again from the stored verdict when the item turns agreed or final (the refused edits are not shown as judged)', () => {
    expect(draftSourceOf(item('agreed', 2))).not.toBe(draftSourceOf(item('in_review', 2)));
    expect(draftSourceOf(item('final', 2))).not.toBe(draftSourceOf(item('disputed', 2)));
    // And again when the lead reopens it; not when the lead overrides an agreed item (it stays read-only).
    expect(draftSourceOf(item('disputed', 2))).toBe(draftSourceOf(item('in_review', 2)));
    expect(draftSourceOf(item('final', 2))).toBe(draftSourceOf(item('agreed', 2)));
    expect(draftSourceOf(item('agreed', 3))).not.toBe(draftSourceOf(item('agreed', 2)));
    expect(draftSourceOf(item('agreed', null))).not.toBe(draftSourceOf(item('open', null)));
  });
});
