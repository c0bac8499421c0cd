import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { openDatabase } from '../../db/open-database';
import { addUser, generatePassword } from '../../features/users/add-user';

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
}
