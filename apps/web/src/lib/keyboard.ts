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
 * How the element that has the focus got it: `:focus-visible` at the moment it took the focus (Tab, or a programmatic
 * focus after keyboard use) and not later, since the browser turns a mouse-focused button `:focus-visible` as soon as
 * any key is pressed on it (a shortcut such as `w` included).
 */
const focusedByKeyboard = new WeakSet<Element>();
let focusTracking = false;
function trackFocus(): void {
  if (focusTracking || typeof document === 'undefined') return;
  focusTracking = true;
  document.addEventListener(
    'focusin',
    (event) => {
      const target = event.target;
      if (!(target instanceof Element)) return;
      if (target.matches(':focus-visible')) focusedByKeyboard.add(target);
      else focusedByKeyboard.delete(target);
    },
    true,
  );
}

/**
 * A control reached with Tab keeps the native meaning of Enter (press it). A control that merely kept the focus after
 * a mouse click does not, even after other keys were pressed: there Enter still does the screen's main action, so a
 * click on a secondary button (or an entry of the lead's queue) never turns a later Enter into that button.
 */
export function isKeyboardFocusedControl(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && target !== document.body && target.matches(':focus-visible') && focusedByKeyboard.has(target);
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
    trackFocus();
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.isComposing) return;
      if (handle(event, latest.current)) event.preventDefault();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => window.removeEventListener('keydown', onKeyDown);
  }, [handle]);
}
