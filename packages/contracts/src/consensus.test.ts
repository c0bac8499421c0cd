import { describe, expect, it } from 'vitest';
import { PanelPolicy } from './settings';

describe('PanelPolicy (the project setting `panel`)', () => {
  it('takes a fixed panel and an adaptive one with 2 <= min <= max <= 50', () => {
    expect(PanelPolicy.parse({ mode: 'fixed' })).toEqual({ mode: 'fixed' });
    expect(PanelPolicy.parse({ mode: 'adaptive', min: 2, max: 5 })).toEqual({ mode: 'adaptive', min: 2, max: 5 });
    expect(PanelPolicy.parse({ mode: 'adaptive', min: 3, max: 3 })).toEqual({ mode: 'adaptive', min: 3, max: 3 });
  });

  it('refuses min above max, min below 2, bounds that are not integers, and unknown modes', () => {
    const problem = PanelPolicy.safeParse({ mode: 'adaptive', min: 4, max: 3 });
    expect(problem.success).toBe(false);
    expect(problem.error?.issues[0]).toMatchObject({ path: ['max'], message: 'min must be at most max' });
    expect(PanelPolicy.safeParse({ mode: 'adaptive', min: 1, max: 3 }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'adaptive', min: 2, max: 51 }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'adaptive', min: 2.5, max: 4 }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'adaptive', min: 2 }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'majority' }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'fixed', min: 2 }).success).toBe(false);
    expect(PanelPolicy.safeParse({ mode: 'adaptive', min: 2, max: 4, size: 3 }).success).toBe(false);
  });
});
