import type { SessionUser } from '@bagel/contracts';
import type { Db } from '../../db/open-database';
import { forbidden, notFound } from '../../plugins/errors';
import { createItemsRepository } from '../review/items.repository';
import { createDiscussionRepository, type DiscussionMessage } from './discussion.repository';

/**
 * A discussion thread per item, for the panel and the lead. Blind review holds here too: an expert reads or writes
 * the thread only once they have given their own verdict on the item (403 before), since the messages talk about
 * the other verdicts. Leads and admins always may.
 */
export function createDiscussionService(db: Db, options: { now: () => number }) {
  const items = createItemsRepository(db);
  const discussion = createDiscussionRepository(db);

  function checkAccess(user: SessionUser, itemId: number): void {
    if (!items.findById(itemId)) throw notFound(`Item ${itemId} not found`);
    if (user.role === 'expert' && !discussion.hasVerdict(itemId, user.id)) {
      throw forbidden(`The discussion of item ${itemId} opens to you once you have given your own verdict on it`);
    }
  }

  return {
    thread(user: SessionUser, itemId: number): DiscussionMessage[] {
      checkAccess(user, itemId);
      return discussion.ofItem(itemId);
    },
    post(user: SessionUser, itemId: number, body: string): DiscussionMessage {
      checkAccess(user, itemId);
      return discussion.add(itemId, user.id, body, new Date(options.now()).toISOString());
    },
  };
}
