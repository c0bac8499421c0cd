import { type CreateUserRequest, Role, type SessionUser, type UserAccount, type UserList } from '@bagel/contracts';
import { plural } from '../../../lib/format';

/** The roles an admin gives, in the order of the choice, with what each may do. */
export const ROLE_CHOICES: readonly { role: Role; description: string }[] = [
  { role: 'expert', description: 'judges items' },
  { role: 'lead', description: 'judges, settles disputes, reads the figures' },
  { role: 'admin', description: 'manages users and project settings' },
];

export interface NewUserForm {
  username: string;
  role: Role;
  /** Empty: the server generates one (and answers it once). */
  password: string;
}

export const emptyNewUserForm: NewUserForm = { username: '', role: 'expert', password: '' };

/** The request for the form as typed: the name trimmed, no password when none was typed. The server validates. */
export function newUserRequest(form: NewUserForm): CreateUserRequest {
  const username = form.username.trim();
  return form.password ? { username, role: form.role, password: form.password } : { username, role: form.role };
}

export interface AccountActions {
  canChangeRole: boolean;
  canChangeActive: boolean;
  canResetPassword: boolean;
  /** Why the controls are off, for the admin's own row. */
  reason: string | null;
}

/**
 * What an admin may do to an account. Their own is off limits (the server answers 409 OWN_ACCOUNT): nobody changes
 * their own role or deactivates themselves, so there is always an active admin; and one's own password is changed
 * from the user menu, with the current one.
 */
export function accountActions(account: UserAccount, me: SessionUser): AccountActions {
  if (account.id === me.id) {
    return {
      canChangeRole: false,
      canChangeActive: false,
      canResetPassword: false,
      reason:
        'This is you: you cannot change your own role or deactivate yourself (another admin can). Change your password from the user menu.',
    };
  }
  return { canChangeRole: true, canChangeActive: true, canResetPassword: true, reason: null };
}

/** The list with one account replaced by its new state (same place: the order is by name, which does not change). */
export function replaceAccount(list: UserList, account: UserAccount): UserList {
  return { users: list.users.map((user) => (user.id === account.id ? account : user)) };
}

/** "5 users: 1 admin, 1 lead, 3 experts; 1 deactivated". */
export function usersSummary(users: readonly UserAccount[]): string {
  const byRole = Role.options
    .map((role) => [role, users.filter((user) => user.role === role).length] as const)
    .filter(([, count]) => count > 0)
    .map(([role, count]) => plural(count, role));
  const deactivated = users.filter((user) => !user.active).length;
  return `${plural(users.length, 'user')}${byRole.length ? `: ${byRole.join(', ')}` : ''}${deactivated ? `; ${deactivated} deactivated` : ''}`;
}
