import { CreateUserRequest, Role, type UserAccount } from '@bagel/contracts';
import { describe, expect, it } from 'vitest';
import { ROLE_CHOICES, accountActions, newUserRequest, replaceAccount, usersSummary } from './accounts';

const account = (id: number, username: string, role: Role = 'expert', active = true): UserAccount => ({
  id,
  username,
  role,
  active,
  createdAt: '2024-05-01T10:00:00.000Z',
  judgedItems: 0,
});

describe('a new user', () => {
  it('asks the server to generate the password when none is typed', () => {
    const request = newUserRequest({ username: '  ann ', role: 'lead', password: '' });
    expect(request).toEqual({ username: 'ann', role: 'lead' });
    expect('password' in request).toBe(false);
    expect(CreateUserRequest.safeParse(request).success).toBe(true);
  });

  it('sends a typed password as typed (spaces are part of a password)', () => {
    expect(newUserRequest({ username: 'bob', role: 'expert', password: ' a long secret ' })).toEqual({
      username: 'bob',
      role: 'expert',
      password: ' a long secret ',
    });
  });

  it('offers every role of the contract', () => {
    expect(ROLE_CHOICES.map((c) => c.role).toSorted()).toEqual([...Role.options].toSorted());
  });
});

describe('what an admin may do to an account', () => {
  const me = { id: 5, username: 'admin', role: 'admin' as const };

  it('is everything for another user, whatever their role', () => {
    for (const other of [account(1, 'ann'), account(2, 'root', 'admin'), account(3, 'gone', 'lead', false)]) {
      expect(accountActions(other, me)).toEqual({ canChangeRole: true, canChangeActive: true, canResetPassword: true, reason: null });
    }
  });

  it('is nothing for their own account, with the reason (the server refuses it: OWN_ACCOUNT)', () => {
    const actions = accountActions(account(5, 'admin', 'admin'), me);
    expect(actions.canChangeRole || actions.canChangeActive || actions.canResetPassword).toBe(false);
    expect(actions.reason).toMatch(/cannot change your own role or deactivate yourself/);
    expect(actions.reason).toMatch(/user menu/);
  });
});

describe('the list of users', () => {
  it('replaces one account in place and leaves the others', () => {
    const list = { users: [account(1, 'ann'), account(2, 'bob'), account(3, 'cy')] };
    const updated = replaceAccount(list, { ...account(2, 'bob', 'lead'), active: false });
    expect(updated.users.map((u) => [u.username, u.role, u.active])).toEqual([
      ['ann', 'expert', true],
      ['bob', 'lead', false],
      ['cy', 'expert', true],
    ]);
    expect(list.users[1]!.role).toBe('expert');
    expect(replaceAccount(list, account(9, 'zed')).users).toEqual(list.users);
  });

  it('sums up the roles and the deactivated accounts', () => {
    expect(usersSummary([account(1, 'a', 'admin'), account(2, 'b'), account(3, 'c'), account(4, 'd', 'lead', false)])).toBe(
      '4 users: 1 admin, 1 lead, 2 experts; 1 deactivated',
    );
    expect(usersSummary([account(1, 'a', 'admin')])).toBe('1 user: 1 admin');
    expect(usersSummary([])).toBe('0 users');
  });
});
