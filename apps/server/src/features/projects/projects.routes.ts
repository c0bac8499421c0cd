import {
  ClassImagesPage,
  ClassImagesQuery,
  ClassParams,
  ErrorResponse,
  ProjectList,
  ProjectParams,
  ProjectSettings,
  ProjectSettingsRequest,
  VocabularyResponse,
} from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import { notFound } from '../../plugins/errors';
import { imageUrls } from '../images/image-urls';
import { createClassImagesRepository } from './class-images.repository';
import { createProjectSettingsService } from './project-settings.service';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

export const projectsRoutes: FastifyPluginAsyncZod = async (app) => {
  const projects = createProjectsRepository(app.db);
  const catalog = projectCatalog(app.db);
  const settings = createProjectSettingsService(app.db, { now: app.now });
  const classImages = createClassImagesRepository(app.db);

  app.get('/projects', { schema: { tags: ['projects'], response: { 200: ProjectList } } }, async (request) => ({
    projects: projects.summaries(currentUser(request).id),
  }));

  // The whole vocabulary at once: the web app searches it as the expert types, with no round trip per keystroke.
  app.get(
    '/projects/:projectId/classes',
    { schema: { tags: ['projects'], params: ProjectParams, response: { 200: VocabularyResponse } } },
    async (request) => {
      const entry = catalog.get(request.params.projectId);
      if (!entry) throw notFound(`Project ${request.params.projectId} not found`);
      return { classes: [...entry.vocabulary.classes] };
    },
  );

  // Other images of a class, to compare with while judging whether it is in an image. Original labels only: every
  // reviewer sees an image's original label anyway, so this tells nothing of any verdict.
  app.get(
    '/projects/:projectId/classes/:classKey/images',
    {
      schema: {
        tags: ['projects'],
        description:
          "Images of the project whose original label is the class, in the project's order, a page at a time: examples to compare with while judging. Nothing of any verdict. 404 for an unknown class key.",
        params: ClassParams,
        querystring: ClassImagesQuery,
        response: { 200: ClassImagesPage, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { projectId, classKey } = request.params;
      const entry = catalog.get(projectId);
      if (!entry) throw notFound(`Project ${projectId} not found`);
      const cls = entry.vocabulary.byKey(classKey);
      if (!cls) throw notFound(`Class '${classKey}' is not in the vocabulary of project ${projectId}`);
      const { offset, limit } = request.query;
      const { total, rows } = classImages.page(projectId, cls.index, offset, limit);
      return {
        total,
        offset,
        limit,
        rows: rows.map(({ id, file }) => {
          const urls = imageUrls(projectId, id);
          return { imageId: id, file, thumbnailUrl: urls.tileUrl, previewUrl: urls.previewUrl };
        }),
      };
    },
  );

  app.patch(
    '/projects/:projectId/settings',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['projects'],
        description:
          "Changes the project's quorum and re-aggregates every judged item with it, in one transaction: agreed items may become disputed and the reverse; a lead's decision stands. Admins only.",
        params: ProjectParams,
        body: ProjectSettingsRequest,
        response: { 200: ProjectSettings, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => settings.update(request.params.projectId, request.body),
  );
};
