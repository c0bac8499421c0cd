import { passwordProblem, type CreatedUser, type CreateUserRequest, type Role, type SessionUser, type UpdateUserRequest, type UserAccount } from '@bagel/contracts';
import type { Db } from '../../db/open-database';
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
export function createUsersService(db: Db, options: { now: () => number; passwords?: PasswordHasher }) {
  const passwords = options.passwords ?? passwordHasher;
  const users = createUsersRepository(db);
  const sessions = createSessionsRepository(db);

  function accountOf(userId: number): UserAccount {
    const account = users.account(userId);
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

  const update = db.transaction((actor: SessionUser, userId: number, changes: UpdateUserRequest) => {
    // Checked in the transaction that writes: two admins demoting or deactivating each other at the same moment must
    // not both succeed, or no active admin would remain.
    const acting = users.findById(actor.id);
    if (!acting?.active || acting.role !== 'admin') throw forbidden('Your account is no longer an active admin');
    if (changes.role !== undefined) users.setRole(userId, changes.role);
    if (changes.active !== undefined) {
      users.setActive(userId, changes.active);
      if (!changes.active) sessions.removeAllOfUser(userId);
    }
  });

  const replacePassword = db.transaction((userId: number, passwordHash: string, keepSessionHash: string | null) => {
    users.setPasswordHash(userId, passwordHash);
    if (keepSessionHash === null) sessions.removeAllOfUser(userId);
    else sessions.removeOtherSessionsOfUser(userId, keepSessionHash);
  });

  return {
    list(): UserAccount[] {
      return users.accounts();
    },

    /** Adds a user; without a password in the request, one is generated and answered once. */
    async create(request: CreateUserRequest): Promise<CreatedUser> {
      const taken = () => conflict(`The user name "${request.username}" is taken (names compare without case)`, 'USERNAME_TAKEN');
      if (users.findByUsername(request.username)) throw taken();
      if (request.password !== undefined) refuseWeak('body.password', request.password, request);
      const password = request.password ?? generatePassword();
      const passwordHash = await passwords.hash(password);
      // The insert decides: another request may have taken the name while the hash was computed.
      const user = users.insert({ username: request.username, role: request.role, passwordHash, createdAt: new Date(options.now()).toISOString() });
      if (!user) throw taken();
      return { user: accountOf(user.id), password: request.password === undefined ? password : null };
    },

    /** Changes a role or (de)activates; deactivating ends the user's sessions and gives back their claims. */
    update(actor: SessionUser, userId: number, changes: UpdateUserRequest): UserAccount {
      accountOf(userId);
      notOneself(actor, userId, 'change the role or the active state of');
      update(actor, userId, changes);
      return accountOf(userId);
    },

    /** A generated password for the user, answered once; their sessions end. */
    async resetPassword(actor: SessionUser, userId: number): Promise<string> {
      accountOf(userId);
      notOneself(actor, userId, 'reset the password of (change it from the user menu)');
      const password = generatePassword();
      replacePassword(userId, await passwords.hash(password), null);
      return password;
    },

    /** The signed-in user's own password: the current one must match; their other sessions end, this one stays. */
    async changeOwnPassword(user: SessionUser, sessionHash: string, currentPassword: string, newPassword: string): Promise<void> {
      const stored = users.findById(user.id);
      if (!stored || !(await passwords.verify(currentPassword, stored.passwordHash))) {
        throw badRequest('The current password is wrong', 'WRONG_PASSWORD');
      }
      refuseWeak('body.newPassword', newPassword, stored);
      replacePassword(user.id, await passwords.hash(newPassword), sessionHash);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
