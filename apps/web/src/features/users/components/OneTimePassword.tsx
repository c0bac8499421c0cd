import { useEffect, useId, useRef, useState } from 'react';

export interface GeneratedPassword {
  username: string;
  password: string;
  /** Why there is a new password: a user was added, or an admin reset it. */
  reason: 'created' | 'reset';
}

/**
 * A password the server generated, shown this once (nobody can read it again: only its hash is stored), with a copy
 * button. It takes the focus when it appears, so neither the eye nor a screen reader misses it.
 */
export function OneTimePassword({ generated, onDone }: { generated: GeneratedPassword; onDone(): void }) {
  const { username, password, reason } = generated;
  const boxRef = useRef<HTMLElement>(null);
  const valueRef = useRef<HTMLElement>(null);
  const [copy, setCopy] = useState<'copied' | 'selected' | null>(null);
  const titleId = useId();

  useEffect(() => {
    boxRef.current?.focus();
  }, []);

  const copyPassword = async () => {
    try {
      await navigator.clipboard.writeText(password);
      setCopy('copied');
    } catch {
      // No clipboard (a page served over plain HTTP is not allowed one): select the password, to copy by hand.
      const value = valueRef.current;
      const selection = window.getSelection();
      if (value && selection) {
        const range = document.createRange();
        range.selectNodeContents(value);
        selection.removeAllRanges();
        selection.addRange(range);
      }
      setCopy('selected');
    }
  };

  return (
    <section ref={boxRef} className="one-time-password" tabIndex={-1} aria-labelledby={titleId} data-testid="one-time-password">
      <div className="otp-head">
        <span className="otp-badge">Shown once</span>
        <h2 id={titleId}>{reason === 'created' ? `Password of the new user ${username}` : `New password of ${username}`}</h2>
      </div>
      <div className="otp-value-row">
        <code ref={valueRef} className="otp-value" data-testid="one-time-password-value">
          {password}
        </code>
        <button type="button" className="secondary" onClick={() => void copyPassword()} aria-label={`Copy the password of ${username}`}>
          Copy
        </button>
        <span className="otp-copy-status" role="status">
          {copy === 'copied' ? 'Copied to the clipboard.' : copy === 'selected' ? 'Selected: press Ctrl+C (⌘C) to copy it.' : ''}
        </span>
      </div>
      <p className="otp-note">
        <strong>This password will not be shown again.</strong> Copy it now and hand it to {username} over a safe channel
        {reason === 'reset' ? '; their sessions have been signed out, and the old password no longer works.' : '.'} If it is lost,
        reset it.
      </p>
      <button type="button" className="text-button" onClick={onDone} aria-label={`Done: hide the password of ${username}`}>
        Done
      </button>
    </section>
  );
}
