import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { useLogin } from '../api/login';

/** Sign in with the account a project admin gave you. */
export function LoginScreen() {
  const login = useLogin();
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
        <h1 id="login-title">Sign in to review</h1>
        <p className="muted">Expert relabeling of image-classification mistakes.</p>
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
