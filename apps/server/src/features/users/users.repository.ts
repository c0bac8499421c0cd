import type { Role, SessionUser } from '@bagel/contracts';
import type { Db } from '../../db/open-database';

export interface UserWithHash extends SessionUser {
  passwordHash: string;
}

interface UserRow {
  id: number;
  username: string;
  role: Role;
  password_hash: string;
}

const toUser = (row: UserRow): UserWithHash => ({ id: row.id, username: row.username, role: row.role, passwordHash: row.password_hash });

export function createUsersRepository(db: Db) {
  const byUsername = db.prepare<[string], UserRow>('SELECT id, username, role, password_hash FROM users WHERE username = ?');
  const insert = db.prepare<[string, Role, string, string]>(
    'INSERT INTO users (username, role, password_hash, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (username) DO NOTHING',
  );
  return {
    /** Usernames compare case-insensitively (the column is COLLATE NOCASE). */
    findByUsername(username: string): UserWithHash | null {
      const row = byUsername.get(username);
      return row ? toUser(row) : null;
    },
    /** Returns null when the username is taken. */
    insert(user: { username: string; role: Role; passwordHash: string; createdAt: string }): SessionUser | null {
      const result = insert.run(user.username, user.role, user.passwordHash, user.createdAt);
      if (result.changes === 0) return null;
      return { id: Number(result.lastInsertRowid), username: user.username, role: user.role };
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
