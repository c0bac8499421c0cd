import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { openDatabase } from '../../db/open-database';
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
  options: { role: string; db: string; passwordStdin?: boolean },
  stdin: Readable = process.stdin,
): Promise<string[]> {
  const output: string[] = [];
  if (!existsSync(options.db)) output.push(`Created the database ${options.db}`);
  const password = options.passwordStdin ? (await readAll(stdin)).replace(/\r?\n$/, '') : generatePassword();
  const db = openDatabase(options.db);
  try {
    const user = await addUser(db, { username, role: options.role, password });
    output.push(`Added ${user.role} "${user.username}"`);
    if (!options.passwordStdin) output.push(`Password (shown only now; pass it on safely): ${password}`);
  } finally {
    db.close();
  }
  return output;
}

/**
 * `bagel users password`: sets a user's password (from standard input with --password-stdin, else generated and
 * printed once) and ends their sessions: how an admin who forgot their password gets back in. Returns the lines to print.
 */
export async function setPasswordCommand(
  username: string,
  options: { db: string; passwordStdin?: boolean },
  stdin: Readable = process.stdin,
): Promise<string[]> {
  if (!existsSync(options.db)) throw new AddUserError(`no database at ${options.db}`);
  const password = options.passwordStdin ? (await readAll(stdin)).replace(/\r?\n$/, '') : generatePassword();
  const db = openDatabase(options.db);
  try {
    const user = await setUserPassword(db, username, password);
    const output = [`Set the password of ${user.role} "${user.username}"; their sessions have ended`];
    if (!options.passwordStdin) output.push(`Password (shown only now; pass it on safely): ${password}`);
    return output;
  } finally {
    db.close();
  }
}

/** `bagel users list`: one line per user (name, role, active or not, items judged), by name. */
export function listUsersCommand(options: { db: string }): string[] {
  if (!existsSync(options.db)) throw new AddUserError(`no database at ${options.db}`);
  const db = openDatabase(options.db);
  try {
    const accounts = createUsersRepository(db).accounts();
    const width = Math.max(4, ...accounts.map((a) => a.username.length));
    return [
      `${'name'.padEnd(width)}  role    active  judged items`,
      ...accounts.map((a) => `${a.username.padEnd(width)}  ${a.role.padEnd(6)}  ${(a.active ? 'yes' : 'no').padEnd(6)}  ${a.judgedItems}`),
    ];
  } finally {
    db.close();
  }
}

export function registerUsersCommand(program: Command): void {
  const users = program.command('users').description('manage the people who sign in');
  users
    .command('add <name>')
    .description('add a user with a role (admin, lead or expert)')
    .requiredOption('--role <role>', 'admin, lead or expert')
    .requiredOption('--db <file>', 'SQLite database')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (name: string, options: { role: string; db: string; passwordStdin?: boolean }) => {
      for (const line of await addUserCommand(name, options)) console.log(line);
    });
  users
    .command('list')
    .description('list the users with their role, whether they are active, and how many items each has judged')
    .requiredOption('--db <file>', 'SQLite database')
    .action((options: { db: string }) => {
      for (const line of listUsersCommand(options)) console.log(line);
    });
  users
    .command('password <name>')
    .description("set a user's password (generated unless --password-stdin) and end their sessions")
    .requiredOption('--db <file>', 'SQLite database')
    .option('--password-stdin', 'read the password from standard input instead of generating one')
    .action(async (name: string, options: { db: string; passwordStdin?: boolean }) => {
      for (const line of await setPasswordCommand(name, options)) console.log(line);
    });
}
