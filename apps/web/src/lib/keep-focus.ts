import type { MouseEvent } from 'react';

/**
 * onMouseDown of small controls: a mouse click leaves the keyboard focus where it was, so the next shortcut (Enter
 * above all) goes to the screen's keyboard handler and not to the control that was clicked.
 */
export function keepFocus(event: MouseEvent): void {
  event.preventDefault();
}
