import type { Role, SessionUser } from '@bagel/contracts';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../db/open-database';

/** A fresh session token for the cookie: 32 random bytes. */
export const newSessionToken = () => randomBytes(32).toString('base64url');

/** The database keeps only this hash, so reading the database does not yield a usable cookie. */
export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest('hex');

export function createSessionsRepository(db: Db) {
  const insert = db.prepare<[string, number, string, number]>('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)');
  const findUser = db.prepare<[string, number], { id: number; username: string; role: Role }>(
    `SELECT u.id, u.username, u.role FROM sessions s JOIN users u ON u.id = s.user_id
     WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1`,
  );
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE token_hash = ?');
  const removeExpired = db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?');
  const removeOfUser = db.prepare<[number]>('DELETE FROM sessions WHERE user_id = ?');
  const removeOthersOfUser = db.prepare<[number, string]>('DELETE FROM sessions WHERE user_id = ? AND token_hash != ?');
  return {
    create(tokenHash: string, userId: number, now: number, ttlMs: number): void {
      insert.run(tokenHash, userId, new Date(now).toISOString(), now + ttlMs);
    },
    findUser(tokenHash: string, now: number): SessionUser | null {
      return findUser.get(tokenHash, now) ?? null;
    },
    remove(tokenHash: string): void {
      remove.run(tokenHash);
    },
    removeExpired(now: number): void {
      removeExpired.run(now);
    },
    /** Signs the user out everywhere (deactivated, or a password reset by an admin). */
    removeAllOfUser(userId: number): void {
      removeOfUser.run(userId);
    },
    /** Signs the user out everywhere but the session `keepTokenHash` (they changed their own password there). */
    removeOtherSessionsOfUser(userId: number, keepTokenHash: string): void {
      removeOthersOfUser.run(userId, keepTokenHash);
    },
  };
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
