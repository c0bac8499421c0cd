import { ApiError } from '../../../lib/api-client';

/**
 * The server's refusal of a first verdict because the panel has no place for it: full (409 PANEL_FULL: as many
 * experts judged it as the panel has seats, or the last seats are reserved by others while this expert's own
 * reservation had run out), or seen (409 PANEL_SEEN: a lead who opened the item at the desk does not join its panel).
 * Nothing reloads then: the draft stays on screen until the expert goes on.
 */
export function isPanelClosedError(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 409 && (error.code === 'PANEL_FULL' || error.code === 'PANEL_SEEN');
}

const count = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null);

/** What the review screen says after such a refusal: what happened, and that the draft is still there. */
export function panelClosedNotice(error: ApiError): string {
  const kept = 'Your draft is still on screen: copy what you want to keep (your comment, say), then go on to the next item.';
  if (error.code === 'PANEL_SEEN') {
    return `Your verdict was not stored: you have seen this item’s panel at the desk, so you cannot join it (blind review). ${kept}`;
  }
  const verdicts = count(error.body.verdicts);
  const panelSize = count(error.body.panelSize);
  const reserved = count(error.body.claimedByOthers) ?? 0;
  const state =
    verdicts === null || panelSize === null
      ? 'its panel is full'
      : reserved > 0
        ? `${verdicts} of its ${panelSize} verdicts are in and the other ${reserved === 1 ? 'place is' : `${reserved} places are`} reserved by other experts`
        : `all ${panelSize} of its verdicts are in`;
  return `Your verdict was not stored: the panel of this item is full (${state}), and your reservation of it had run out. ${kept}`;
}
