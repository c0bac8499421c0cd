import type { Command } from 'commander';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { connectDatabase } from '../../db/database';
import { describeDatabaseLocation } from '../../db/database-location';
import { ImportError, importManifest, type ImportResult } from '../../features/import/import-manifest';
import { databaseLocationOption, databaseOption } from '../database-option';
import { progressOption, progressReporterFor, type ProgressChoice } from '../progress';

/** Missing images listed one per line; beyond this many the summary gives the count (a wrong folder misses them all). */
const MISSING_LISTED = 20;

export function importSummary(result: ImportResult, dbFile: string): string[] {
  const lines: string[] = [];
  if (result.alreadyImported) {
    lines.push(`Project "${result.projectName}" was already imported into ${dbFile} from this same manifest: nothing written.`);
  } else {
    lines.push(`Imported project "${result.projectName}" into ${dbFile}`);
  }
  const folder = !/^(https?|s3):\/\//.test(result.imageDir);
  const failed = result.imageChecksFailed > 0 ? `, ${result.imageChecksFailed} of them because their check failed` : '';
  lines.push(
    `  images: ${result.images} (${result.imagesChecked ? `${result.missingImages.length} missing${failed}` : 'not checked'})`,
    `  items to review: ${result.items}`,
    `  models: ${result.models}`,
    `  image ${folder ? 'folder' : 'source'}: ${result.imageDir}`,
  );
  if (result.missingImages.length > 0) {
    const allMissing = result.missingImages.length === result.images;
    lines.push(
      allMissing
        ? `Every image is missing from the image ${folder ? 'folder' : 'source'}: is "images.dir" in the manifest right? (Serve with --images SOURCE to point elsewhere.)`
        : `Missing images (recorded; shown as missing in the review screen):`,
    );
    for (const file of result.missingImages.slice(0, MISSING_LISTED)) lines.push(`  ${file}`);
    if (result.missingImages.length > MISSING_LISTED) lines.push(`  ... and ${result.missingImages.length - MISSING_LISTED} more`);
  }
  return lines;
}

/**
 * `bagel import MANIFEST --db FILE|URL`: creates a SQLite database if needed and imports the project. A refused import prints
 * `error: <file, line, field: problem>` and exits with 1, without a stack trace: the message says what to fix.
 * Progress goes to stderr: a bar with rows per second on a terminal, plain lines otherwise (`--progress` chooses).
 */
export function registerImportCommand(program: Command): void {
  program
    .command('import <manifest>')
    .description('import a project (vocabulary, images, original labels, model predictions) from a manifest; see docs/FORMATS.md')
    .addOption(databaseOption('database: a SQLite file (created when missing), or a postgres:// URL').makeOptionMandatory())
    .option('--no-check-images', 'do not check that each image is at the image source (then none is recorded missing)')
    .addOption(progressOption())
    // A refused manifest is a data problem, not a usage problem: print the message alone, not the usage.
    .showHelpAfterError(false)
    .action(async (manifest: string, options: { db?: string; progress: ProgressChoice; checkImages: boolean }, command: Command) => {
      const output = command.configureOutput();
      const writeOut = output.writeOut ?? ((text: string) => process.stdout.write(text));
      const writeErr = output.writeErr ?? ((text: string) => process.stderr.write(text));
      const location = databaseLocationOption(options.db);
      const shown = describeDatabaseLocation(location);
      // A SQLite file this command creates is nobody else's (a PostgreSQL database always already exists).
      const dbExisted = location.engine === 'postgres' || existsSync(location.file);
      if (location.engine === 'sqlite') mkdirSync(dirname(location.file), { recursive: true });
      const database = await connectDatabase(location);
      let result: ImportResult | undefined;
      let refusal: ImportError | undefined;
      const progress = progressReporterFor(options.progress, writeErr);
      try {
        // A database this command creates is nobody else's: no pause between the write's transactions for a server,
        // and transactions of a second rather than 20 ms. Each commit writes every page its transaction touched, and
        // an import's rows touch pages all over the indexes: at a million images, commits every 20 ms took 44 s of a
        // 101 s write, every second 7 s of 70 s.
        result = await importManifest(database, manifest, {
          onProgress: progress.report,
          slices: dbExisted ? undefined : { pauseMs: 0, sliceMs: 1000 },
          checkImages: options.checkImages,
        });
      } catch (error) {
        if (!(error instanceof ImportError)) throw error;
        refusal = error;
      } finally {
        progress.finish();
        await database.close();
      }
      if (refusal) {
        // A database this command created only to be refused would look like a valid, empty one: remove it.
        if (!dbExisted && location.engine === 'sqlite') for (const suffix of ['', '-wal', '-shm']) rmSync(location.file + suffix, { force: true });
        command.error(`error: ${refusal.message}`, { exitCode: 1, code: 'bagel.importRefused' });
      }
      writeOut(importSummary(result!, shown).join('\n') + '\n');
    });
}
