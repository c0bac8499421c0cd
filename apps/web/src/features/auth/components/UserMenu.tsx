import type { SessionUser } from '@bagel/contracts';
import { useLogout } from '../api/logout';

export function UserMenu({ user }: { user: SessionUser }) {
  const logout = useLogout();
  return (
    <div className="user-menu">
      <span className="user-name" data-testid="user-name" title={`Signed in as ${user.username} (${user.role})`}>
        {user.username}
        <span className="user-role">{user.role}</span>
      </span>
      <button type="button" className="text-button" onClick={() => logout.mutate()} disabled={logout.isPending}>
        Log out
      </button>
    </div>
  );
}
