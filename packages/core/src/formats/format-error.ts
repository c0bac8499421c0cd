/** Where in an input file a problem is: the file's display name, a 1-based line (text files) or row (JSON arrays), a field. */
export interface FileLocation {
  file: string;
  line?: number;
  row?: number;
  field?: string;
}

/** `labels.csv, line 14, field "label"`: the prefix of every format and import error message. */
export function describeLocation(location: FileLocation): string {
  const parts = [location.file];
  if (location.line !== undefined) parts.push(`line ${location.line}`);
  if (location.row !== undefined) parts.push(`row ${location.row}`);
  if (location.field !== undefined) parts.push(`field "${location.field}"`);
  return parts.join(', ');
}

/** `line 3` or `row 3`: where else something appears, in a message that already names the file. */
export function lineOrRow(location: FileLocation): string {
  return location.line !== undefined ? `line ${location.line}` : `row ${location.row}`;
}

/**
 * A file that does not follow its format. The message names the file, the line or row and the field, so a person can
 * open the file and fix it: `labels.csv, line 14, field "label": unknown class key "n0000"`.
 */
export class FormatError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
  readonly field?: string;
  /** The message without its location. */
  readonly problem: string;

  constructor(location: FileLocation, problem: string) {
    super(`${describeLocation(location)}: ${problem}`);
    this.name = 'FormatError';
    this.file = location.file;
    if (location.line !== undefined) this.line = location.line;
    if (location.row !== undefined) this.row = location.row;
    if (location.field !== undefined) this.field = location.field;
    this.problem = problem;
  }
}
