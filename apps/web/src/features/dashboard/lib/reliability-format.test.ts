import { describe, expect, it } from 'vitest';
import { formatCount, formatRateWithInterval } from './reliability-format';

describe('formatRateWithInterval', () => {
  it('writes the rate and its interval with two decimals and an en dash', () => {
    expect(formatRateWithInterval({ rate: 0.9133, low: 0.8849, high: 0.9364 })).toBe('0.91 (0.88–0.94)');
    expect(formatRateWithInterval({ rate: 1, low: 0.5101, high: 1 })).toBe('1.00 (0.51–1.00)');
  });
  it('is a dash with nothing to count', () => {
    expect(formatRateWithInterval({ rate: null, low: null, high: null })).toBe('–');
  });
  it('counts with thousands separators', () => {
    expect(formatCount({ successes: 1234, trials: 20000 })).toBe('1,234 / 20,000');
  });
});
