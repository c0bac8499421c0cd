import type { ReviewItem } from '@bagel/contracts';

/**
 * Starts loading an item's preview image at once, so it is in the browser's cache by the time the screen shows it (and
 * decoded: the <img> of the same URL can be painted in the first frame after it is inserted). The image is the
 * slowest part of showing an item. No schema here: the entry script uses it before the app's code has loaded.
 */
export function preloadImage(item: Pick<ReviewItem, 'image'>): void {
  if (item.image.missing || typeof Image === 'undefined') return;
  const image = new Image();
  image.fetchPriority = 'high';
  image.src = item.image.previewUrl;
  image.decode().catch(() => {
    // The <img> itself reports a broken file; a preload has nothing to add.
  });
}
