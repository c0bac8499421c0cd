import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { useLogin } from '../api/login';

interface LoginScreenProps {
  /** The app started with the cookie of a session that has ended (expired, or ended on the server): say so. */
  sessionEnded?: boolean;
  /**
   * What this browser keeps for whoever signs in (the review's unsent work), in a sentence, or null: from the app
   * shell, asked once each time the form shows.
   */
  keptWork?: () => string | null;
}

/** Sign in with the account a project admin gave you. */
export function LoginScreen({ sessionEnded = false, keptWork }: LoginScreenProps) {
  const login = useLogin();
  const [kept] = useState(() => keptWork?.() ?? null);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!username.trim() || !password) return;
    login.mutate({ username: username.trim(), password });
  };

  return (
    <main className="login-page">
      <form className="login-card" onSubmit={onSubmit} aria-labelledby="login-title" noValidate>
        <div className="brand brand-large">
          <span className="brand-mark" aria-hidden="true" />
          Bagel
        </div>
        <h1 id="login-title">{sessionEnded ? 'Sign in again' : 'Sign in to review'}</h1>
        {sessionEnded ? (
          <div className="notice login-notice" role="status" data-testid="session-ended-notice">
            <p>
              Your session has ended: a session lasts 12 hours, and ends early when an admin resets your password or you change it in
              another browser. Sign in again to go on.
            </p>
            {kept ? <p data-testid="kept-work">{kept}</p> : null}
          </div>
        ) : (
          <>
            <p className="muted">Expert relabeling of image-classification mistakes.</p>
            {kept ? (
              <p className="notice login-notice" role="status" data-testid="kept-work">
                {kept}
              </p>
            ) : null}
          </>
        )}
        <label className="field">
          <span>Username</span>
          <input name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label className="field">
          <span>Password</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {login.isError ? (
          <p className="error" role="alert" data-testid="login-error">
            {errorMessage(login.error)}
          </p>
        ) : null}
        <button type="submit" className="primary wide" disabled={login.isPending || !username.trim() || !password}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
