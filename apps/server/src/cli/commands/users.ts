import type { Command } from 'commander';
import type { Readable } from 'node:stream';
import { databaseOption, openCommandDatabase } from '../database-option';
import { AddUserError, addUser, generatePassword, setUserPassword } from '../../features/users/add-user';
import { createUsersRepository } from '../../features/users/users.repository';

async function readAll(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/**
 * `bagel users add`: the password comes from standard input (one line, its newline dropped) with --password-stdin,
 * else it is generated and printed once. Returns the lines to print.
 */
export async function addUserCommand(
  username: string,
  options: { role: string; db?: string; passwordStdin?: boolean },
  stdin: Readable = process.stdin,
): Promise<string[]> {
  const output: string[] = [];
  const password = options.passwordStdin ? (await readAll(stdin)).replace(/\r?\n$/, '') : generatePassword();
  const { database, created, shown } = await openCommandDatabase(options.db, { mustExist: false });
  if (created) output.push(`Created the database ${shown}`);
  try {
    const user = await addUser(database, { username, role: options.role, password });
    output.push(`Added ${user.role} "${user.username}"`);
    if (!options.passwordStdin) output.push(`Password (shown only now; pass it on safely): ${password}`);
  } finally {
    await database.close();
  }
  return output;
}

/**
 * `bagel users password`: sets a user's password (from standard input with --password-stdin, else generated and
 * printed once) and ends their sessions: how an admin who forgot their password gets back in. Returns the lines to print.
 */
export async function setPasswordCommand(
  username: string,
  options: { db?: string; passwordStdin?: boolean },
  stdin: Readable = process.stdin,
): Promise<string[]> {
  const { database } = await openCommandDatabase(options.db, { mustExist: true }).catch((error: Error) => {
    throw new AddUserError(error.message);
  });
  try {
    const password = options.passwordStdin ? (await readAll(stdin)).replace(/\r?\n$/, '') : generatePassword();
    const user = await setUserPassword(database, username, password);
    const output = [`Set the password of ${user.role} "${user.username}"; their sessions have ended`];
    if (!options.passwordStdin) output.push(`Password (shown only now; pass it on safely): ${password}`);
    return output;
  } finally {
    await database.close();
  }
}

/** `bagel users list`: one line per user (name, role, active or not, items judged), by name. */
export async function listUsersCommand(options: { db?: string }): Promise<string[]> {
  const { database } = await openCommandDatabase(options.db, { mustExist: true }).catch((error: Error) => {
    throw new AddUserError(error.message);
  });
  try {
    const accounts = await createUsersRepository(database.queries).accounts();
    const width = Math.max(4, ...accounts.map((a) => a.username.length));
    return [
      `${'name'.padEnd(width)}  role    active  judged items`,
      ...accounts.map((a) => `${a.username.padEnd(width)}  ${a.role.padEnd(6)}  ${(a.active ? 'yes' : 'no').padEnd(6)}  ${a.judgedItems}`),
    ];
  } finally {
    await database.close();
  }
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage the people who sign in');
  users
    .command('add <name>')
    .description('add a user with a role (admin, lead or expert)')
    .requiredOption('--role <role>', 'admin, lead or expert')
    .addOption(databaseOption().makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (name: string, options: { role: string; db?: string; passwordStdin?: boolean }) => {
      for (const line of await addUserCommand(name, options)) console.log(line);
    });
  users
    .command('list')
    .description('list the users with their role, whether they are active, and how many items each has judged')
    .addOption(databaseOption().makeOptionMandatory())
    .action(async (options: { db?: string }) => {
      for (const line of await listUsersCommand(options)) console.log(line);
    });
  users
    .command('password <name>')
    .description("set a user's password (generated unless --password-stdin) and end their sessions")
    .addOption(databaseOption().makeOptionMandatory())
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (name: string, options: { db?: string; passwordStdin?: boolean }) => {
      for (const line of await setPasswordCommand(name, options)) console.log(line);
    });
}
