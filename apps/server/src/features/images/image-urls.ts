/** Width of the thumbnails lists show (the item browser, a reviewer's verdicts). */
export const THUMBNAIL_WIDTH = 128;
/** Width of the tiles of a grid of images to look at (a class's examples). */
export const TILE_WIDTH = 256;

/** The addresses images.routes.ts serves an image of a project at. */
export function imageUrls(projectId: number, imageId: number) {
  const base = `/api/projects/${projectId}/images/${imageId}`;
  return {
    previewUrl: `${base}/preview`,
    originalUrl: `${base}/original`,
    thumbnailUrl: `${base}/preview?width=${THUMBNAIL_WIDTH}`,
    tileUrl: `${base}/preview?width=${TILE_WIDTH}`,
  };
}
