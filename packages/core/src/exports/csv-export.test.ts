import { describe, expect, it } from 'vitest';
import { csvExportPieces, csvField, spreadsheetText, writeCsvExport } from './csv-export';
import { goldenCsvModels, goldenCsvRows } from './golden-inputs';
import { goldenText } from './test-helpers';

describe('writeCsvExport', () => {
  it('writes the golden file', () => {
    expect(writeCsvExport({ models: goldenCsvModels, rows: goldenCsvRows })).toBe(goldenText('export.csv'));
  });

  it('writes a problematic reason that a spreadsheet would run as a formula as text', () => {
    const row = { file: 'a.jpg', originalLabel: 'n01', correct: [], unclear: [], wrong: [], mistakes: {} };
    const csv = writeCsvExport({ models: [], rows: [{ ...row, problematic: { reason: '=HYPERLINK("http://x","y")' } }] });
    expect(csv.split('\r\n')[1]).toBe(`a.jpg,n01,,,,true,"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('writes the header alone when there are no images', () => {
    expect(writeCsvExport({ models: ['m'], rows: [] })).toBe(
      'file,original_label,correct,unclear,wrong,problematic,problematic_reason,m severity,m category\r\n',
    );
  });
});

describe('csvExportPieces', () => {
  it('gives the golden file piece by piece: the header, then a line per row', () => {
    const pieces = [...csvExportPieces({ models: goldenCsvModels, rows: goldenCsvRows.values() })];
    expect(pieces.join('')).toBe(goldenText('export.csv'));
    expect(pieces).toHaveLength(goldenCsvRows.length + 1);
  });
});

describe('csvField', () => {
  it('quotes only fields that need it (RFC 4180), doubling quotes', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
    expect(csvField('')).toBe('');
  });
});

describe('spreadsheetText', () => {
  it('prefixes an apostrophe to text a spreadsheet would read as a formula', () => {
    for (const start of ['=', '+', '-', '@', '\t', '\r']) expect(spreadsheetText(`${start}1+1`)).toBe(`'${start}1+1`);
  });

  it('leaves other text as it is', () => {
    for (const text of ['', 'drawing, not a photo', "'quoted", ' =leading space', 'a=b', '1-2']) expect(spreadsheetText(text)).toBe(text);
  });
});
