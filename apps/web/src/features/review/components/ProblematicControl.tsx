import { PROBLEMATIC_REASONS } from '@bagel/contracts';
import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Combobox } from '../../../components/Combobox';
import { keepFocus } from '../../../lib/keep-focus';
import { useReviewUiStore } from '../stores/review-ui-store';

const FREE_TEXT = 'free-text:';

/**
 * The problematic flag and its reason: one of the reasons used in practice, or the expert's own words. Read-only (an
 * agreed or final item), the flag as given, off, and its reason as text.
 */
export function ProblematicControl({ readOnly = false }: { readOnly?: boolean }) {
  const { problematic, reason, pickerOpen } = useReviewUiStore(
    useShallow((s) => ({ problematic: s.draft?.problematic ?? false, reason: s.draft?.problematicReason ?? '', pickerOpen: s.overlay === 'problematic' })),
  );
  const { setProblematic, openOverlay } = useReviewUiStore(useShallow((s) => ({ setProblematic: s.setProblematic, openOverlay: s.openOverlay })));

  if (readOnly) {
    return (
      <div className={`problematic${problematic ? ' is-on' : ''}`}>
        <button type="button" className="toggle" aria-pressed={problematic} aria-label="Problematic" disabled>
          <span className="toggle-box" aria-hidden="true">
            {problematic ? '✓' : ''}
          </span>
          Problematic
        </button>
        {problematic ? (
          <span className="reason" title={reason} data-testid="problematic-reason">
            <span className="visually-hidden">Reason: </span>
            {reason}
          </span>
        ) : null}
      </div>
    );
  }

  return (
    <div className={`problematic${problematic ? ' is-on' : ''}`}>
      <button
        type="button"
        className="toggle"
        aria-pressed={problematic}
        aria-label="Flag the image problematic (p)"
        title="p"
        onMouseDown={keepFocus}
        onClick={() => {
          if (problematic) setProblematic(false);
          else {
            setProblematic(true);
            openOverlay('problematic');
          }
        }}
      >
        <span className="toggle-box" aria-hidden="true">
          {problematic ? '✓' : ''}
        </span>
        Problematic <kbd>p</kbd>
      </button>
      {problematic ? (
        <button type="button" className="reason" aria-label={`Reason: ${reason || 'none yet'}. Change the reason`} onMouseDown={keepFocus} onClick={() => openOverlay('problematic')} data-testid="problematic-reason">
          {reason || <em>pick a reason</em>}
        </button>
      ) : null}
      {pickerOpen ? <ReasonPicker initial={reason} /> : null}
    </div>
  );
}

function ReasonPicker({ initial }: { initial: string }) {
  const [query, setQuery] = useState(PROBLEMATIC_REASONS.some((r) => r === initial) ? '' : initial);
  const { setProblematic, closeOverlay } = useReviewUiStore(useShallow((s) => ({ setProblematic: s.setProblematic, closeOverlay: s.closeOverlay })));
  const typed = query.trim();
  const matching = PROBLEMATIC_REASONS.filter((r) => r.toLowerCase().includes(typed.toLowerCase()));
  const options = [
    ...matching.map((r) => ({ id: r, content: r })),
    ...(typed ? [{ id: FREE_TEXT + typed, content: <>Use “{typed}”</> }] : []),
  ];

  const close = () => {
    // Leaving without a reason undoes the flag: a problematic image always says why.
    if (!useReviewUiStore.getState().draft?.problematicReason.trim()) setProblematic(false);
    closeOverlay();
  };

  return (
    <div className="popover reason-picker" role="dialog" aria-label="Why is the image problematic?">
      <Combobox
        label="Reason the image is problematic"
        placeholder="Pick a reason or type your own…"
        query={query}
        onQueryChange={setQuery}
        options={options}
        onPick={(id) => {
          setProblematic(true, id.startsWith(FREE_TEXT) ? id.slice(FREE_TEXT.length) : id);
          closeOverlay();
        }}
        onClose={close}
        emptyText="Type a reason."
        testId="problematic-reasons"
      />
      <p className="popover-hint">
        <kbd>↑</kbd> <kbd>↓</kbd> choose · <kbd>Enter</kbd> pick · <kbd>Esc</kbd> cancel
      </p>
    </div>
  );
}
