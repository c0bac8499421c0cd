import { MIN_ADMIN_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '@bagel/contracts';
import { type FormEvent, useId, useRef, useState } from 'react';
import { ModalDialog } from '../../../components/ModalDialog';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { useChangePassword } from '../api/change-password';
import { type PasswordField, type PasswordForm, changePasswordRequest, emptyPasswordForm, passwordFormProblem } from '../lib/password-form';

interface ChangePasswordDialogProps {
  onClose(): void;
  /** The server took the new password (this session stays, the others end). */
  onChanged(): void;
}

/** A modal form: the current password, the new one twice. Esc or Cancel closes it; the server's refusal shows in it. */
export function ChangePasswordDialog({ onClose, onChanged }: ChangePasswordDialogProps) {
  const fields = useRef<Partial<Record<PasswordField, HTMLInputElement | null>>>({});
  const change = useChangePassword();
  const [form, setForm] = useState<PasswordForm>(emptyPasswordForm);
  const [problem, setProblem] = useState<{ field: PasswordField; message: string } | null>(null);
  const hintId = useId();
  const errorId = useId();

  const set = (field: PasswordField) => (event: { target: { value: string } }) => {
    setForm((current) => ({ ...current, [field]: event.target.value }));
    setProblem(null);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (change.isPending) return;
    const found = passwordFormProblem(form);
    setProblem(found);
    if (found) {
      fields.current[found.field]?.focus();
      return;
    }
    change.mutate(changePasswordRequest(form), {
      onSuccess: onChanged,
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'WRONG_PASSWORD') fields.current.currentPassword?.select();
      },
    });
  };

  const message = problem?.message ?? (change.isError ? errorMessage(change.error) : null);
  const invalid = (field: PasswordField) =>
    problem?.field === field ||
    (field === 'currentPassword' && change.error instanceof ApiError && change.error.code === 'WRONG_PASSWORD') ||
    undefined;
  const input = (field: PasswordField, label: string, autoComplete: string, describedBy?: string) => (
    <label className="field">
      <span>{label}</span>
      <input
        ref={(element) => {
          fields.current[field] = element;
        }}
        type="password"
        name={field}
        autoComplete={autoComplete}
        required
        value={form[field]}
        onChange={set(field)}
        aria-invalid={invalid(field)}
        aria-describedby={[describedBy, invalid(field) && message ? errorId : undefined].filter(Boolean).join(' ') || undefined}
      />
    </label>
  );

  return (
    // The focus goes back to the user menu through UserMenu (once the dialog has left the page).
    <ModalDialog
      className="modal dialog-form"
      aria-labelledby="change-password-title"
      onClose={onClose}
      initialFocus={() => fields.current.currentPassword}
      data-testid="change-password-dialog"
    >
      <form onSubmit={onSubmit} noValidate>
        <header className="modal-head">
          <h2 id="change-password-title">Change your password</h2>
        </header>
        <div className="dialog-fields">
          {input('currentPassword', 'Current password', 'current-password')}
          {input('newPassword', 'New password', 'new-password', hintId)}
          <p id={hintId} className="field-hint muted">
            At least {MIN_PASSWORD_LENGTH} characters ({MIN_ADMIN_PASSWORD_LENGTH} for an admin), not your user name nor a common password. Your
            other sessions (other browsers) will be signed out; this one stays.
          </p>
          {input('confirmation', 'New password again', 'new-password')}
          {message ? (
            <p id={errorId} className="error" role="alert" data-testid="change-password-error">
              {message}
            </p>
          ) : null}
        </div>
        <footer className="dialog-actions">
          <button type="button" className="secondary" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" disabled={change.isPending}>
            {change.isPending ? 'Changing…' : 'Change password'}
          </button>
        </footer>
      </form>
    </ModalDialog>
  );
}
