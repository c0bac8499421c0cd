import { ImageParams, PreviewQuery } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { open, type FileHandle } from 'node:fs/promises';
import { extname } from 'node:path';
import { ApiError, notFound } from '../../plugins/errors';
import { projectCatalog } from '../projects/project-catalog';
import { resolveImageFile } from './image-files';
import { createPreviewCache, DEFAULT_PREVIEW_CACHE_BYTES } from './preview-cache';

export interface ImagesRoutesOptions {
  cacheDir: string;
  /** At most this many bytes of rendered previews on disk (default DEFAULT_PREVIEW_CACHE_BYTES). */
  previewCacheBytes?: number;
  /** The image folder to use instead of the one recorded at import. */
  imagesDirOverride?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.gif': 'image/gif',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
};

// Images are only for signed-in users, and a file can change on re-import: cache privately, for a while.
const CACHE_CONTROL = 'private, max-age=3600';

export const imagesRoutes: FastifyPluginAsyncZod<ImagesRoutesOptions> = async (app, options) => {
  const catalog = projectCatalog(app.database);
  const previews = createPreviewCache({ dir: options.cacheDir, maxBytes: options.previewCacheBytes ?? DEFAULT_PREVIEW_CACHE_BYTES, log: app.log });
  const imageFile = app.db.prepare<[number, number], { file: string }>('SELECT file FROM images WHERE id = ? AND project_id = ?');

  async function locate(projectId: number, imageId: number) {
    const project = (await catalog.get(projectId))?.project;
    if (!project) throw notFound(`Project ${projectId} not found`);
    const image = imageFile.get(imageId, projectId);
    if (!image) throw notFound(`Image ${imageId} not found in project ${projectId}`);
    return { file: image.file, ...resolveImageFile(options.imagesDirOverride ?? project.imageDir, image.file) };
  }

  app.get(
    '/projects/:projectId/images/:imageId/preview',
    { schema: { tags: ['images'], params: ImageParams, querystring: PreviewQuery } },
    async (request, reply) => {
      const { projectId, imageId } = request.params;
      const file = await locate(projectId, imageId);
      const preview = await previews.get({ projectId, imageId, ...file }, request.query.width);
      return reply.type('image/webp').header('Cache-Control', CACHE_CONTROL).send(preview);
    },
  );

  app.get(
    '/projects/:projectId/images/:imageId/original',
    { schema: { tags: ['images'], params: ImageParams } },
    async (request, reply) => {
      const file = await locate(request.params.projectId, request.params.imageId);
      // Opened before answering: a file removed since it was found is a clean 404, not a stream failing mid-answer.
      let handle: FileHandle;
      try {
        handle = await open(file.path, 'r');
      } catch (error) {
        throw new ApiError(404, `The image file "${file.file}" is missing from the image folder`, 'NOT_FOUND', {}, { serverDetail: (error as Error).message });
      }
      return reply
        .type(CONTENT_TYPES[extname(file.path).toLowerCase()] ?? 'application/octet-stream')
        .header('Content-Length', file.stats.size)
        .header('Cache-Control', CACHE_CONTROL)
        .send(handle.createReadStream());
    },
  );
};
