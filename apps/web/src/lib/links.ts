/** The modifier keys and button of a click, as React's and the DOM's mouse events both carry them. */
export interface ClickLike {
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/**
 * A plain left click on one of the app's links: the app opens the view in place. Any other click (middle button, or
 * with Ctrl, ⌘, Shift or Alt) is left to the browser, which opens the link's address in a new tab or window.
 */
export const isPlainClick = (event: ClickLike): boolean => event.button === 0 && !event.metaKey && !event.ctrlKey && !event.shiftKey && !event.altKey;
