import { describe, expect, it } from 'vitest';
import { isPlainClick } from './links';

describe('a click on a link of the app', () => {
  const click = { button: 0, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false };

  it('opens in place on a plain left click', () => {
    expect(isPlainClick(click)).toBe(true);
  });

  it('is left to the browser (a new tab or window) with a modifier or another button', () => {
    expect(isPlainClick({ ...click, button: 1 })).toBe(false);
    for (const modifier of ['metaKey', 'ctrlKey', 'shiftKey', 'altKey'] as const) expect(isPlainClick({ ...click, [modifier]: true })).toBe(false);
  });
});
