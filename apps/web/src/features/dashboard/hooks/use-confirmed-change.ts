import { type KeyboardEvent, useEffect, useRef, useState } from 'react';

/**
 * A setting change that re-aggregates the project, asked first: `ask(value)` opens the confirmation (its button, at
 * `confirmRef`, takes the focus), `cancel` or Esc in it closes it and gives the focus back to Apply (`applyRef`), and
 * `confirm(apply)` applies the value asked about and closes it.
 */
export function useConfirmedChange<T>() {
  const [confirming, setConfirming] = useState<T | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const applyRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming !== null) confirmRef.current?.focus();
    else if (wasConfirming.current) applyRef.current?.focus();
    wasConfirming.current = confirming !== null;
  }, [confirming]);
  const cancel = () => setConfirming(null);
  return {
    confirming,
    confirmRef,
    applyRef,
    ask: (value: T) => setConfirming(value),
    cancel,
    confirm(apply: (value: T) => void) {
      if (confirming === null) return;
      apply(confirming);
      setConfirming(null);
    },
    onConfirmKey(event: KeyboardEvent) {
      if (event.key === 'Escape') {
        event.preventDefault();
        cancel();
      }
    },
  };
}
