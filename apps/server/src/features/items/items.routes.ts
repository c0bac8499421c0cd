import { ErrorResponse, ItemBrowserExperts, ItemBrowserPage, ItemBrowserQuery, ProjectParams } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { requireRole } from '../../plugins/authentication';
import { createConsensusService } from '../consensus/consensus.service';
import { createItemBrowserService } from './item-browser.service';

// The browser shows every item with the panel's state, which experts must not see before judging (blind review).
const readers = requireRole('lead', 'admin');

export const itemBrowserRoutes: FastifyPluginAsyncZod = async (app) => {
  const browser = createItemBrowserService(app.database);
  // Before the first request: the filters must see every aggregated item (see migration 008).
  const consensus = createConsensusService(app.database);
  const rebuilt = await consensus.rebuildPendingFacets(new Date(app.now()).toISOString());
  if (rebuilt.length > 0) app.log.info({ projects: rebuilt }, 'item browser: facets recomputed for items aggregated before migration 007');
  // Likewise the dashboard's per-item scores written before migration 011 (unranked images then counted as misses).
  const rescored = await consensus.reaggregatePending(new Date(app.now()).toISOString());
  if (rescored.length > 0) app.log.info({ projects: rescored }, 'dashboard: projects re-aggregated to score each model on the images it ranks');

  app.get(
    '/projects/:projectId/items',
    {
      preHandler: readers,
      schema: {
        tags: ['items'],
        description: [
          'A page of the project’s items, filtered and sorted by the server. A list scrolls with `after` (the `next` of the page before: read from an index however deep); `offset` jumps (it costs what it skips).',
          '`total` is the number of matches where it is cheap, else null until asked for with `count=exact`. Filters (all given must hold):',
          '`status`; `class` (a class key): the original label or any model’s top-1 is that class;',
          '`disputeKind`: the aggregate of the item’s complete panel currently has a dispute of that kind (class, problematic, severity, category);',
          '`wrongModel` (a model name): its top-1 is a mistake, under the final labels when the item has them (agreed or final), else outside the image’s accepted labels;',
          '`severity` / `category`: the final grade of a mistake (of `wrongModel` when given, else of any model; with both, of the same mistake);',
          '`expert` (a username): items they have a current verdict on.',
          'An unknown class, model, category or expert is answered 400 UNKNOWN_FILTER_VALUE naming it; a cursor of another sort or order, or one the server did not make, 400 INVALID_CURSOR. Leads and admins.',
        ].join(' '),
        params: ProjectParams,
        querystring: ItemBrowserQuery,
        response: { 200: ItemBrowserPage, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => browser.page(request.params.projectId, request.query),
  );

  app.get(
    '/projects/:projectId/items/experts',
    {
      preHandler: readers,
      schema: {
        tags: ['items'],
        description: 'The leads and experts, with how many items of the project each has a current verdict on: the choices of the item browser’s expert filter. Leads and admins.',
        params: ProjectParams,
        response: { 200: ItemBrowserExperts, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => browser.experts(request.params.projectId),
  );
};
