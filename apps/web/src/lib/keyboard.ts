/** Rules shared by the screens driven from the keyboard (the review screen, the lead's desk). */
import { useEffect, useLayoutEffect, useRef } from 'react';

/** A box the person is typing in: its keys are text, never shortcuts. */
export function isTextEntry(target: EventTarget | null): target is HTMLElement {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(target.type);
}

/**
 * A control reached with Tab keeps the native meaning of Enter (press it). A control that merely kept the focus after
 * a mouse click does not: there Enter still does the screen's main action, so a click on a secondary button never
 * turns a later Enter into that button.
 */
export function isKeyboardFocusedControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target !== document.body && target.matches(':focus-visible');
}

/**
 * A screen's keyboard: one keydown listener on the window that hands each key, with the screen's latest context, to
 * `handle` (a module-level function), and prevents the default when `handle` used the key.
 */
export function useWindowKeyboard<C>(ctx: C, handle: (event: KeyboardEvent, ctx: C) => boolean): void {
  const latest = useRef(ctx);
  useLayoutEffect(() => {
    latest.current = ctx;
  });
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (handle(event, latest.current)) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [handle]);
}
