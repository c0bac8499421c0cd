import { describe, expect, it } from 'vitest';
import { allowedPage, allowedView, backLabelOf, pagesFor, viewsFor } from './views';

describe('views by role', () => {
  it('gives an expert the review, their own verdicts and the guide only: the desk, the dashboard and the slice are not theirs', () => {
    expect(viewsFor('expert', true).map((v) => v.id)).toEqual(['review', 'my-verdicts', 'guide']);
    expect(allowedView('my-verdicts', 'expert', true)).toBe('my-verdicts');
    expect(allowedView('desk', 'expert', true)).toBe('review');
    expect(allowedView('dashboard', 'expert', true)).toBe('review');
    expect(allowedView('items', 'expert', true)).toBe('review');
  });

  it('gives the lead every view, and an admin every view but the review and the verdicts of their own (they judge nothing)', () => {
    expect(viewsFor('lead', false).map((v) => v.id)).toEqual(['review', 'my-verdicts', 'desk', 'dashboard', 'major-slice', 'guide']);
    expect(viewsFor('admin', false).map((v) => v.id)).toEqual(['desk', 'dashboard', 'major-slice', 'guide']);
    expect(allowedView('review', 'admin', false)).toBe('dashboard');
    expect(allowedView('my-verdicts', 'admin', true)).toBe('dashboard');
    expect(allowedView('my-verdicts', 'lead', false)).toBe('my-verdicts');
    expect(allowedView(undefined, 'lead', false)).toBe('desk');
    expect(allowedView(undefined, 'expert', false)).toBe('review');
    expect(allowedView('review', 'lead', false)).toBe('review');
  });

  it('names the reviewer’s own verdicts “My verdicts”, right after the review, for those who judge', () => {
    const entry = viewsFor('lead', true).find((v) => v.id === 'my-verdicts');
    expect(entry).toEqual({ id: 'my-verdicts', label: 'My verdicts', roles: ['expert', 'lead'] });
    expect(viewsFor('expert', false).map((v) => v.label)).toEqual(['Review', 'My verdicts', 'Guide']);
  });

  it('gives every role the labeling guide (“Guide”, last), which opens from its address too', () => {
    for (const role of ['expert', 'lead', 'admin'] as const) {
      for (const hasItemBrowser of [false, true]) {
        const views = viewsFor(role, hasItemBrowser);
        expect(views.at(-1), `${role}, item browser: ${hasItemBrowser}`).toEqual({ id: 'guide', label: 'Guide', roles: ['expert', 'lead', 'admin'] });
        expect(allowedView('guide', role, hasItemBrowser)).toBe('guide');
      }
    }
  });

  it('lists the item browser only once it exists', () => {
    expect(viewsFor('lead', true).map((v) => v.id)).toContain('items');
    expect(allowedView('items', 'lead', false)).toBe('desk');
    expect(allowedView('items', 'admin', true)).toBe('items');
    expect(viewsFor('admin', true).map((v) => v.id)).toEqual(['desk', 'dashboard', 'major-slice', 'items', 'guide']);
  });
});

describe('pages outside the projects, by role', () => {
  it('gives the users page to an admin only', () => {
    expect(pagesFor('admin').map((p) => p.id)).toEqual(['users']);
    expect(pagesFor('lead')).toEqual([]);
    expect(pagesFor('expert')).toEqual([]);
  });

  it('opens a requested page only for a role that may: the others land where they would have', () => {
    expect(allowedPage('users', 'admin')).toBe('users');
    expect(allowedPage('users', 'lead')).toBeUndefined();
    expect(allowedPage('users', 'expert')).toBeUndefined();
    expect(allowedPage(undefined, 'admin')).toBeUndefined();
  });

  it('keeps the users page out of every project view', () => {
    for (const role of ['admin', 'lead', 'expert'] as const) {
      expect(viewsFor(role, true).map((v) => v.id)).not.toContain('users');
    }
  });
});

describe('the back button of a page', () => {
  const projects = [
    { id: 1, name: 'ImageNet val' },
    { id: 2, name: 'ImageNetV2' },
  ];

  it('goes back to the project the page was opened from', () => {
    expect(backLabelOf({ projectId: 2, view: 'dashboard' }, projects)).toBe('Back to ImageNetV2');
  });

  it('goes back to the only project, which opens without being named in the address', () => {
    expect(backLabelOf({}, [projects[0]!])).toBe('Back to ImageNet val');
  });

  it('goes back to the project list otherwise: several projects, none yet, or a project that is gone', () => {
    expect(backLabelOf({}, projects)).toBe('Back to the projects');
    expect(backLabelOf({ projectId: 9 }, projects)).toBe('Back to the projects');
    expect(backLabelOf({}, [])).toBe('Back to the projects');
    expect(backLabelOf({ projectId: 1 }, undefined)).toBe('Back to the projects');
  });
});
