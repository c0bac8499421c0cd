import { ProjectList, ProjectParams, VocabularyResponse } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser } from '../../plugins/authentication';
import { notFound } from '../../plugins/errors';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';

export const projectsRoutes: FastifyPluginAsyncZod = async (app) => {
  const projects = createProjectsRepository(app.db);
  const catalog = projectCatalog(app.db);

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
};
