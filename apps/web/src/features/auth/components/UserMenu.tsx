import type { SessionUser } from '@bagel/contracts';
import { type FocusEvent, type KeyboardEvent, type MouseEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useLogout } from '../api/logout';
import { ChangePasswordDialog } from './ChangePasswordDialog';

interface UserMenuProps {
  user: SessionUser;
  /** Entries the app adds to the menu for this user's role (links to its pages), after "Change password". */
  children?: ReactNode;
}

const NOTICE_MS = 8000;

/**
 * The signed-in user at the end of every header: their name opens a small menu (change password, and the pages the
 * app adds for their role), and Log out stays one click away.
 */
export function UserMenu({ user, children }: UserMenuProps) {
  const logout = useLogout();
  const [open, setOpen] = useState(false);
  const [changingPassword, setChangingPassword] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);
  const refocusButton = useRef(false);
  const menuId = useId();

  // Open: the first entry takes the focus, and a press anywhere else closes the menu.
  useEffect(() => {
    if (!open) return;
    menuEntries(menuRef.current)[0]?.focus();
    const onPointerDown = (event: PointerEvent) => {
      if (!(event.target instanceof Node && rootRef.current?.contains(event.target))) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  // Back from the dialog (once it has left the page, which made everything else inert): the focus returns to the name.
  useEffect(() => {
    if (changingPassword || !refocusButton.current) return;
    refocusButton.current = false;
    buttonRef.current?.focus();
  }, [changingPassword]);

  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), NOTICE_MS);
    return () => window.clearTimeout(timer);
  }, [notice]);

  const closeMenu = (refocus: boolean) => {
    setOpen(false);
    if (refocus) buttonRef.current?.focus();
  };
  const closeDialog = (changed: boolean) => {
    refocusButton.current = true;
    setChangingPassword(false);
    if (changed) setNotice('Password changed. Your other sessions have been signed out.');
  };

  // The menu's keys are its own (the screen's shortcuts must not see them): arrows move, Esc closes.
  const onMenuKeyDown = (event: KeyboardEvent) => {
    event.stopPropagation();
    const entries = menuEntries(menuRef.current);
    const index = entries.indexOf(document.activeElement as HTMLElement);
    if (event.key === 'Escape') closeMenu(true);
    else if (event.key === 'ArrowDown') entries[(index + 1) % entries.length]?.focus();
    else if (event.key === 'ArrowUp') entries[(index - 1 + entries.length) % entries.length]?.focus();
    else if (event.key === 'Home') entries[0]?.focus();
    else if (event.key === 'End') entries.at(-1)?.focus();
    else return;
    event.preventDefault();
  };
  const onButtonKeyDown = (event: KeyboardEvent) => {
    // Enter and Space press the button, ArrowDown opens the menu: none of them is a shortcut of the screen.
    if (event.key === 'Enter' || event.key === ' ' || event.key === 'ArrowDown') event.stopPropagation();
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
    }
  };
  // An entry chosen (a link to a page, or "Change password"): the menu has done its job.
  const onMenuClick = (event: MouseEvent) => {
    if (event.target instanceof Element && event.target.closest('a, button')) setOpen(false);
  };
  const onBlur = (event: FocusEvent) => {
    if (open && !(event.relatedTarget instanceof Node && event.currentTarget.contains(event.relatedTarget))) setOpen(false);
  };

  return (
    <div className="user-menu" ref={rootRef} onBlur={onBlur}>
      <div className="account">
        <button
          ref={buttonRef}
          type="button"
          className="account-button"
          aria-expanded={open}
          aria-controls={open ? menuId : undefined}
          aria-label={`${user.username} (${user.role}): account menu`}
          title={`Signed in as ${user.username} (${user.role})`}
          onClick={() => setOpen((current) => !current)}
          onKeyDown={onButtonKeyDown}
          data-testid="account-button"
        >
          <span className="user-name" data-testid="user-name">
            {user.username}
            <span className="user-role">{user.role}</span>
          </span>
          <span className="account-caret" aria-hidden="true">
            ▾
          </span>
        </button>
        {open ? (
          <div
            ref={menuRef}
            id={menuId}
            className="account-menu"
            role="group"
            aria-label={`Account of ${user.username}`}
            onKeyDown={onMenuKeyDown}
            onClick={onMenuClick}
            data-testid="account-menu"
          >
            <button type="button" className="menu-entry" aria-haspopup="dialog" onClick={() => setChangingPassword(true)}>
              Change password
            </button>
            {children}
          </div>
        ) : null}
      </div>
      <button type="button" className="text-button" onClick={() => logout.mutate()} disabled={logout.isPending}>
        Log out
      </button>
      {changingPassword ? <ChangePasswordDialog onClose={() => closeDialog(false)} onChanged={() => closeDialog(true)} /> : null}
      {notice ? (
        <p className="toast" role="status" data-testid="user-menu-notice">
          {notice}
        </p>
      ) : null}
    </div>
  );
}

function menuEntries(menu: HTMLElement | null): HTMLElement[] {
  return menu ? Array.from(menu.querySelectorAll<HTMLElement>('a[href], button:not(:disabled)')) : [];
}
