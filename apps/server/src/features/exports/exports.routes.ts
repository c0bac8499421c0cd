import { ErrorResponse, ExportParams, ExportQuery } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireRole } from '../../plugins/authentication';
import { notFound } from '../../plugins/errors';
import { projectCatalog } from '../projects/project-catalog';
import { prepareExport } from './build-export';
import { exportStream } from './stream-export';

export const exportsRoutes: FastifyPluginAsyncZod = async (app) => {
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
        // The body is the file itself, streamed: the schema only documents it.
        response: { 200: z.string().describe('The file'), 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const entry = await projectCatalog(app.database).get(request.params.projectId);
      if (!entry) throw notFound(`Project ${request.params.projectId} not found`);
      const prepared = prepareExport(entry, request.params.format, { model: request.query.model, onlyReviewed: request.query.onlyReviewed === 'true', now: app.now() });
      // Read on one snapshot: the file is the project as it was when the download began, made as the client reads it
      // (backpressure) and in short slices between other requests.
      return reply
        .header('Content-Type', prepared.contentType)
        .header('Content-Disposition', `attachment; filename="${prepared.fileName}"`)
        .header('Cache-Control', 'no-store')
        // Fastify pipes a stream as it is (no serialization); the 200 schema types the body as the text it carries.
        .send(exportStream(app.database, prepared) as unknown as string);
    },
  );
};

