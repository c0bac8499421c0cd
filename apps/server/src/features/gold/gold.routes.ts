import { ErrorResponse, GoldMark, ItemParams } from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { lockRows } from '../../db/dialect';
import { currentUser, requireRole } from '../../plugins/authentication';
import { conflict, notFound } from '../../plugins/errors';
import { createGoldRepository } from './gold.repository';

// Gold is the lead's to set: its answer is a final one, which the lead owns.
const leads = requireRole('lead');

export const goldRoutes: FastifyPluginAsyncZod = async (app) => {
  const database = app.database;

  app.post(
    '/items/:itemId/gold',
    {
      preHandler: leads,
      schema: {
        tags: ['lead'],
        description:
          "Marks a final item gold: its final labels now are the answer that experts it is served to are measured against (docs/AGGREGATION.md, \"Gold items\"). The review queue then mixes it into the streams of experts who did not judge it in its panel, at the project's goldRate, once per expert; nothing an expert is served says it is gold. Marking an item that is gold already changes nothing. 409 NOT_FINAL for an item that is not agreed or final. Leads only.",
        params: ItemParams,
        body: z.object({}).strict().optional(),
        response: { 200: GoldMark, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => {
      const { itemId } = request.params;
      const user = currentUser(request);
      const markedAt = new Date(app.now()).toISOString();
      await database.write(async (trx) => {
        // The item's row first, as a decision locks it: its final labels cannot move between the read and the mark.
        await lockRows(trx, 'items', [itemId]);
        const row = await trx
          .selectFrom('items as i')
          .leftJoin('item_consensus as c', 'c.item_id', 'i.id')
          .select(['i.project_id', 'i.status', 'c.final'])
          .where('i.id', '=', itemId)
          .executeTakeFirst();
        if (!row) throw notFound(`Item ${itemId} not found`);
        if ((row.status !== 'agreed' && row.status !== 'final') || row.final === null) {
          throw conflict(`Item ${itemId} is ${row.status}: only an item with final labels (agreed or decided) can be gold`, 'NOT_FINAL');
        }
        await createGoldRepository(trx).mark(itemId, row.project_id, row.final, user.id, markedAt);
      });
      return (await createGoldRepository(database.queries).goldOf(itemId))!;
    },
  );

  app.delete(
    '/items/:itemId/gold',
    {
      preHandler: leads,
      schema: {
        tags: ['lead'],
        description:
          'Takes the gold mark off an item: it is served as gold no more, and the answers given to it no longer count in the reliability against gold (they are kept). Leads only.',
        params: ItemParams,
        response: { 204: z.undefined().describe('Not gold (any more)'), 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const { itemId } = request.params;
      const exists = await database.queries.selectFrom('items').select('id').where('id', '=', itemId).executeTakeFirst();
      if (!exists) throw notFound(`Item ${itemId} not found`);
      await database.write((trx) => createGoldRepository(trx).unmark(itemId));
      return reply.code(204).send();
    },
  );
};
