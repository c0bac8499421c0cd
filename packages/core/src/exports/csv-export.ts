import type { Severity } from '@bagel/contracts';

/** One image of the CSV export: its final labels and, per model, the final grade of its top-1 mistake. */
export interface CsvExportRow {
  file: string;
  originalLabel: string;
  correct: readonly string[];
  unclear: readonly string[];
  wrong: readonly string[];
  problematic: { reason: string } | null;
  /** By model name; a model without an entry made no mistake on the image. */
  mistakes: Readonly<Record<string, { severity: Severity; category: string }>>;
}

/** Separates the classes of one label cell; the project's CSV vocabulary files separate names the same way. */
export const CSV_LIST_SEPARATOR = ';';

/**
 * The CSV export (RFC 4180): a header row, then one row per image in the given order, CRLF line ends (the last row
 * too), and a field quoted only when it holds a comma, a double quote, CR or LF (quotes doubled inside).
 * Columns: `file`, `original_label`, `correct`, `unclear`, `wrong` (class keys joined by ";"), `problematic`
 * (`true`/`false`), `problematic_reason`, then `MODEL severity` and `MODEL category` for each model in the given order
 * (empty when the model made no mistake on the image).
 *
 * The problematic reason is the one cell typed freely by users of the tool (an expert or the lead), and leads open
 * this file in spreadsheets: it goes through spreadsheetText. Every other cell comes from the import (file names,
 * class keys, model names) or the project's settings (categories) and is written as it is, so evaluation code reads
 * exactly the keys it knows.
 */
export function writeCsvExport(input: { models: readonly string[]; rows: readonly CsvExportRow[] }): string {
  return [...csvExportPieces(input)].join('');
}

/** writeCsvExport's text piece by piece (the header, then one line per row), consuming the rows as it goes. */
export function* csvExportPieces(input: { models: readonly string[]; rows: Iterable<CsvExportRow> }): Generator<string, void, undefined> {
  const header = ['file', 'original_label', 'correct', 'unclear', 'wrong', 'problematic', 'problematic_reason'];
  for (const model of input.models) header.push(`${model} severity`, `${model} category`);
  yield csvLine(header);
  for (const row of input.rows) {
    const cells = [
      row.file,
      row.originalLabel,
      row.correct.join(CSV_LIST_SEPARATOR),
      row.unclear.join(CSV_LIST_SEPARATOR),
      row.wrong.join(CSV_LIST_SEPARATOR),
      row.problematic === null ? 'false' : 'true',
      spreadsheetText(row.problematic?.reason ?? ''),
    ];
    for (const model of input.models) {
      const mistake = Object.hasOwn(row.mistakes, model) ? row.mistakes[model] : undefined;
      cells.push(mistake?.severity ?? '', mistake?.category ?? '');
    }
    yield csvLine(cells);
  }
}

function csvLine(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}

/**
 * Free text made safe to open in a spreadsheet (OWASP "CSV injection"): a text that starts with `=`, `+`, `-`, `@`,
 * a tab or a carriage return would be run as a formula by Excel, LibreOffice or Google Sheets, so it gets a leading
 * apostrophe, which spreadsheets read as "this cell is text". Other texts are returned unchanged.
 */
export function spreadsheetText(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180: a field with a comma, a double quote, CR or LF is enclosed in double quotes, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
