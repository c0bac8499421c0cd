import { ErrorResponse, MajorSlice, MajorSliceQuery, ModelEvidenceEffectReport, ProjectDashboard, ProjectParams } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { slicedTextStream } from '../../lib/sliced-stream';
import { requireRole } from '../../plugins/authentication';
import { createDashboardService } from './dashboard.service';
import { createModelEvidenceEffect } from './model-evidence-effect';

const readers = requireRole('lead', 'admin');

export const dashboardRoutes: FastifyPluginAsyncZod = async (app) => {
  const dashboard = createDashboardService(app.database, { now: app.now });
  const modelEvidenceEffect = createModelEvidenceEffect(app.database);

  app.get(
    '/projects/:projectId/model-evidence-effect',
    {
      preHandler: readers,
      schema: {
        tags: ['dashboard'],
        description:
          "What showing the models does to the panel (anchoring), from the experts' first verdicts stored while `modelEvidence` was `experiment` (the condition drawn at random per item and expert): per model, how often its top-1 was judged correct with the models shown and hidden, and how often that judgement matches the final labels, each with n and a 95% Wilson interval, the difference with Newcombe's interval and a plain reading. With the models hidden, the judgements are those sent when the expert asked for the models. Computed on request, a step at a time between other requests. Leads and admins.",
        params: ProjectParams,
        response: { 200: ModelEvidenceEffectReport, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => modelEvidenceEffect(request.params.projectId),
  );

  app.get(
    '/projects/:projectId/dashboard',
    {
      preHandler: readers,
      schema: {
        tags: ['dashboard'],
        description:
          'Progress, agreement (Fleiss’ kappa, Krippendorff’s alpha, Gwet’s AC1, each expert against the final labels), mistakes by category and severity, the scoreboard before and after the final labels, and the size of the Major slice; current to the last verdict. Leads and admins.',
        params: ProjectParams,
        response: { 200: ProjectDashboard, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => dashboard.dashboard(request.params.projectId),
  );

  app.get(
    '/projects/:projectId/major-slice',
    {
      preHandler: readers,
      schema: {
        tags: ['dashboard'],
        description:
          'The images on which every chosen model’s top-1 is a Major mistake under the final labels (the construction of ImageNet-M), in project order; problematic images are left out. Leads and admins.',
        params: ProjectParams,
        querystring: MajorSliceQuery,
        response: { 200: MajorSlice, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      // Streamed in short slices (a large project's slice holds thousands of images), each image checked against the
      // contract's schema as it is written; Fastify pipes a stream as it is, so the schema here documents the body.
      const pieces = await dashboard.majorSlicePieces(request.params.projectId, request.query.models);
      return reply.header('Content-Type', 'application/json; charset=utf-8').send(slicedTextStream(pieces) as unknown as MajorSlice);
    },
  );
};
