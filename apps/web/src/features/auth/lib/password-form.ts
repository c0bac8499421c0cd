import type { ChangePasswordRequest } from '@bagel/contracts';

export interface PasswordForm {
  currentPassword: string;
  newPassword: string;
  /** The new password typed a second time. */
  confirmation: string;
}

export const emptyPasswordForm: PasswordForm = { currentPassword: '', newPassword: '', confirmation: '' };

/** Which box a problem is about, so the form can put the focus there. */
export type PasswordField = keyof PasswordForm;

export interface PasswordFormProblem {
  field: PasswordField;
  message: string;
}

/**
 * What the form checks before sending: only what the server cannot know (that the confirmation matches) or what
 * would change nothing. Whether the current password is right and whether the new one is long enough, the server
 * says, in its own words.
 */
export function passwordFormProblem(form: PasswordForm): PasswordFormProblem | null {
  if (!form.currentPassword) return { field: 'currentPassword', message: 'Type your current password.' };
  if (!form.newPassword) return { field: 'newPassword', message: 'Type a new password.' };
  if (form.newPassword !== form.confirmation) return { field: 'confirmation', message: 'The confirmation differs from the new password.' };
  if (form.newPassword === form.currentPassword) return { field: 'newPassword', message: 'The new password is the current one: choose another.' };
  return null;
}

export function changePasswordRequest(form: PasswordForm): ChangePasswordRequest {
  return { currentPassword: form.currentPassword, newPassword: form.newPassword };
}
