import { describe, expect, it } from 'vitest';
import { DEFAULT_FILTERS, activeFilterCount, apiParams, filtersFromSearch, filtersKey, searchHasFilters, searchWithFilters } from './browser-filters';

describe('the item browser’s filters in the address bar', () => {
  it('reads every filter, the sort and the order', () => {
    const filters = filtersFromSearch(
      '?project=2&view=items&status=disputed&class=n01440764&disputeKind=severity&wrongModel=vit-b&severity=Major&category=Non-prototypical&expert=ann&sort=file&order=desc',
    );
    expect(filters).toEqual({
      status: 'disputed',
      class: 'n01440764',
      disputeKind: 'severity',
      wrongModel: 'vit-b',
      severity: 'Major',
      category: 'Non-prototypical',
      expert: 'ann',
      sort: 'file',
      order: 'desc',
    });
    expect(activeFilterCount(filters)).toBe(7);
  });

  it('drops what the API would refuse, and takes the sort’s own default order', () => {
    expect(filtersFromSearch('?status=closed&severity=Fatal&sort=verdicts&order=sideways&class=')).toEqual({ sort: 'verdicts', order: 'desc' });
    expect(filtersFromSearch('?sort=file')).toEqual({ sort: 'file', order: 'asc' });
    expect(filtersFromSearch('?view=items')).toEqual(DEFAULT_FILTERS);
  });

  it('writes only what differs from the defaults, keeping the app’s own parameters', () => {
    expect(searchWithFilters('?project=2&view=items&status=open', { ...DEFAULT_FILTERS, wrongModel: 'model b' })).toBe('?project=2&view=items&wrongModel=model+b');
    expect(searchWithFilters('?project=2&view=items', DEFAULT_FILTERS)).toBe('?project=2&view=items');
    expect(searchWithFilters('', { sort: 'file', order: 'desc' })).toBe('?sort=file&order=desc');
    expect(searchWithFilters('', { sort: 'file', order: 'asc' })).toBe('?sort=file');
    expect(searchWithFilters('', { sort: 'priority', order: 'desc' })).toBe('');
  });

  it('round-trips through the address bar', () => {
    const filters = { ...DEFAULT_FILTERS, status: 'final' as const, expert: 'bob', sort: 'updated' as const, order: 'asc' as const };
    expect(filtersFromSearch(searchWithFilters('?project=1', filters))).toEqual(filters);
  });

  it('tells a shared view from a bare one', () => {
    expect(searchHasFilters('?project=1&view=items')).toBe(false);
    expect(searchHasFilters('?project=1&view=items&sort=id')).toBe(true);
  });

  it('sends the sort and the set filters to the API, and keys the cache on them', () => {
    expect(apiParams({ ...DEFAULT_FILTERS, category: 'Spurious Correlation' })).toEqual({ category: 'Spurious Correlation', sort: 'priority', order: 'desc' });
    expect(filtersKey({ ...DEFAULT_FILTERS, status: 'open' })).not.toBe(filtersKey(DEFAULT_FILTERS));
  });
});
