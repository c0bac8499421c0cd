import { ChangePasswordRequest } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { changePasswordRequest, emptyPasswordForm, passwordFormProblem } from './password-form';

const form = (currentPassword: string, newPassword: string, confirmation = newPassword) => ({ currentPassword, newPassword, confirmation });

describe('the change-password form', () => {
  it('asks for every box, in order', () => {
    expect(passwordFormProblem(emptyPasswordForm)?.field).toBe('currentPassword');
    expect(passwordFormProblem(form('old-secret', ''))?.field).toBe('newPassword');
  });

  it('refuses a confirmation that differs from the new password (the server cannot know it)', () => {
    expect(passwordFormProblem(form('old-secret', 'new-secret-1', 'new-secret-2'))).toEqual({
      field: 'confirmation',
      message: 'The confirmation differs from the new password.',
    });
    expect(passwordFormProblem(form('old-secret', 'new-secret', 'New-secret'))?.field).toBe('confirmation');
  });

  it('refuses a new password equal to the current one', () => {
    expect(passwordFormProblem(form('same-secret', 'same-secret'))?.field).toBe('newPassword');
  });

  it('leaves the length and the current password to the server, and sends only the two passwords', () => {
    expect(passwordFormProblem(form('wrong?', 'short'))).toBeNull();
    const request = changePasswordRequest(form('old-secret', 'new-secret'));
    expect(request).toEqual({ currentPassword: 'old-secret', newPassword: 'new-secret' });
    expect(ChangePasswordRequest.safeParse(request).success).toBe(true);
  });
});
