import { Command } from 'commander';
import { VERSION } from '../app';
import { registerBackupCommand } from './commands/backup';
import { registerDemoCommand } from './commands/demo';
import { registerExportCommand } from './commands/export';
import { registerImportCommand } from './commands/import';
import { registerMigrateDbCommand } from './commands/migrate-db';
import { registerServeCommand } from './commands/serve';
import { registerUsersCommand } from './commands/users';

/** The `bagel` command line: import a project, manage users, serve a database, export, back up, or run the demo. */
export function createProgram(): Command {
  const program = new Command('bagel')
    .description('Bagel: expert relabeling of image-classification model mistakes')
    .version(VERSION)
    .showHelpAfterError();
  registerImportCommand(program);
  registerUsersCommand(program);
  registerServeCommand(program);
  registerDemoCommand(program);
  registerExportCommand(program);
  registerBackupCommand(program);
  registerMigrateDbCommand(program);
  return program;
}

try {
  await createProgram().parseAsync(process.argv);
} catch (error) {
  // Errors of the commands are messages for the person at the terminal (a bad manifest names its file and line).
  console.error(`bagel: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
