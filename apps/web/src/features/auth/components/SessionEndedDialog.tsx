import type { SessionUser } from '@bagel/contracts';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useRef, useState } from 'react';
import { ModalDialog } from '../../../components/ModalDialog';
import { errorMessage } from '../../../lib/api-client';
import { clearSession } from '../api/get-session-user';
import { useSignInAgain } from '../api/login';

/**
 * Over whatever screen the user was on when a request found their session gone: says so, and asks for the password
 * of the same account in place. Signing in here keeps the screen as it was (a verdict in progress, one waiting to be
 * sent); only "Sign out" leaves it for the sign-in form. It cannot be dismissed otherwise: nothing works without a
 * session.
 */
export function SessionEndedDialog({ user }: { user: SessionUser }) {
  const queryClient = useQueryClient();
  const signIn = useSignInAgain(user.id);
  const [password, setPassword] = useState('');
  const passwordRef = useRef<HTMLInputElement>(null);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!password || signIn.isPending) return;
    signIn.mutate(
      { username: user.username, password },
      {
        onError: () => passwordRef.current?.select(),
      },
    );
  };

  return (
    <ModalDialog
      className="modal dialog-form"
      aria-labelledby="session-ended-title"
      aria-describedby="session-ended-text"
      // Esc does nothing: the user signs in again or signs out.
      onClose={() => undefined}
      initialFocus={() => passwordRef.current}
      data-testid="session-ended-dialog"
    >
      <form onSubmit={onSubmit} noValidate>
        <header className="modal-head">
          <h2 id="session-ended-title">Your session has ended</h2>
        </header>
        <div className="dialog-fields">
          <p id="session-ended-text">
            You were signed out: a session lasts 12 hours, and ends when an admin resets your password. Sign in again to go on where you
            were; your work on this screen is kept, and whatever was waiting to be saved is sent once you are signed in.
          </p>
          <label className="field">
            <span>Username</span>
            <input name="username" autoComplete="username" value={user.username} readOnly />
          </label>
          <label className="field">
            <span>Password</span>
            <input
              ref={passwordRef}
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(event) => setPassword(event.target.value)}
            />
          </label>
          {signIn.isError ? (
            <p className="error" role="alert" data-testid="session-ended-error">
              {errorMessage(signIn.error)}
            </p>
          ) : null}
        </div>
        <footer className="dialog-actions">
          <button type="button" className="secondary" onClick={() => clearSession(queryClient)} data-testid="session-ended-sign-out">
            Sign out
          </button>
          <button type="submit" className="primary" disabled={signIn.isPending || !password}>
            {signIn.isPending ? 'Signing in…' : 'Sign in again'}
          </button>
        </footer>
      </form>
    </ModalDialog>
  );
}
