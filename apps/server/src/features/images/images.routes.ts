import { ImageParams, PreviewQuery } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { extname } from 'node:path';
import { notFound } from '../../plugins/errors';
import { projectCatalog } from '../projects/project-catalog';
import type { ImageSources } from './image-sources';
import { createPreviewCache, DEFAULT_PREVIEW_CACHE_BYTES } from './preview-cache';

export interface ImagesRoutesOptions {
  cacheDir: string;
  /** At most this many bytes of rendered previews on disk (default DEFAULT_PREVIEW_CACHE_BYTES). */
  previewCacheBytes?: number;
  /** The projects' image sources (a folder, a base URL, a bucket), or the override of them all. */
  images: ImageSources;
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

  /** The image's file name and its project's source: 404 for an unknown project or image. */
  async function locate(projectId: number, imageId: number) {
    const project = (await catalog.get(projectId))?.project;
    if (!project) throw notFound(`Project ${projectId} not found`);
    const image = await app.database.queries.selectFrom('images').select('file').where('id', '=', imageId).where('project_id', '=', projectId).executeTakeFirst();
    if (!image) throw notFound(`Image ${imageId} not found in project ${projectId}`);
    return { file: image.file, source: options.images.sourceFor(project.imageDir) };
  }

  app.get(
    '/projects/:projectId/images/:imageId/preview',
    { schema: { tags: ['images'], params: ImageParams, querystring: PreviewQuery } },
    async (request, reply) => {
      const { projectId, imageId } = request.params;
      const { file, source } = await locate(projectId, imageId);
      const found = await source.find(file);
      const preview = await previews.get({ projectId, imageId, file, ...found }, request.query.width);
      return reply.type('image/webp').header('Cache-Control', CACHE_CONTROL).send(preview);
    },
  );

  // Originals are streamed from every source, a bucket's too, rather than redirected to a presigned URL: the page's
  // Content-Security-Policy lets images come from this origin only, a private bucket need not be reachable from the
  // experts' browsers, and the bytes stay behind the session check and `Cache-Control: private`.
  app.get(
    '/projects/:projectId/images/:imageId/original',
    { schema: { tags: ['images'], params: ImageParams } },
    async (request, reply) => {
      const { file, source } = await locate(request.params.projectId, request.params.imageId);
      const original = await source.original(file);
      // The type follows the file's extension, never a remote server's Content-Type: this origin serves no HTML.
      reply.type(CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream').header('Cache-Control', CACHE_CONTROL);
      if (original.size !== null) reply.header('Content-Length', original.size);
      return reply.send(original.stream);
    },
  );
};
