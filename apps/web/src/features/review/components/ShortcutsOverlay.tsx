import { useEffect, useRef } from 'react';
import { READ_ONLY_SHORTCUTS_NOTE, shortcutGroups } from '../lib/shortcuts';
import { useReviewUiStore } from '../stores/review-ui-store';

/**
 * Every keyboard shortcut of the review screen, opened and closed with `?` (Esc closes too); on a read-only item (agreed
 * or final), only those that still act, and why the others do not.
 */
export function ShortcutsOverlay({
  mistakeCategories,
  readOnly = false,
  examples = false,
  guide = false,
}: {
  mistakeCategories: readonly string[];
  readOnly?: boolean;
  /** The screen shows the examples of a class (`e`). */
  examples?: boolean;
  /** The screen shows the labeling guide (`g`). */
  guide?: boolean;
}) {
  const closeOverlay = useReviewUiStore((s) => s.closeOverlay);
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const previous = document.activeElement;
    closeRef.current?.focus();
    return () => {
      if (previous instanceof HTMLElement && previous !== document.body) previous.focus();
    };
  }, []);

  return (
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && closeOverlay()}>
      <div className="modal shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts-overlay">
        <header className="modal-head">
          <h2 id="shortcuts-title">Keyboard shortcuts</h2>
          <button ref={closeRef} type="button" className="icon-button" aria-label="Close the shortcuts (Esc)" onClick={closeOverlay}>
            ×
          </button>
        </header>
        <div className="shortcut-groups">
          {shortcutGroups(mistakeCategories, { readOnly, examples, guide }).map((group) => (
            <section key={group.title}>
              <h3>{group.title}</h3>
              <dl>
                {group.shortcuts.map((shortcut) => (
                  <div key={shortcut.action} className="shortcut" data-testid="shortcut">
                    <dt>
                      {shortcut.keys.map((key, i) => (
                        <span key={key}>
                          {i > 0 ? <span className="key-sep">{shortcut.keys[0] === 'Shift' ? '+' : 'or'}</span> : null}
                          <kbd>{key}</kbd>
                        </span>
                      ))}
                    </dt>
                    <dd>{shortcut.action}</dd>
                  </div>
                ))}
              </dl>
            </section>
          ))}
        </div>
        {readOnly ? (
          <p className="modal-foot notice" data-testid="shortcuts-read-only-note">
            {READ_ONLY_SHORTCUTS_NOTE}
          </p>
        ) : null}
        <p className="modal-foot muted">
          Keys act on the review screen, not while you type in a box (there, <kbd>Esc</kbd> leaves the box).
          {readOnly ? null : " Categories 4–7 are the project's first four; other categories are picked with the mouse."}
        </p>
      </div>
    </div>
  );
}
