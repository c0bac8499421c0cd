import type { DiscussionThread, Role } from '@bagel/contracts';
import type { Queries } from '../../db/database';

export type DiscussionMessage = DiscussionThread['messages'][number];

interface MessageRow {
  id: number;
  username: string;
  role: string;
  body: string;
  created_at: string;
}

const toMessage = (row: MessageRow): DiscussionMessage => ({ id: row.id, author: row.username, role: row.role as Role, body: row.body, createdAt: row.created_at });

/** An item's discussion thread: messages are only ever added. */
export function createDiscussionRepository(db: Queries) {
  const messages = () =>
    db.selectFrom('discussion_messages as m').innerJoin('users as u', 'u.id', 'm.user_id').select(['m.id', 'u.username', 'u.role', 'm.body', 'm.created_at']);

  return {
    async ofItem(itemId: number): Promise<DiscussionMessage[]> {
      const rows = await messages().where('m.item_id', '=', itemId).orderBy('m.id').execute();
      return rows.map(toMessage);
    },
    /**
     * The thread as one expert reads it, gold kept out of sight both ways: an expert served the item as gold reads
     * their own messages only (the panel's thread would tell them the item was judged before); another expert reads
     * everything but the messages of experts served it as gold (which would tell the panel the item is gold).
     */
    async ofItemForExpert(itemId: number, userId: number, servedAsGold: boolean): Promise<DiscussionMessage[]> {
      let query = messages().where('m.item_id', '=', itemId);
      query = servedAsGold
        ? query.where('m.user_id', '=', userId)
        : query.where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('gold_probes as p').select('p.item_id').whereRef('p.item_id', '=', 'm.item_id').whereRef('p.user_id', '=', 'm.user_id'))),
          );
      return (await query.orderBy('m.id').execute()).map(toMessage);
    },
    /** Adds a message and returns it as the thread shows it. In a write. */
    async add(itemId: number, userId: number, body: string, createdAt: string): Promise<DiscussionMessage> {
      const { id } = await db.insertInto('discussion_messages').values({ item_id: itemId, user_id: userId, body, created_at: createdAt }).returning('id').executeTakeFirstOrThrow();
      return toMessage(await messages().where('m.id', '=', id).executeTakeFirstOrThrow());
    },
    /** Whether the user has given a verdict on the item (any revision). */
    async hasVerdict(itemId: number, userId: number): Promise<boolean> {
      const row = await db.selectFrom('verdicts').select('item_id').where('item_id', '=', itemId).where('user_id', '=', userId).limit(1).executeTakeFirst();
      return row !== undefined;
    },
    /** Whether the user was served the item as gold and has answered it (any revision). */
    async hasGoldAnswer(itemId: number, userId: number): Promise<boolean> {
      const row = await db.selectFrom('gold_probe_answers').select('item_id').where('item_id', '=', itemId).where('user_id', '=', userId).limit(1).executeTakeFirst();
      return row !== undefined;
    },
  };
}
