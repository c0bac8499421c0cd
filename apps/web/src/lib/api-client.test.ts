import { describe, expect, it } from 'vitest';
import { humanValidationMessage } from './api-client';

describe('humanValidationMessage', () => {
  it('drops the request’s internal field path when the message names the field already', () => {
    expect(humanValidationMessage('body.password: a password needs at least 8 characters')).toBe('A password needs at least 8 characters.');
    expect(humanValidationMessage('body.newPassword: a password needs at least 8 characters')).toBe('A password needs at least 8 characters.');
  });

  it('names the field in words otherwise, never as a path', () => {
    expect(humanValidationMessage('body.username: use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit')).toBe(
      'Username: use 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit.',
    );
    expect(humanValidationMessage('query.limit: Too big: expected number to be <=500')).toBe('Limit: Too big: expected number to be <=500.');
    expect(humanValidationMessage('body.problematicReason: Too small: expected string to have >=1 characters')).toBe(
      'Problematic reason: Too small: expected string to have >=1 characters.',
    );
    expect(humanValidationMessage('body.items.3.note: Required')).toBe('Note: Required.');
  });

  it('makes a sentence of each problem, once', () => {
    expect(humanValidationMessage('body.password: a password needs at least 8 characters; body.password: a password needs at least 8 characters')).toBe(
      'A password needs at least 8 characters.',
    );
    expect(humanValidationMessage('body: Unrecognized key: "admin"; body.role: Invalid option')).toBe('Unrecognized key: "admin". Role: Invalid option.');
  });

  it('leaves a message without a field path as it is, as a sentence', () => {
    expect(humanValidationMessage('something is wrong')).toBe('Something is wrong.');
  });
});
