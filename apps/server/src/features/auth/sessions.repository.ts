import type { Role, SessionUser } from '@bagel/contracts';
import { createHash, randomBytes } from 'node:crypto';
import type { Queries } from '../../db/database';

/** A fresh session token for the cookie: 32 random bytes. */
export const newSessionToken = () => randomBytes(32).toString('base64url');

/** The database keeps only this hash, so reading the database does not yield a usable cookie. */
export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest('hex');

/** Sessions by the hash of their token. Every instance reads them from the database, so a session made on one works on all, and a sign-out on one ends it everywhere. */
export function createSessionsRepository(db: Queries) {
  return {
    async create(tokenHash: string, userId: number, now: number, ttlMs: number): Promise<void> {
      await db.insertInto('sessions').values({ token_hash: tokenHash, user_id: userId, created_at: new Date(now).toISOString(), expires_at: now + ttlMs }).execute();
    },
    async findUser(tokenHash: string, now: number): Promise<SessionUser | null> {
      const row = await db
        .selectFrom('sessions as s')
        .innerJoin('users as u', 'u.id', 's.user_id')
        .select(['u.id', 'u.username', 'u.role'])
        .where('s.token_hash', '=', tokenHash)
        .where('s.expires_at', '>', now)
        .where('u.active', '=', 1)
        .executeTakeFirst();
      return row ? { id: row.id, username: row.username, role: row.role as Role } : null;
    },
    async remove(tokenHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
    },
    async removeExpired(now: number): Promise<void> {
      await db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
    },
    /** Signs the user out everywhere (deactivated, or a password reset by an admin). */
    async removeAllOfUser(userId: number): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
    },
    /** Signs the user out everywhere but the session `keepTokenHash` (they changed their own password there). */
    async removeOtherSessionsOfUser(userId: number, keepTokenHash: string): Promise<void> {
      await db.deleteFrom('sessions').where('user_id', '=', userId).where('token_hash', '!=', keepTokenHash).execute();
    },
  };
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
