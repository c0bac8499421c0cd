import { describe, expect, it } from 'vitest';
import { csvField, writeCsvExport } from './csv-export';
import { goldenCsvModels, goldenCsvRows } from './golden-inputs';
import { goldenText } from './test-helpers';

describe('writeCsvExport', () => {
  it('writes the golden file', () => {
    expect(writeCsvExport({ models: goldenCsvModels, rows: goldenCsvRows })).toBe(goldenText('export.csv'));
  });

  it('writes the header alone when there are no images', () => {
    expect(writeCsvExport({ models: ['m'], rows: [] })).toBe(
      'file,original_label,correct,unclear,wrong,problematic,problematic_reason,m severity,m category\r\n',
    );
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
