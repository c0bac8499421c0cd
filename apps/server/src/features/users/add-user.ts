import { passwordProblem, Role, Username, type SessionUser } from '@bagel/contracts';
import { randomBytes } from 'node:crypto';
import type { Database } from '../../db/database';
import { createSessionsRepository } from '../auth/sessions.repository';
import { hashPassword } from './password';
import { createUsersRepository } from './users.repository';

export { MIN_ADMIN_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@bagel/contracts';

/** A user could not be added or changed at the command line; the message is meant for the person who typed it. */
export class AddUserError extends Error {}

/** A random password of 20 characters from a 64-symbol alphabet (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/** The contract's rules for names and passwords (the same as the API's), as command-line messages. */
function checkUsername(username: string): void {
  const result = Username.safeParse(username);
  if (!result.success) throw new AddUserError(`invalid user name "${username}": ${result.error.issues[0]?.message}`);
}
function checkPassword(password: string, user: { username: string; role: Role }): void {
  const problem = passwordProblem(password, user);
  if (problem !== null) throw new AddUserError(`invalid password: ${problem}`);
}

export interface AddUserOptions {
  now?: () => number;
  /**
   * Only for the demo's accounts, whose passwords are public anyway (`bagel-<name>`): the admin's is one character
   * short of an admin's minimum. Every other account is held to the password rules.
   */
  demoAccount?: boolean;
}

/** Adds a user with a hashed password. Throws AddUserError for a bad name, role or password, or a taken name. */
export async function addUser(database: Database, input: { username: string; role: string; password: string }, options: AddUserOptions = {}): Promise<SessionUser> {
  const now = options.now ?? Date.now;
  checkUsername(input.username);
  const role = Role.safeParse(input.role);
  if (!role.success) throw new AddUserError(`invalid role "${input.role}": expected one of ${Role.options.join(', ')}`);
  if (!options.demoAccount) checkPassword(input.password, { username: input.username, role: role.data });
  const users = createUsersRepository(database.queries);
  // Checked before hashing to fail fast; the insert itself is what guarantees uniqueness.
  if (await users.findByUsername(input.username)) throw new AddUserError(`user "${input.username}" already exists`);
  const passwordHash = await hashPassword(input.password);
  const user = await database.write((trx) =>
    createUsersRepository(trx).insert({ username: input.username, role: role.data, passwordHash, createdAt: new Date(now()).toISOString() }),
  );
  if (!user) throw new AddUserError(`user "${input.username}" already exists`);
  return user;
}

/**
 * Sets a user's password and ends their sessions: the way back in for someone who forgot theirs, the only admin
 * included. A deactivated user stays deactivated.
 */
export async function setUserPassword(database: Database, username: string, password: string): Promise<SessionUser> {
  const user = await createUsersRepository(database.queries).findByUsername(username);
  if (!user) throw new AddUserError(`no user "${username}"`);
  checkPassword(password, user);
  const passwordHash = await hashPassword(password);
  await database.write(async (trx) => {
    await createUsersRepository(trx).setPasswordHash(user.id, passwordHash);
    await createSessionsRepository(trx).removeAllOfUser(user.id);
  });
  return { id: user.id, username: user.username, role: user.role };
}
