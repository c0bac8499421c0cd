import type { SessionUser } from '@bagel/contracts';
import type { Database } from '../../db/database';
import { forbidden, notFound } from '../../plugins/errors';
import { createItemsRepository } from '../review/items.repository';
import { createDiscussionRepository, type DiscussionMessage } from './discussion.repository';

/**
 * A discussion thread per item, for the panel and the lead. Blind review holds here too: an expert reads or writes
 * the thread only once they have given their own verdict on the item (403 before), since the messages talk about
 * the other verdicts. Leads and admins always may.
 */
export function createDiscussionService(database: Database, options: { now: () => number }) {
  const items = createItemsRepository(database.queries);
  const discussion = createDiscussionRepository(database.queries);

  // Checked before the write, outside it: an item is never deleted while served and a verdict never withdrawn, so
  // what this finds cannot stop holding before the message is written.
  // An expert served the item as gold (docs/AGGREGATION.md, "Gold items") gets the thread once they have answered, as
  // any expert does once they have given their verdict. Returns whether they were.
  async function checkAccess(user: SessionUser, itemId: number): Promise<{ servedAsGold: boolean }> {
    if (!(await items.findById(itemId))) throw notFound(`Item ${itemId} not found`);
    if (user.role !== 'expert') return { servedAsGold: false };
    if (await discussion.hasVerdict(itemId, user.id)) return { servedAsGold: false };
    if (await discussion.hasGoldAnswer(itemId, user.id)) return { servedAsGold: true };
    throw forbidden(`The discussion of item ${itemId} opens to you once you have given your own verdict on it`);
  }

  return {
    async thread(user: SessionUser, itemId: number): Promise<DiscussionMessage[]> {
      const { servedAsGold } = await checkAccess(user, itemId);
      return user.role === 'expert' ? discussion.ofItemForExpert(itemId, user.id, servedAsGold) : discussion.ofItem(itemId);
    },
    async post(user: SessionUser, itemId: number, body: string): Promise<DiscussionMessage> {
      await checkAccess(user, itemId);
      const createdAt = new Date(options.now()).toISOString();
      return database.write((trx) => createDiscussionRepository(trx).add(itemId, user.id, body, createdAt));
    },
  };
}
