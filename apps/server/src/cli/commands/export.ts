import { ExportFormat } from '@bagel/contracts';
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { openDatabase } from '../../db/open-database';
import { inReadTransaction, prepareExport } from '../../features/exports/build-export';
import { writePiecesAtomically } from '../../features/exports/write-file-atomically';
import type { ProgressListener } from '../../lib/step-progress';
import { syncProjectCatalog } from '../../features/projects/project-catalog';
import { progressOption, progressReporterFor, type ProgressChoice } from '../progress';

export interface ExportCommandOptions {
  db: string;
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
 * from one read transaction (a consistent snapshot even while a server writes to the database), so the largest
 * project's archive fits in memory. Returns the line to print.
 */
export function exportCommand(options: ExportCommandOptions): string {
  if (!existsSync(options.db)) throw new Error(`database ${options.db} does not exist`);
  const folder = dirname(options.out);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) throw new Error(`folder ${folder} (of --out) does not exist`);
  const db = openDatabase(options.db);
  try {
    const entry = syncProjectCatalog(db).findByReference(options.project);
    if (!entry) throw new Error(`no project "${options.project}" in ${options.db} (give its name or its id)`);
    const { project } = entry;
    const prepared = prepareExport(db, entry, options.format, { model: options.model, onlyReviewed: options.onlyReviewed, now: options.now ?? Date.now(), onProgress: options.onProgress });
    const summary = writePiecesAtomically(options.out, inReadTransaction(db, prepared.pieces()), options.onProgress);
    return `Wrote ${options.format} of project "${project.name}" to ${options.out}: ${summary}`;
  } finally {
    db.close();
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
    .requiredOption('--db <file>', 'SQLite database')
    .requiredOption('--project <id|name>', 'the project, by name or id')
    .addOption(new Option('--format <format>', 'what to write').choices(ExportFormat.options).makeOptionMandatory())
    .option('--model <name>', 'the model whose mistakes to write (the mistakes format)')
    .option('--only-reviewed', 'human-accuracy-v3: only the images judged or with prior labels (default: every image of the project)')
    .requiredOption('--out <file>', 'the file to write (replaced atomically)')
    .addOption(progressOption())
    .showHelpAfterError(false)
    .action(({ progress: choice, ...options }: Omit<ExportCommandOptions, 'onProgress'> & { progress: ProgressChoice }, command: Command) => {
      const output = command.configureOutput();
      const writeOut = output.writeOut ?? ((text: string) => process.stdout.write(text));
      const writeErr = output.writeErr ?? ((text: string) => process.stderr.write(text));
      const progress = progressReporterFor(choice, writeErr);
      let line: string;
      try {
        line = exportCommand({ ...options, onProgress: progress.report });
      } finally {
        // Clears a bar left drawn before an error is printed.
        progress.finish();
      }
      writeOut(`${line}\n`);
    });
}
