import { describe, expect, it } from 'vitest';
import { claimWarningOf, MIN_RENEWAL_DELAY_MS, renewalDelay } from './claim-renewal';

describe('claim renewal', () => {
  it('renews halfway through the claim, never sooner than a few seconds', () => {
    expect(renewalDelay(20 * 60_000)).toBe(10 * 60_000);
    expect(renewalDelay(60_000)).toBe(30_000);
    expect(renewalDelay(3_000)).toBe(MIN_RENEWAL_DELAY_MS);
    // A browser clock ahead of the server's: the claim looks expired already, and is renewed soon rather than in a loop.
    expect(renewalDelay(-5 * 60_000)).toBe(MIN_RENEWAL_DELAY_MS);
  });

  it('says why a verdict may be refused', () => {
    expect(claimWarningOf('EXPIRED', 0, '')).toMatchObject({ kind: 'expired', text: expect.stringContaining('ran out while you were away') });
    expect(claimWarningOf('PANEL_FULL', 0, 'full')).toMatchObject({ kind: 'panel-full', text: expect.stringContaining('panel is full') });
    const now = new Date('2025-03-01T10:00:00Z');
    const offline = claimWarningOf(null, Date.parse('2025-03-01T10:05:00Z'), 'The server cannot be reached.', now);
    expect(offline.kind).toBe('not-renewed');
    expect(offline.text).toContain('The server cannot be reached.');
    expect(offline.text).toContain('runs out today');
  });
});
