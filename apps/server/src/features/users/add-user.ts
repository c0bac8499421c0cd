import { Role, type SessionUser } from '@bagel/contracts';
import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/open-database';
import { hashPassword } from './password';
import { createUsersRepository } from './users.repository';

/** A user could not be added; the message is meant for the person at the command line. */
export class AddUserError extends Error {}

const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;
export const MIN_PASSWORD_LENGTH = 8;

/** A random password of 20 characters from a 64-symbol alphabet (120 bits). */
export function generatePassword(): string {
  return randomBytes(15).toString('base64url');
}

/** Adds a user with a hashed password. Throws AddUserError for a bad name, role or password, or a taken name. */
export async function addUser(db: Db, input: { username: string; role: string; password: string }, now: () => number = Date.now): Promise<SessionUser> {
  if (!USERNAME.test(input.username)) {
    throw new AddUserError(`invalid user name "${input.username}": use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit`);
  }
  const role = Role.safeParse(input.role);
  if (!role.success) throw new AddUserError(`invalid role "${input.role}": expected one of ${Role.options.join(', ')}`);
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw new AddUserError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  const users = createUsersRepository(db);
  // Checked before hashing to fail fast; the insert itself is what guarantees uniqueness.
  if (users.findByUsername(input.username)) throw new AddUserError(`user "${input.username}" already exists`);
  const passwordHash = await hashPassword(input.password);
  const user = users.insert({ username: input.username, role: role.data, passwordHash, createdAt: new Date(now()).toISOString() });
  if (!user) throw new AddUserError(`user "${input.username}" already exists`);
  return user;
}
