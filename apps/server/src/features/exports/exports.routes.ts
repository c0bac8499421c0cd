import { ErrorResponse, ExportParams, ExportQuery } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../../plugins/authentication';
import { notFound } from '../../plugins/errors';
import { projectCatalog } from '../projects/project-catalog';
import { buildExport } from './build-export';

export const exportsRoutes: FastifyPluginAsyncZod = async (app) => {
  const catalog = projectCatalog(app.db);

  app.get(
    '/projects/:projectId/exports/:format',
    {
      preHandler: requireRole('lead', 'admin'),
      schema: {
        tags: ['exports'],
        description:
          'Downloads the project’s current results as a file (Content-Disposition: attachment): human-accuracy-v3 (every image of the project; `onlyReviewed=true` for the images judged or with prior labels), mistakes (one model: `model`), real, bagel (the full archive) or csv; the formats are in docs/FORMATS.md. Leads and admins.',
        params: ExportParams,
        querystring: ExportQuery,
        // The body is the file itself: Fastify sends a string body as it is, so the schema only documents it.
        response: { 200: z.string().describe('The file'), 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const entry = catalog.get(request.params.projectId);
      if (!entry) throw notFound(`Project ${request.params.projectId} not found`);
      const built = buildExport(app.db, entry, request.params.format, { model: request.query.model, onlyReviewed: request.query.onlyReviewed === 'true', now: app.now() });
      return reply
        .header('Content-Type', built.contentType)
        .header('Content-Disposition', `attachment; filename="${built.fileName}"`)
        .header('Cache-Control', 'no-store')
        .send(built.text);
    },
  );
};

