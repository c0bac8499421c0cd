import { describe, expect, it } from 'vitest';
import { allowedView, viewsFor } from './views';

describe('views by role', () => {
  it('gives an expert the review only: the desk, the dashboard and the slice are not theirs', () => {
    expect(viewsFor('expert', true).map((v) => v.id)).toEqual(['review']);
    expect(allowedView('desk', 'expert', true)).toBe('review');
    expect(allowedView('dashboard', 'expert', true)).toBe('review');
  });

  it('gives the lead every view, and an admin every view but the review', () => {
    expect(viewsFor('lead', false).map((v) => v.id)).toEqual(['review', 'desk', 'dashboard', 'major-slice']);
    expect(viewsFor('admin', false).map((v) => v.id)).toEqual(['desk', 'dashboard', 'major-slice']);
    expect(allowedView('review', 'admin', false)).toBe('dashboard');
    expect(allowedView(undefined, 'lead', false)).toBe('review');
  });

  it('lists the item browser only once it exists', () => {
    expect(viewsFor('lead', true).map((v) => v.id)).toContain('items');
    expect(allowedView('items', 'lead', false)).toBe('review');
    expect(allowedView('items', 'admin', true)).toBe('items');
  });
});
