import { describe, expect, it } from 'vitest';
import { panelText } from './format';

describe('panelText', () => {
  it('names a fixed panel by its size and an adaptive one by its bounds', () => {
    expect(panelText({ mode: 'fixed' }, 3)).toBe('panel of 3');
    expect(panelText({ mode: 'adaptive', min: 2, max: 5 }, 3)).toBe('panel adaptive, 2–5');
  });
});
