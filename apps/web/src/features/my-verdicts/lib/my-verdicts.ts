import type { MyVerdictRow, MyVerdictsPage } from '@bagel/contracts';

/** Rows per request (the API allows up to 200): "Load more" asks for the next ones. */
export const PAGE_SIZE = 50;

/** How long a comment the list shows; the whole comment is in the cell's tooltip and on the review screen. */
export const COMMENT_PREVIEW_LENGTH = 80;

export { STATUS_LABELS } from '../../../lib/format';

/** The header line: how many items of the project the reviewer has a verdict on (figures as the item browser writes them). */
export const countLine = (total: number) => `${total.toLocaleString('en-GB')} item${total === 1 ? '' : 's'} judged in this project`;

/** The offset of the page after `page`, or undefined when the reviewer's items are all loaded. */
export function nextPageOffset(page: MyVerdictsPage): number | undefined {
  const next = page.offset + page.rows.length;
  return page.rows.length > 0 && next < page.total ? next : undefined;
}

/**
 * The rows of the loaded pages, in order, each item once. Pages are fetched by offset at different times: a verdict
 * given meanwhile moves its item to the top and shifts the rest down, so an item may come again on the next page.
 * Its first occurrence is kept (from the page fetched first, when the pages are refetched in order).
 */
export function mergePages(pages: readonly MyVerdictsPage[]): MyVerdictRow[] {
  const seen = new Set<number>();
  const rows: MyVerdictRow[] = [];
  for (const page of pages) {
    for (const row of page.rows) {
      if (seen.has(row.itemId)) continue;
      seen.add(row.itemId);
      rows.push(row);
    }
  }
  return rows;
}

/** The comment on one line (line breaks and runs of spaces as one space), cut at a word with an ellipsis when long. */
export function truncateComment(comment: string, max = COMMENT_PREVIEW_LENGTH): string {
  const text = comment.replace(/\s+/g, ' ').trim();
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  // Cut at the last word boundary (the cut may fall just before a space), unless that drops most of the preview.
  const space = text[max - 1] === ' ' ? cut.length : cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** What the row's action offers: revising on the review screen, or reading there a verdict that can no longer change, and why. */
export type VerdictAction = { kind: 'revise'; label: string; name: string } | { kind: 'view'; label: string; name: string; reason: string };

/**
 * The row's action: a link to the item on the review screen either way. A verdict that can no longer change (the item
 * is agreed or final) opens there read-only, so its link says View, and the row says why.
 */
export function verdictAction(row: Pick<MyVerdictRow, 'itemId' | 'file' | 'status' | 'revisable'>): VerdictAction {
  const item = `item ${row.itemId} (${row.file})`;
  if (row.revisable) return { kind: 'revise', label: 'Revise', name: `Revise your verdict on ${item}` };
  const reason =
    row.status === 'agreed'
      ? 'The panel agreed: final unless the lead reopens it.'
      : row.status === 'final'
        ? 'The lead decided: final unless the lead reopens it.'
        : 'This item takes no revision now.';
  return { kind: 'view', label: 'View', name: `View your verdict on ${item}, which can no longer be revised`, reason };
}
