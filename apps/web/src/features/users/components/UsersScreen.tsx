import type { SessionUser } from '@bagel/contracts';
import { type ReactNode, useState } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { useUsers } from '../api/get-users';
import { usersSummary } from '../lib/accounts';
import { AddUserForm } from './AddUserForm';
import { type GeneratedPassword, OneTimePassword } from './OneTimePassword';
import { UserTable } from './UserTable';
import '../users.css';

interface UsersScreenProps {
  /** The signed-in admin. */
  me: SessionUser;
  userMenu: ReactNode;
  /** Where the back button goes ("Back to the projects", "Back to <project>"), from the app shell. */
  backLabel: string;
  onBack(): void;
}

/** The admin's users (of the whole tool, not of one project): add, change a role, (de)activate, reset a password. */
export function UsersScreen({ me, userMenu, backLabel, onBack }: UsersScreenProps) {
  const users = useUsers();
  // Generated passwords live here only, each until the admin is done with it (never in the query cache): a new one
  // never hides one of another user that the admin may not have copied yet; a user's older one, which no longer works
  // once theirs is reset, goes.
  const [generated, setGenerated] = useState<readonly GeneratedPassword[]>([]);
  const show = (next: GeneratedPassword) => setGenerated((current) => [next, ...current.filter((g) => g.username !== next.username)]);
  const dismiss = (done: GeneratedPassword) => setGenerated((current) => current.filter((g) => g !== done));

  return (
    <div className="page-app">
      <AppHeader
        projectName="Users"
        userMenu={userMenu}
        end={
          <button type="button" className="text-button" onClick={onBack} data-testid="users-back">
            ← {backLabel}
          </button>
        }
      />
      <main className="page users-page" data-testid="users-page">
        {generated.map((g) => (
          <OneTimePassword key={`${g.username}:${g.password}`} generated={g} onDone={() => dismiss(g)} />
        ))}
        <section className="card">
          <AddUserForm
            onCreated={(created) => {
              if (created.password !== null) show({ username: created.user.username, password: created.password, reason: 'created' });
            }}
          />
        </section>
        <section className="card" aria-labelledby="users-title">
          <div className="card-head">
            <h2 id="users-title">Users</h2>
            {users.data ? (
              <span className="muted" data-testid="users-summary">
                {usersSummary(users.data.users)}
              </span>
            ) : null}
          </div>
          {users.isError && !users.data ? (
            <p className="error" role="alert">
              {errorMessage(users.error)}
            </p>
          ) : !users.data ? (
            <p className="loading">Loading the users…</p>
          ) : (
            <UserTable users={users.data.users} me={me} onPasswordReset={(username, password) => show({ username, password, reason: 'reset' })} />
          )}
          <p className="muted users-footnote">
            Deactivating a user ends their sessions and gives the items they hold back to the queue; their verdicts and decisions are kept,
            and they can be reactivated. Nobody changes their own role or deactivates themselves, so there is always an active admin.
          </p>
        </section>
      </main>
    </div>
  );
}
