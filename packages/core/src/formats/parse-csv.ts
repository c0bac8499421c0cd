import { FormatError } from './format-error';

/** One CSV record with the 1-based file line it starts on (a quoted field may span several lines). */
export interface CsvRecord {
  line: number;
  cells: string[];
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** Removes the byte-order mark that spreadsheet programs put at the start of UTF-8 files. */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Parses RFC 4180 CSV: comma-separated, fields optionally in double quotes, `""` inside quotes for a quote, LF or
 * CRLF line ends, newlines allowed inside quotes. Blank lines are skipped. A quote inside an unquoted field, text
 * after a closing quote and an unterminated quote are errors rather than guesses, because a guess would shift columns.
 */
export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  scanCsv(text, file, (line, cells) => records.push({ line, cells }));
  return records;
}

/** parseCsv without keeping the records: `onRecord` gets each one as it is read (large prediction files). */
export function scanCsv(text: string, file: string, onRecord: (line: number, cells: string[]) => void): void {
  const src = stripBom(text);
  const n = src.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const recordLine = line;
    const cells: string[] = [];
    let quoted = false;
    let endOfRecord = false;
    while (!endOfRecord) {
      if (src.charCodeAt(i) === QUOTE) {
        const quoteLine = line;
        quoted = true;
        i++;
        let value = '';
        let chunkStart = i;
        for (;;) {
          if (i >= n) throw new FormatError({ file, line: quoteLine }, 'a quoted field is not closed (missing ")');
          const c = src.charCodeAt(i);
          if (c === QUOTE) {
            if (src.charCodeAt(i + 1) === QUOTE) {
              value += src.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += src.slice(chunkStart, i);
            i++;
            break;
          }
          if (c === LF) line++;
          i++;
        }
        cells.push(value);
        const after = i < n ? src.charCodeAt(i) : LF;
        if (after === COMMA) i++;
        else if (after === LF || after === CR) endOfRecord = true;
        else throw new FormatError({ file, line }, 'text after a closing quote; a field with quotes must be quoted whole, with "" for each quote');
      } else {
        const start = i;
        while (i < n) {
          const c = src.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          if (c === QUOTE) throw new FormatError({ file, line }, 'a quote inside an unquoted field; quote the whole field and write "" for each quote');
          i++;
        }
        cells.push(src.slice(start, i));
        if (i < n && src.charCodeAt(i) === COMMA) i++;
        else endOfRecord = true;
      }
      if (endOfRecord) {
        if (src.charCodeAt(i) === CR) i++;
        if (src.charCodeAt(i) === LF) i++;
        else if (i < n) throw new FormatError({ file, line }, 'a carriage return (CR) that is not followed by a line feed');
        line++;
      }
    }
    const blankLine = cells.length === 1 && cells[0] === '' && !quoted;
    if (!blankLine) onRecord(recordLine, cells);
  }
}

/** A CSV row as named values, with its line for error messages. */
export interface CsvRow<Column extends string> {
  line: number;
  values: Record<Column, string>;
}

/**
 * Parses a CSV file whose first line is a header, checking the header names exactly the expected columns (in any
 * order): every required one, optional ones or not, nothing unknown (a misspelt column would otherwise be ignored).
 * Cell values are trimmed.
 */
export function parseCsvTable<Required extends string, Optional extends string = never>(
  text: string,
  file: string,
  columns: { required: readonly Required[]; optional?: readonly Optional[] },
): CsvRow<Required | Optional>[] {
  const rows: CsvRow<Required | Optional>[] = [];
  scanCsvTable(text, file, columns, (row) => rows.push(row));
  return rows;
}

/** parseCsvTable without keeping the rows: `onRow` gets each one as it is read. */
export function scanCsvTable<Required extends string, Optional extends string = never>(
  text: string,
  file: string,
  columns: { required: readonly Required[]; optional?: readonly Optional[] },
  onRow: (row: CsvRow<Required | Optional>) => void,
): void {
  type Column = Required | Optional;
  const expected: readonly string[] = [...columns.required, ...(columns.optional ?? [])];
  const expectedList = expected.join(',');
  const optionalColumns: readonly Column[] = columns.optional ?? [];
  let names: string[] | null = null;
  scanCsv(text, file, (line, cells) => {
    if (names === null) {
      names = checkHeader(cells, line, file, expected, columns.required, expectedList);
      return;
    }
    if (cells.length !== names.length) {
      throw new FormatError({ file, line }, `${cells.length} ${cells.length === 1 ? 'field' : 'fields'}, but the header has ${names.length}`);
    }
    const values = {} as Record<Column, string>;
    for (let c = 0; c < names.length; c++) values[names[c] as Column] = cells[c]!.trim();
    for (const name of optionalColumns) if (!(name in values)) values[name] = '';
    onRow({ line, values });
  });
  if (names === null) throw new FormatError({ file, line: 1 }, `the file is empty; its first line must be the header "${expectedList}"`);
}

function checkHeader(cells: string[], line: number, file: string, expected: readonly string[], required: readonly string[], expectedList: string): string[] {
  const names = cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const name of names) {
    if (!expected.includes(name)) throw new FormatError({ file, line, field: name }, `unknown column; the header must be "${expectedList}"`);
    if (seen.has(name)) throw new FormatError({ file, line, field: name }, 'this column appears twice in the header');
    seen.add(name);
  }
  for (const name of required) {
    if (!seen.has(name)) throw new FormatError({ file, line, field: name }, `missing column; the header must be "${expectedList}"`);
  }
  return names;
}
