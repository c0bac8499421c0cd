import type { Role, SessionUser, UserAccount } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

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

export function createUsersRepository(db: Db) {
  const columns = 'id, username, role, password_hash, active';
  const byUsername = db.prepare<[string], UserRow>(`SELECT ${columns} FROM users WHERE username = ?`);
  const byId = db.prepare<[number], UserRow>(`SELECT ${columns} FROM users WHERE id = ?`);
  const insert = db.prepare<[string, Role, string, string]>(
    'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING',
  );
  // Items with a verdict of the user: revisions of one item count once.
  const accountSelect = `SELECT u.id, u.username, u.role, u.active, u.created_at,
      (SELECT count(DISTINCT v.item_id) FROM verdicts v WHERE v.user_id = u.id) AS judged_items
    FROM users u`;
  const accounts = db.prepare<[], AccountRow>(`${accountSelect} ORDER BY u.username`);
  const account = db.prepare<[number], AccountRow>(`${accountSelect} WHERE u.id = ?`);
  const updateRole = db.prepare<[Role, number]>('UPDATE users SET role = ? WHERE id = ?');
  const updateActive = db.prepare<[number, number]>('UPDATE users SET active = ? WHERE id = ?');
  const updatePasswordHash = db.prepare<[string, number]>('UPDATE users SET password_hash = ? WHERE id = ?');
  const releaseClaims = db.prepare<[number]>('DELETE FROM claims WHERE user_id = ?');

  return {
    /** Usernames compare case-insensitively (the column is COLLATE NOCASE). */
    findByUsername(username: string): UserWithHash | null {
      const row = byUsername.get(username);
      return row ? toUser(row) : null;
    },
    findById(id: number): UserWithHash | null {
      const row = byId.get(id);
      return row ? toUser(row) : null;
    },
    /** Returns null when the username is taken. */
    insert(user: { username: string; role: Role; passwordHash: string; createdAt: string }): SessionUser | null {
      const result = insert.run(user.username, user.role, user.passwordHash, user.createdAt);
      if (result.changes === 0) return null;
      return { id: Number(result.lastInsertRowid), username: user.username, role: user.role };
    },
    /** Every user, by name, as the admin's list shows them. */
    accounts(): UserAccount[] {
      return accounts.all().map(toAccount);
    },
    account(id: number): UserAccount | null {
      const row = account.get(id);
      return row ? toAccount(row) : null;
    },
    /** An admin does not judge: the items the user had claimed go back to the queue. */
    setRole(id: number, role: Role): void {
      updateRole.run(role, id);
      if (role === 'admin') releaseClaims.run(id);
    },
    /** Deactivating also gives back the items the user had claimed, so the queue does not wait for them to expire. */
    setActive(id: number, active: boolean): void {
      updateActive.run(active ? 1 : 0, id);
      if (!active) releaseClaims.run(id);
    },
    setPasswordHash(id: number, passwordHash: string): void {
      updatePasswordHash.run(passwordHash, id);
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
