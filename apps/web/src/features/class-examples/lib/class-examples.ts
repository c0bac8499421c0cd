import type { ClassImage, ClassImagesPage } from '@bagel/contracts';

/** Images asked for at a time: the first page when the examples open, then one more per "Load more". */
export const EXAMPLES_PAGE_SIZE = 24;

/**
 * The image being judged beside the examples: it is never shown among them. Its original label says whether the
 * server counts it in the class's images (they are the images whose original label is the class).
 */
export interface OwnImage {
  imageId: number;
  originalLabel: string;
}

/** The offset of the page after `last`, or undefined when `last` reached the end of the list. */
export function nextPageOffset(last: Pick<ClassImagesPage, 'offset' | 'rows' | 'total'>): number | undefined {
  const next = last.offset + last.rows.length;
  return last.rows.length > 0 && next < last.total ? next : undefined;
}

/** The examples to show: every row of the pages loaded, in order, each image once, without the image being judged. */
export function examplesOf(pages: readonly Pick<ClassImagesPage, 'rows'>[], ownImage?: OwnImage): ClassImage[] {
  const seen = new Set<number>();
  const examples: ClassImage[] = [];
  for (const page of pages) {
    for (const row of page.rows) {
      if (row.imageId === ownImage?.imageId || seen.has(row.imageId)) continue;
      seen.add(row.imageId);
      examples.push(row);
    }
  }
  return examples;
}

/** How many images other than the one being judged have the class as their original label. */
export function otherImageCount(total: number, classKey: string, ownImage?: OwnImage): number {
  return Math.max(0, total - (ownImage?.originalLabel === classKey ? 1 : 0));
}

/** What the dialog says under the grid: how many examples it shows out of how many there are. */
export function examplesSummary(shown: number, others: number): string {
  const images = `other image${others === 1 ? '' : 's'}`;
  return shown >= others ? `${others} ${images} with this original label.` : `Showing ${shown} of ${others} ${images} with this original label.`;
}

/**
 * The number of columns of a grid laid out in rows, from the top edge of each cell in order: the cells of the first
 * row share its top (within a pixel).
 */
export function columnsOf(tops: readonly number[]): number {
  const first = tops[0];
  if (first === undefined) return 1;
  const columns = tops.findIndex((top) => Math.abs(top - first) > 1);
  return columns < 0 ? tops.length : columns;
}

/**
 * The cell a key moves to in a grid of `count` cells, `columns` wide, from `index`: arrows move by one cell or one row
 * (no wrapping past either end, and down from the last full row goes to the last cell), Home and End to the first and
 * the last cell. Null for any other key.
 */
export function gridMove(index: number, key: string, count: number, columns: number): number | null {
  if (count <= 0) return null;
  const width = Math.max(1, columns);
  const last = count - 1;
  const from = Math.min(Math.max(0, index), last);
  switch (key) {
    case 'ArrowLeft':
      return Math.max(0, from - 1);
    case 'ArrowRight':
      return Math.min(last, from + 1);
    case 'ArrowUp':
      return from - width >= 0 ? from - width : from;
    case 'ArrowDown':
      if (from + width <= last) return from + width;
      // A shorter last row: down from a cell above its end lands on its last cell.
      return Math.floor(from / width) < Math.floor(last / width) ? last : from;
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}
