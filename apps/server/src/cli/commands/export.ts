import { ExportFormat } from '@bagel/contracts';
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectDatabase } from '../../db/database';
import { exportPieces, prepareExport } from '../../features/exports/build-export';
import { writePiecesAtomically } from '../../features/exports/write-file-atomically';
import type { ProgressListener } from '../../lib/step-progress';
import { projectCatalog } from '../../features/projects/project-catalog';
import { createProjectsRepository } from '../../features/projects/projects.repository';
import { databaseLocationOption, databaseOption } from '../database-option';
import { progressOption, progressReporterFor, type ProgressChoice } from '../progress';

export interface ExportCommandOptions {
  /** A SQLite file or a postgres:// URL. */
  db?: string;
  project: string;
  format: ExportFormat;
  model?: string;
  /** human-accuracy-v3: only the images judged or with prior labels (default: every image). */
  onlyReviewed?: boolean;
  out: string;
  /** Clock in unix ms (the archive's `exportedAt`); tests fix it. */
  now?: number;
  /** Hears the steps: `reading results`, `writing <format>`, `writing file` (see `prepareExport`). */
  onProgress?: ProgressListener;
}

/**
 * `bagel export`: writes one export of a project's current results to a file, atomically (a temporary file beside
 * it, then a rename), so a failed export never leaves a half file. The text is written piece by piece as it is made,
 * from one snapshot of the database (a consistent whole even while a server writes to it), so the largest project's
 * archive fits in memory. Returns the line to print.
 */
export async function exportCommand(options: ExportCommandOptions): Promise<string> {
  const location = databaseLocationOption(options.db);
  if (location.engine === 'sqlite' && !existsSync(location.file)) throw new Error(`database ${options.db} does not exist`);
  const folder = dirname(options.out);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`folder ${folder} (of --out) does not exist`);
  const database = await connectDatabase(location);
  try {
    const project = await createProjectsRepository(database.queries).findByReference(options.project);
    if (!project) throw new Error(`no project "${options.project}" in ${options.db} (give its name or its id)`);
    const entry = (await projectCatalog(database).get(project.id))!;
    const prepared = prepareExport(entry, options.format, { model: options.model, onlyReviewed: options.onlyReviewed, now: options.now ?? Date.now(), onProgress: options.onProgress });
    const summary = await writePiecesAtomically(options.out, exportPieces(database, prepared), options.onProgress);
    return `Wrote ${options.format} of project "${project.name}" to ${options.out}: ${summary}`;
  } finally {
    await database.close();
  }
}

/**
 * Progress goes to stderr like the import's: a bar with rows per second on a terminal, plain lines otherwise
 * (`--progress` chooses); the line saying what was written goes to stdout.
 */
export function registerExportCommand(program: Command): void {
  program
    .command('export')
    .description("export a project's current results: the multi-label JSON, one model's mistakes, ReaL labels, the full archive or a CSV; see docs/FORMATS.md")
    .addOption(databaseOption())
    .requiredOption('--project <id|name>', 'the project, by name or id')
    .addOption(new Option('--format <format>', 'what to write').choices(ExportFormat.options).makeOptionMandatory())
    .option('--model <name>', 'the model whose mistakes to write (the mistakes format)')
    .option('--only-reviewed', 'human-accuracy-v3: only the images judged or with prior labels (default: every image of the project)')
    .requiredOption('--out <file>', 'the file to write (replaced atomically)')
    .addOption(progressOption())
    .showHelpAfterError(false)
    .action(async ({ progress: choice, ...options }: Omit<ExportCommandOptions, 'onProgress'> & { progress: ProgressChoice }, command: Command) => {
      const output = command.configureOutput();
      const writeOut = output.writeOut ?? ((text: string) => process.stdout.write(text));
      const writeErr = output.writeErr ?? ((text: string) => process.stderr.write(text));
      const progress = progressReporterFor(choice, writeErr);
      let line: string;
      try {
        line = await exportCommand({ ...options, onProgress: progress.report });
      } finally {
        // Clears a bar left drawn before an error is printed.
        progress.finish();
      }
      writeOut(`${line}\n`);
    });
}
