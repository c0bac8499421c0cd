import type { MyVerdictRow, MyVerdictsPage } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { countLine, mergePages, nextPageOffset, truncateComment, verdictAction } from './my-verdicts';

const row = (itemId: number, extra: Partial<MyVerdictRow> = {}): MyVerdictRow => ({
  itemId,
  imageId: itemId + 100,
  file: `img-${itemId}.jpg`,
  previewUrl: `/api/projects/1/images/${itemId + 100}/preview?width=128`,
  originalLabel: { key: 'n02123159', name: 'tiger cat' },
  status: 'in_review',
  revision: 1,
  submittedAt: '2025-03-01T10:00:00.000Z',
  correct: [],
  problematic: false,
  comment: '',
  revisable: true,
  ...extra,
});

const page = (offset: number, total: number, ids: number[]): MyVerdictsPage => ({ total, offset, limit: 50, rows: ids.map((id) => row(id)) });

describe('the reviewer’s verdicts, page by page', () => {
  it('asks for the next page until every item is loaded', () => {
    expect(nextPageOffset(page(0, 120, Array.from({ length: 50 }, (_, i) => i + 1)))).toBe(50);
    expect(nextPageOffset(page(100, 120, Array.from({ length: 20 }, (_, i) => i + 1)))).toBeUndefined();
    expect(nextPageOffset(page(0, 0, []))).toBeUndefined();
    // A page that comes back empty ends the list, even when the total (counted a moment before) says otherwise.
    expect(nextPageOffset(page(50, 60, []))).toBeUndefined();
  });

  it('keeps the pages’ order and shows an item once when a later page repeats it', () => {
    // Item 5 was at the end of the first page; a verdict given meanwhile shifted it onto the second.
    const rows = mergePages([page(0, 6, [9, 8, 5]), page(3, 6, [5, 4, 2])]);
    expect(rows.map((r) => r.itemId)).toEqual([9, 8, 5, 4, 2]);
    expect(mergePages([])).toEqual([]);
  });

  it('counts the items in the header, in the singular for one', () => {
    expect(countLine(0)).toBe('0 items judged in this project');
    expect(countLine(1)).toBe('1 item judged in this project');
    expect(countLine(2)).toBe('2 items judged in this project');
    expect(countLine(12_345)).toBe('12,345 items judged in this project');
  });
});

describe('a comment in the list', () => {
  it('shows a short comment whole, on one line', () => {
    expect(truncateComment('Looks like a tabby.')).toBe('Looks like a tabby.');
    expect(truncateComment('  two\nlines\t here ')).toBe('two lines here');
    expect(truncateComment('')).toBe('');
  });

  it('cuts a long comment at a word, with an ellipsis, within the length', () => {
    const long = 'The stripes and the ears say tiger cat, but the tail is hidden behind the sofa so I am not sure at all';
    const cut = truncateComment(long, 40);
    expect(cut).toBe('The stripes and the ears say tiger cat,…');
    expect(cut.length).toBeLessThanOrEqual(40);
    expect(long.startsWith(cut.slice(0, -1))).toBe(true);
  });

  it('cuts inside a word rather than dropping most of the preview', () => {
    expect(truncateComment(`see ${'x'.repeat(50)}`, 20)).toBe(`see ${'x'.repeat(15)}…`);
  });
});

describe('the action of a row', () => {
  it('revises a verdict that may still change, naming the item', () => {
    expect(verdictAction(row(12, { file: 'cat.jpg' }))).toEqual({ kind: 'revise', label: 'Revise', name: 'Revise your verdict on item 12 (cat.jpg)' });
    expect(verdictAction(row(3, { status: 'disputed' })).kind).toBe('revise');
  });

  it('views an agreed or final item read-only, says why it cannot be revised, its name starting with what the link shows', () => {
    const agreed = verdictAction(row(12, { file: 'cat.jpg', status: 'agreed', revisable: false }));
    expect(agreed).toEqual({
      kind: 'view',
      label: 'View',
      name: 'View your verdict on item 12 (cat.jpg), which can no longer be revised',
      reason: 'The panel agreed: final unless the lead reopens it.',
    });
    const final = verdictAction(row(12, { file: 'cat.jpg', status: 'final', revisable: false }));
    expect(final).toMatchObject({ kind: 'view', label: 'View', name: 'View your verdict on item 12 (cat.jpg), which can no longer be revised' });
    expect(final.kind === 'view' && final.reason).toBe('The lead decided: final unless the lead reopens it.');
    for (const action of [agreed, final]) expect(action.name.startsWith(action.label)).toBe(true);
  });

  it('follows the server’s word over the status', () => {
    expect(verdictAction(row(4, { status: 'in_review', revisable: false }))).toMatchObject({ kind: 'view', reason: 'This item takes no revision now.' });
    expect(verdictAction(row(4, { status: 'agreed', revisable: true })).kind).toBe('revise');
  });
});
