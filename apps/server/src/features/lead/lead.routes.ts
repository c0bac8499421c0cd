import { Decision, DeskItem, ErrorResponse, ItemParams, LeadDecisionRequest, LeadQueue, LeadQueueQuery, ProjectParams, ReopenRequest } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import type { ImageSources } from '../images/image-sources';
import { createLeadService } from './lead.service';

export interface LeadRoutesOptions {
  /** The projects' image sources (to tell whether an image is missing). */
  images: ImageSources;
}

// Leads decide; an admin may look at the queue and the desk but not decide.
const readers = requireRole('lead', 'admin');
const leads = requireRole('lead');

export const leadRoutes: FastifyPluginAsyncZod<LeadRoutesOptions> = async (app, options) => {
  const lead = createLeadService(app.database, { now: app.now, images: options.images });

  app.get(
    '/projects/:projectId/lead/queue',
    {
      preHandler: readers,
      schema: {
        tags: ['lead'],
        description:
          'Items of the project in the given state (disputed by default), the disputed ones first, then most divided first (divisiveness: disputes + mean entropy of the class votes, docs/AGGREGATION.md). Leads and admins.',
        params: ProjectParams,
        querystring: LeadQueueQuery,
        response: { 200: LeadQueue, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => lead.queue(request.params.projectId, request.query),
  );

  app.get(
    '/items/:itemId/desk',
    {
      preHandler: readers,
      schema: {
        tags: ['lead'],
        description:
          "Everything the lead's desk shows for one item: every current verdict, the aggregate and its disputes, the final labels, every decision, and the panel's version to decide on (basePanelVersion). A lead who opens it has seen the panel: `next` no longer hands them the item and their first verdict on it is refused (409 PANEL_SEEN). Leads and admins.",
        params: ItemParams,
        response: { 200: DeskItem, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => lead.desk(currentUser(request), request.params.itemId),
  );

  app.post(
    '/items/:itemId/decisions',
    {
      preHandler: leads,
      schema: {
        tags: ['lead'],
        description:
          'Finalizes a disputed item (kind finalize) or overrides an agreed or final one (kind override), checked like a verdict. Every decision is kept. 409 STALE_DECISION when `baseDecision` is not the number of decisions on record (with `currentDecision`), STALE_DESK when a verdict was written on the item since the desk answered `basePanelVersion` (with `currentPanelVersion`), PANEL_INCOMPLETE before the panel is complete. Leads only.',
        params: ItemParams,
        body: LeadDecisionRequest,
        response: { 201: Decision, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await lead.decide(currentUser(request), request.params.itemId, request.body)),
  );

  app.post(
    '/items/:itemId/reopen',
    {
      preHandler: leads,
      schema: {
        tags: ['lead'],
        description:
          'Puts an agreed or final item back to disputed (kept as a decision of kind reopen): its final labels are withdrawn, the experts may revise, and it stays disputed until the lead decides again. 409 STALE_DECISION or ITEM_NOT_FINAL. Leads only.',
        params: ItemParams,
        body: ReopenRequest,
        response: { 201: Decision, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await lead.reopen(currentUser(request), request.params.itemId, request.body)),
  );
};
