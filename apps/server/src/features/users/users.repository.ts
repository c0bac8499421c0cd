import type { Role, SessionUser, UserAccount } from '@bagel/contracts';
import { sql } from 'kysely';
import type { Queries } from '../../db/database';

export interface UserWithHash extends SessionUser {
  passwordHash: string;
  active: boolean;
}

interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
  active: number;
}

interface AccountRow {
  id: number;
  username: string;
  role: Role;
  active: number;
  created_at: string;
  judged_items: number;
}

const toUser = (row: UserRow): UserWithHash => ({
  id: row.id,
  username: row.username,
  role: row.role,
  passwordHash: row.password_hash,
  active: row.active === 1,
});

const toAccount = (row: AccountRow): UserAccount => ({
  id: row.id,
  username: row.username,
  role: row.role,
  active: row.active === 1,
  createdAt: row.created_at,
  judgedItems: row.judged_items,
});

/**
 * Users and their accounts. Takes the database's queries or a write's transaction: the calls that write more than
 * one row (`setRole`, `setActive`) belong in a `Database.write` job.
 */
export function createUsersRepository(db: Queries) {
  // Names compare without case on both engines (SQLite's column is COLLATE NOCASE, PostgreSQL's unique index is on
  // lower(username)); lower() is ASCII-only on SQLite, and user names are ASCII (contracts' Username).
  const byName = (username: string) => sql<boolean>`lower(username) = ${username.toLowerCase()}`;
  const userColumns = ['id', 'username', 'role', 'password_hash', 'active'] as const;
  // Items with a verdict of the user: revisions of one item count once.
  const accounts = () =>
    db
      .selectFrom('users as u')
      .select(['u.id', 'u.username', 'u.role', 'u.active', 'u.created_at'])
      .select((eb) =>
        eb
          .selectFrom('verdicts as v')
          .whereRef('v.user_id', '=', 'u.id')
          .select(sql<number>`count(DISTINCT v.item_id)`.as('n'))
          .as('judged_items'),
      );
  const releaseClaims = (id: number) => db.deleteFrom('claims').where('user_id', '=', id).execute();

  return {
    async findByUsername(username: string): Promise<UserWithHash | null> {
      const row = await db.selectFrom('users').select(userColumns).where(byName(username)).executeTakeFirst();
      return row ? toUser(row as UserRow) : null;
    },
    async findById(id: number): Promise<UserWithHash | null> {
      const row = await db.selectFrom('users').select(userColumns).where('id', '=', id).executeTakeFirst();
      return row ? toUser(row as UserRow) : null;
    },
    /** Returns null when the username is taken. */
    async insert(user: { username: string; role: Role; passwordHash: string; createdAt: string }): Promise<SessionUser | null> {
      // No conflict target: the uniqueness is COLLATE NOCASE on SQLite, an index on lower(username) on PostgreSQL.
      const row = await db
        .insertInto('users')
        .values({ username: user.username, role: user.role, password_hash: user.passwordHash, created_at: user.createdAt })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      return row ? { id: row.id, username: user.username, role: user.role } : null;
    },
    /** Every user, by name, as the admin's list shows them. */
    async accounts(): Promise<UserAccount[]> {
      // By name without case on both engines (PostgreSQL's text is in byte order).
      const rows = await accounts().orderBy(sql`lower(u.username)`).execute();
      return rows.map((row) => toAccount(row as AccountRow));
    },
    async account(id: number): Promise<UserAccount | null> {
      const row = await accounts().where('u.id', '=', id).executeTakeFirst();
      return row ? toAccount(row as AccountRow) : null;
    },
    /** An admin does not judge: the items the user had claimed go back to the queue. */
    async setRole(id: number, role: Role): Promise<void> {
      await db.updateTable('users').set({ role }).where('id', '=', id).execute();
      if (role === 'admin') await releaseClaims(id);
    },
    /** Deactivating also gives back the items the user had claimed, so the queue does not wait for them to expire. */
    async setActive(id: number, active: boolean): Promise<void> {
      await db.updateTable('users').set({ active: active ? 1 : 0 }).where('id', '=', id).execute();
      if (!active) await releaseClaims(id);
    },
    async setPasswordHash(id: number, passwordHash: string): Promise<void> {
      await db.updateTable('users').set({ password_hash: passwordHash }).where('id', '=', id).execute();
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
