import { DiscussionMessage, DiscussionThread, ErrorResponse, ItemParams, PostMessageRequest } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { currentUser } from '../../plugins/authentication';
import { createDiscussionService } from './discussion.service';

export const discussionRoutes: FastifyPluginAsyncZod = async (app) => {
  const discussion = createDiscussionService(app.database, { now: app.now });

  app.get(
    '/items/:itemId/discussion',
    {
      schema: {
        tags: ['discussion'],
        description: "The item's thread, oldest message first. Leads and admins; an expert only once they have a verdict on the item (403 before: blind review).",
        params: ItemParams,
        response: { 200: DiscussionThread, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => ({ messages: await discussion.thread(currentUser(request), request.params.itemId) }),
  );

  app.post(
    '/items/:itemId/discussion',
    {
      schema: {
        tags: ['discussion'],
        description: 'Adds a message to the thread; who may is as for reading it.',
        params: ItemParams,
        body: PostMessageRequest,
        response: { 201: DiscussionMessage, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => reply.code(201).send(await discussion.post(currentUser(request), request.params.itemId, request.body.body)),
  );
};
