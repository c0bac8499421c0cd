import { describe, expect, it } from 'vitest';
import { parseCsv, parseCsvTable } from './parse-csv';
import { expectFormatError } from './test-helpers';

describe('parseCsv', () => {
  it('reads plain, quoted and escaped fields with the line each record starts on', () => {
    const text = 'a,b,c\n1,"two, three","say ""hi"""\n"multi\nline",,last\n';
    expect(parseCsv(text, 'x.csv')).toEqual([
      { line: 1, cells: ['a', 'b', 'c'] },
      { line: 2, cells: ['1', 'two, three', 'say "hi"'] },
      { line: 3, cells: ['multi\nline', '', 'last'] },
    ]);
  });

  it('accepts CRLF line ends, a byte-order mark, a last line without newline, and skips blank lines', () => {
    const text = '\ufeffa,b\r\n\r\n1,2\r\n\n3,"4"';
    expect(parseCsv(text, 'x.csv')).toEqual([
      { line: 1, cells: ['a', 'b'] },
      { line: 3, cells: ['1', '2'] },
      { line: 5, cells: ['3', '4'] },
    ]);
  });

  it('keeps a quoted empty field as a record and counts lines inside quoted fields', () => {
    expect(parseCsv('""\n"a\r\nb",c\nd,e\n', 'x.csv')).toEqual([
      { line: 1, cells: [''] },
      { line: 2, cells: ['a\r\nb', 'c'] },
      { line: 4, cells: ['d', 'e'] },
    ]);
  });

  it('keeps a trailing empty field', () => {
    expect(parseCsv('a,\n', 'x.csv')).toEqual([{ line: 1, cells: ['a', ''] }]);
  });

  it('refuses an unterminated quote, naming the line where it opened', () => {
    expectFormatError(() => parseCsv('a,b\n1,"open\n2,3\n', 'x.csv'), 'x.csv, line 2: a quoted field is not closed (missing ")');
  });

  it('refuses text after a closing quote', () => {
    expectFormatError(
      () => parseCsv('a,b\n"x"y,2\n', 'x.csv'),
      'x.csv, line 2: text after a closing quote; a field with quotes must be quoted whole, with "" for each quote',
    );
  });

  it('refuses a quote inside an unquoted field', () => {
    expectFormatError(
      () => parseCsv('a,b\n1,2\nab"c,3\n', 'x.csv'),
      'x.csv, line 3: a quote inside an unquoted field; quote the whole field and write "" for each quote',
    );
  });

  it('refuses a lone carriage return', () => {
    expectFormatError(() => parseCsv('a,b\r1,2\n', 'x.csv'), 'x.csv, line 1: a carriage return (CR) that is not followed by a line feed');
  });
});

describe('parseCsvTable', () => {
  const columns = { required: ['file', 'label'] as const, optional: ['note'] as const };

  it('maps cells to header columns in any order, trims them and fills optional columns', () => {
    expect(parseCsvTable('label , file\n n1 , a.png \n', 'x.csv', columns)).toEqual([{ line: 2, values: { file: 'a.png', label: 'n1', note: '' } }]);
  });

  it('refuses an empty file', () => {
    expectFormatError(() => parseCsvTable('\n\n', 'x.csv', columns), 'x.csv, line 1: the file is empty; its first line must be the header "file,label,note"');
  });

  it('refuses an unknown column, a repeated column and a missing column', () => {
    const unknown = expectFormatError(() => parseCsvTable('file,lable\n', 'x.csv', columns), 'x.csv, line 1, field "lable": unknown column; the header must be "file,label,note"');
    expect(unknown).toMatchObject({ file: 'x.csv', line: 1, field: 'lable' });
    expectFormatError(() => parseCsvTable('file,label,file\n', 'x.csv', columns), 'x.csv, line 1, field "file": this column appears twice in the header');
    expectFormatError(() => parseCsvTable('file,note\n', 'x.csv', columns), 'x.csv, line 1, field "label": missing column; the header must be "file,label,note"');
  });

  it('refuses a row with more or fewer fields than the header', () => {
    expectFormatError(() => parseCsvTable('file,label\na.png,n1\nb.png\n', 'x.csv', columns), 'x.csv, line 3: 1 field, but the header has 2');
    expectFormatError(() => parseCsvTable('file,label\na.png,n1,extra\n', 'x.csv', columns), 'x.csv, line 2: 3 fields, but the header has 2');
  });
});
