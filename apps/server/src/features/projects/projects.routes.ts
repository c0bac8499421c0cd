import { ErrorResponse, ProjectList, ProjectParams, ProjectSettings, ProjectSettingsRequest, VocabularyResponse } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import { notFound } from '../../plugins/errors';
import { createProjectSettingsService } from './project-settings.service';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

export const projectsRoutes: FastifyPluginAsyncZod = async (app) => {
  const projects = createProjectsRepository(app.db);
  const catalog = projectCatalog(app.db);
  const settings = createProjectSettingsService(app.db, { now: app.now });

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
