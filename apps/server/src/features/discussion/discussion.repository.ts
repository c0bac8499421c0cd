import type { DiscussionThread, Role } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

export type DiscussionMessage = DiscussionThread['messages'][number];

interface MessageRow {
  id: number;
  username: string;
  role: Role;
  body: string;
  created_at: string;
}

const toMessage = (row: MessageRow): DiscussionMessage => ({ id: row.id, author: row.username, role: row.role, body: row.body, createdAt: row.created_at });

/** An item's discussion thread: messages are only ever added. */
export function createDiscussionRepository(db: Db) {
  const ofItem = db.prepare<[number], MessageRow>(
    `SELECT m.id, u.username, u.role, m.body, m.created_at
     FROM discussion_messages m JOIN users u ON u.id = m.user_id WHERE m.item_id = ? ORDER BY m.id`,
  );
  const byId = db.prepare<[number], MessageRow>(
    'SELECT m.id, u.username, u.role, m.body, m.created_at FROM discussion_messages m JOIN users u ON u.id = m.user_id WHERE m.id = ?',
  );
  const insert = db.prepare<[number, number, string, string]>('INSERT INTO discussion_messages (item_id, user_id, body, created_at) VALUES (?, ?, ?, ?)');
  const hasVerdict = db.prepare<[number, number], { found: number }>('SELECT 1 AS found FROM verdicts WHERE item_id = ? AND user_id = ? LIMIT 1');

  return {
    ofItem(itemId: number): DiscussionMessage[] {
      return ofItem.all(itemId).map(toMessage);
    },
    add(itemId: number, userId: number, body: string, createdAt: string): DiscussionMessage {
      const id = Number(insert.run(itemId, userId, body, createdAt).lastInsertRowid);
      return toMessage(byId.get(id)!);
    },
    /** Whether the user has given a verdict on the item (any revision). */
    hasVerdict(itemId: number, userId: number): boolean {
      return hasVerdict.get(itemId, userId) !== undefined;
    },
  };
}
