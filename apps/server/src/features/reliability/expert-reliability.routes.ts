import { ErrorResponse, ExpertReliabilityParams, ExpertReliabilityQuery, ExpertReliabilityReport } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireRole } from '../../plugins/authentication';
import { createExpertReliabilityService } from './expert-reliability.service';

export const expertReliabilityRoutes: FastifyPluginAsyncZod = async (app) => {
  const reliability = createExpertReliabilityService(app.database, { now: app.now });

  app.get(
    '/projects/:projectId/expert-reliability',
    {
      // Leads and admins only: an expert never sees another expert's figures (blind review).
      preHandler: requireRole('lead', 'admin'),
      schema: {
        tags: ['dashboard'],
        description:
          'Each expert’s reliability against a reference (`final`: the final labels; `gold`: gold items, none yet): sensitivity, specificity and unclear rate of their class judgements, agreement of their problematic flags and of their severities, each with its counts and 95% Wilson interval; per class where they judged it present at least `minPresentPerClass` times. Over each expert’s blind verdict. Computed on request over the whole project (not on every dashboard poll). Leads and admins.',
        params: ExpertReliabilityParams,
        querystring: ExpertReliabilityQuery,
        response: { 200: ExpertReliabilityReport, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => reliability.report(request.params.projectId, request.query.reference),
  );
};
