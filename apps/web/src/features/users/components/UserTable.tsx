import { Role, type SessionUser, type UserAccount } from '@bagel/contracts';
import { type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { useResetPassword } from '../api/reset-password';
import { useUpdateUser } from '../api/update-user';
import { accountActions } from '../lib/accounts';

interface UserTableProps {
  users: readonly UserAccount[];
  me: SessionUser;
  onPasswordReset(username: string, password: string): void;
}

/** Every user, by name, with their role, state and work; each row holds its own controls. */
export function UserTable({ users, me, onPasswordReset }: UserTableProps) {
  return (
    <div className="table-scroll">
      <table className="data-table users-table" data-testid="users-table">
        <caption className="visually-hidden">Users of Bagel</caption>
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
            <th scope="col">Created</th>
            <th scope="col" className="num">
              Judged items
            </th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((account) => (
            <UserRow key={account.id} account={account} me={me} onPasswordReset={onPasswordReset} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface UserRowProps {
  account: UserAccount;
  me: SessionUser;
  onPasswordReset(username: string, password: string): void;
}

function UserRow({ account, me, onPasswordReset }: UserRowProps) {
  const { username } = account;
  const update = useUpdateUser(account.id);
  const reset = useResetPassword(account.id);
  const [confirmingReset, setConfirmingReset] = useState(false);
  const actions = accountActions(account, me);
  const reasonId = useId();
  const resetButtonRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const refocusReset = useRef(false);

  useEffect(() => {
    if (confirmingReset) confirmRef.current?.focus();
    else if (refocusReset.current) {
      refocusReset.current = false;
      resetButtonRef.current?.focus();
    }
  }, [confirmingReset]);

  const busy = update.isPending || reset.isPending;
  const role = update.isPending && update.variables.role ? update.variables.role : account.role;
  const error = update.error ?? reset.error;
  const describedBy = actions.reason ? reasonId : undefined;

  // While a request of the row is on its way, its controls ignore a second one (rather than be disabled, which would
  // take the keyboard focus away from them).
  const changeRole = (next: Role) => {
    if (busy || next === account.role) return;
    reset.reset();
    update.mutate({ role: next });
  };
  const toggleActive = () => {
    if (busy) return;
    reset.reset();
    update.mutate({ active: !account.active });
  };
  const askReset = () => {
    if (!busy) setConfirmingReset(true);
  };
  const cancelReset = () => {
    if (reset.isPending) return;
    refocusReset.current = true;
    setConfirmingReset(false);
  };
  const confirmReset = () => {
    if (busy) return;
    update.reset();
    reset.mutate(undefined, {
      onSuccess: ({ password }) => {
        setConfirmingReset(false);
        onPasswordReset(username, password);
      },
    });
  };
  const onConfirmKeyDown = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    cancelReset();
  };

  return (
    <tr
      className={account.active ? undefined : 'is-inactive'}
      data-testid="user-row"
      data-username={username}
      data-role={account.role}
      data-active={account.active}
    >
      <th scope="row">
        {username}
        {actions.reason ? <span className="tag">you</span> : null}
      </th>
      <td>
        <select
          className="role-select"
          value={role}
          disabled={!actions.canChangeRole}
          aria-busy={update.isPending || undefined}
          onChange={(event) => changeRole(event.target.value as Role)}
          aria-label={`Role of ${username}`}
          aria-describedby={describedBy}
        >
          {Role.options.map((option) => (
            <option key={option} value={option}>
              {option}
            </option>
          ))}
        </select>
      </td>
      <td>
        {account.active ? <span className="state-active">active</span> : <span className="state-inactive">deactivated</span>}
      </td>
      <td>
        <time dateTime={account.createdAt} title={account.createdAt}>
          {formatDateTime(account.createdAt)}
        </time>
      </td>
      <td className="num">{account.judgedItems}</td>
      <td className="user-actions">
        <div className="user-action-buttons">
          <button
            type="button"
            className="text-button"
            disabled={!actions.canChangeActive}
            onClick={toggleActive}
            aria-label={`${account.active ? 'Deactivate' : 'Reactivate'} ${username}`}
            aria-describedby={describedBy}
            title={
              account.active
                ? 'They can no longer sign in; their sessions end and the items they hold go back to the queue. Their verdicts are kept.'
                : 'They can sign in again.'
            }
          >
            {account.active ? 'Deactivate' : 'Reactivate'}
          </button>
          {confirmingReset ? (
            <span className="confirm-reset" role="group" aria-label={`Reset the password of ${username}?`} onKeyDown={onConfirmKeyDown}>
              <span className="confirm-question">Generate a new password? {username}’s sessions end.</span>
              <button
                ref={confirmRef}
                type="button"
                className="text-button danger"
                onClick={confirmReset}
                aria-label={`Yes, reset the password of ${username}`}
              >
                {reset.isPending ? 'Resetting…' : 'Yes, reset'}
              </button>
              <button
                type="button"
                className="text-button"
                onClick={cancelReset}
                aria-label={`Cancel: keep the password of ${username}`}
              >
                Cancel
              </button>
            </span>
          ) : (
            <button
              ref={resetButtonRef}
              type="button"
              className="text-button"
              disabled={!actions.canResetPassword}
              onClick={askReset}
              aria-label={`Reset password of ${username}`}
              aria-describedby={describedBy}
            >
              Reset password
            </button>
          )}
        </div>
        {actions.reason ? (
          <p id={reasonId} className="own-account-note muted" data-testid="own-account-note">
            {actions.reason}
          </p>
        ) : null}
        {error ? (
          <p className="error" role="alert" data-testid="user-row-error">
            {errorMessage(error)}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
