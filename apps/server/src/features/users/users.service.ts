import { passwordProblem, type CreatedUser, type CreateUserRequest, type Role, type SessionUser, type UpdateUserRequest, type UserAccount } from '@bagel/contracts';
import type { Database } from '../../db/database';
import { lockRows } from '../../db/dialect';
import { badRequest, conflict, forbidden, notFound } from '../../plugins/errors';
import { createSessionsRepository } from '../auth/sessions.repository';
import { generatePassword } from './add-user';
import { passwordHasher, type PasswordHasher } from './password';
import { createUsersRepository } from './users.repository';

/**
 * The accounts, as an admin manages them in the browser, and a user's own password. Roles are checked by the
 * routes. Nobody changes their own role, deactivates themselves or resets their own password here: the admin
 * acting is always left an active admin, so the tool always has one.
 */
export function createUsersService(database: Database, options: { now: () => number; passwords?: PasswordHasher }) {
  const passwords = options.passwords ?? passwordHasher;
  const users = createUsersRepository(database.queries);

  async function accountOf(userId: number): Promise<UserAccount> {
    const account = await users.account(userId);
    if (!account) throw notFound(`User ${userId} not found`);
    return account;
  }

  /** 400 WEAK_PASSWORD unless the password keeps the rules (packages/contracts, passwordProblem) for this user. */
  function refuseWeak(field: string, password: string, user: { username: string; role: Role }): void {
    const problem = passwordProblem(password, user);
    if (problem !== null) throw badRequest(`${field}: ${problem}`, 'WEAK_PASSWORD');
  }

  function notOneself(actor: SessionUser, userId: number, what: string): void {
    if (actor.id === userId) throw conflict(`You cannot ${what} your own account; another admin can`, 'OWN_ACCOUNT');
  }

  function update(actor: SessionUser, userId: number, changes: UpdateUserRequest): Promise<void> {
    return database.write(async (trx) => {
      const users = createUsersRepository(trx);
      // Checked in the transaction that writes, the acting admin's row locked: two admins demoting or deactivating
      // each other at the same moment must not both succeed, or no active admin would remain.
      await lockRows(trx, 'users', [actor.id, userId]);
      const acting = await users.findById(actor.id);
      if (!acting?.active || acting.role !== 'admin') throw forbidden('Your account is no longer an active admin');
      if (changes.role !== undefined) await users.setRole(userId, changes.role);
      if (changes.active !== undefined) {
        await users.setActive(userId, changes.active);
        if (!changes.active) await createSessionsRepository(trx).removeAllOfUser(userId);
      }
    });
  }

  function replacePassword(userId: number, passwordHash: string, keepSessionHash: string | null): Promise<void> {
    return database.write(async (trx) => {
      await createUsersRepository(trx).setPasswordHash(userId, passwordHash);
      const sessions = createSessionsRepository(trx);
      if (keepSessionHash === null) await sessions.removeAllOfUser(userId);
      else await sessions.removeOtherSessionsOfUser(userId, keepSessionHash);
    });
  }

  return {
    list(): Promise<UserAccount[]> {
      return users.accounts();
    },

    /** Adds a user; without a password in the request, one is generated and answered once. */
    async create(request: CreateUserRequest): Promise<CreatedUser> {
      const taken = () => conflict(`The user name "${request.username}" is taken (names compare without case)`, 'USERNAME_TAKEN');
      if (await users.findByUsername(request.username)) throw taken();
      if (request.password !== undefined) refuseWeak('body.password', request.password, request);
      const password = request.password ?? generatePassword();
      const passwordHash = await passwords.hash(password);
      // The insert decides: another request may have taken the name while the hash was computed.
      const user = await database.write((trx) => createUsersRepository(trx).insert({ username: request.username, role: request.role, passwordHash, createdAt: new Date(options.now()).toISOString() }));
      if (!user) throw taken();
      return { user: await accountOf(user.id), password: request.password === undefined ? password : null };
    },

    /** Changes a role or (de)activates; deactivating ends the user's sessions and gives back their claims. */
    async update(actor: SessionUser, userId: number, changes: UpdateUserRequest): Promise<UserAccount> {
      await accountOf(userId);
      notOneself(actor, userId, 'change the role or the active state of');
      await update(actor, userId, changes);
      return accountOf(userId);
    },

    /** A generated password for the user, answered once; their sessions end. */
    async resetPassword(actor: SessionUser, userId: number): Promise<string> {
      await accountOf(userId);
      notOneself(actor, userId, 'reset the password of (change it from the user menu)');
      const password = generatePassword();
      await replacePassword(userId, await passwords.hash(password), null);
      return password;
    },

    /** The signed-in user's own password: the current one must match; their other sessions end, this one stays. */
    async changeOwnPassword(user: SessionUser, sessionHash: string, currentPassword: string, newPassword: string): Promise<void> {
      const stored = await users.findById(user.id);
      if (!stored || !(await passwords.verify(currentPassword, stored.passwordHash))) {
        throw badRequest('The current password is wrong', 'WRONG_PASSWORD');
      }
      refuseWeak('body.newPassword', newPassword, stored);
      await replacePassword(user.id, await passwords.hash(newPassword), sessionHash);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
