import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { isPanelClosedError, panelClosedNotice } from './panel-closed';

const refusal = (code: string, body: Record<string, unknown> = {}) => new ApiError(409, 'refused', code, { statusCode: 409, code, ...body });

describe('a verdict refused because the panel has no place for it', () => {
  it('is told apart from the other refusals', () => {
    expect(isPanelClosedError(refusal('PANEL_FULL'))).toBe(true);
    expect(isPanelClosedError(refusal('PANEL_SEEN'))).toBe(true);
    expect(isPanelClosedError(refusal('ITEM_FINAL'))).toBe(false);
    expect(isPanelClosedError(new ApiError(400, 'bad', 'PANEL_FULL'))).toBe(false);
    expect(isPanelClosedError(new Error('PANEL_FULL'))).toBe(false);
  });

  it('says why, with the panel’s figures, and that the draft is kept', () => {
    expect(panelClosedNotice(refusal('PANEL_FULL', { panelSize: 3, verdicts: 3, claimedByOthers: 0 }))).toBe(
      'Your verdict was not stored: the panel of this item is full (all 3 of its verdicts are in), and your reservation of it had run out. Your draft is still on screen: copy what you want to keep (your comment, say), then go on to the next item.',
    );
    expect(panelClosedNotice(refusal('PANEL_FULL', { panelSize: 3, verdicts: 2, claimedByOthers: 1 }))).toContain(
      '2 of its 3 verdicts are in and the other place is reserved by other experts',
    );
    expect(panelClosedNotice(refusal('PANEL_FULL'))).toContain('(its panel is full)');
    expect(panelClosedNotice(refusal('PANEL_SEEN'))).toContain('cannot join it (blind review)');
  });
});
