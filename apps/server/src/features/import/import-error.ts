import { describeLocation, FormatError, type FileLocation } from '@bagel/core';

/**
 * Why an import was refused. Like FormatError its message starts with the file, the line or row and the field, so the
 * command line can print it as is: `data/demo/labels.csv, line 14, field "label": unknown class key "n0000"`.
 */
export class ImportError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly row?: number;
  readonly field?: string;

  constructor(location: FileLocation, problem: string) {
    super(`${describeLocation(location)}: ${problem}`);
    this.name = 'ImportError';
    this.file = location.file;
    if (location.line !== undefined) this.line = location.line;
    if (location.row !== undefined) this.row = location.row;
    if (location.field !== undefined) this.field = location.field;
  }

  static fromFormatError(error: FormatError): ImportError {
    return new ImportError(error, error.problem);
  }
}
