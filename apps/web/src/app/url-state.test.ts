import { describe, expect, it } from 'vitest';
import { parseUrlState, searchOf } from './url-state';

describe('the address bar state', () => {
  it('reads a project view with its item, and leaves out what it does not know', () => {
    expect(parseUrlState('?project=2&view=desk&item=17')).toEqual({ projectId: 2, view: 'desk', itemId: 17 });
    expect(parseUrlState('?project=-1&view=nope&item=1.5')).toEqual({});
    expect(parseUrlState('?project=2&view=my-verdicts')).toEqual({ projectId: 2, view: 'my-verdicts' });
    expect(parseUrlState('?project=2&view=my_verdicts')).toEqual({ projectId: 2 });
    expect(parseUrlState('?project=2&view=guide')).toEqual({ projectId: 2, view: 'guide' });
    expect(parseUrlState('?project=2&view=Guide')).toEqual({ projectId: 2 });
    expect(parseUrlState('')).toEqual({});
  });

  it('reads a page of the app on its own: a page belongs to no project', () => {
    expect(parseUrlState('?page=users')).toEqual({ page: 'users' });
    expect(parseUrlState('?page=users&project=2&view=desk')).toEqual({ page: 'users' });
    expect(parseUrlState('?page=settings&project=2')).toEqual({ projectId: 2 });
  });

  it('writes what it reads, the review being the default view', () => {
    expect(searchOf({ page: 'users', projectId: 3 })).toBe('?page=users');
    expect(searchOf({ projectId: 3, view: 'review', itemId: 9 })).toBe('?project=3&item=9');
    expect(searchOf({ projectId: 3, view: 'dashboard' })).toBe('?project=3&view=dashboard');
    expect(searchOf({ projectId: 3, view: 'my-verdicts' })).toBe('?project=3&view=my-verdicts');
    expect(searchOf({ projectId: 3, view: 'guide' })).toBe('?project=3&view=guide');
    expect(searchOf({})).toBe('');
    for (const state of [{ page: 'users' as const }, { projectId: 4, view: 'items' as const }, { projectId: 4, view: 'my-verdicts' as const }, { projectId: 4, view: 'guide' as const }, { projectId: 1, view: 'desk' as const, itemId: 5 }]) {
      expect(parseUrlState(searchOf(state))).toEqual(state);
    }
  });
});
