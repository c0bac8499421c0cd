import { type ComponentPropsWithoutRef, type KeyboardEvent, type MouseEvent, type Ref, useEffect, useImperativeHandle, useRef } from 'react';

export interface ModalDialogProps extends Omit<ComponentPropsWithoutRef<'dialog'>, 'open' | 'onCancel' | 'onClose'> {
  /** Esc, the dialog's own close controls, or (with `closeOnBackdrop`) a click beside its box. */
  onClose(): void;
  /** A click on the backdrop closes the dialog (the dialog's own box must then have no padding of its own). */
  closeOnBackdrop?: boolean;
  /** When it closes, the focus goes back to what had it when the dialog opened. */
  restoreFocus?: boolean;
  /** What takes the focus when the dialog opens; the dialog itself by default. */
  initialFocus?: () => HTMLElement | null | undefined;
  ref?: Ref<HTMLDialogElement>;
}

/**
 * The app's modal dialogs (change password, a class's examples): a native `<dialog>`
 * opened with showModal, so the page behind is inert and Esc cancels it. The keys typed inside are the dialog's own:
 * they never reach the shortcuts of the screen behind (the review screen, the desk), whatever handles them first.
 */
export function ModalDialog({ onClose, closeOnBackdrop = false, restoreFocus = false, initialFocus, onKeyDown, onClick, ref, children, ...props }: ModalDialogProps) {
  const dialogRef = useRef<HTMLDialogElement>(null);
  useImperativeHandle(ref, () => dialogRef.current as HTMLDialogElement);

  // Opened once, on mount (later props do not reopen it): the focus it finds then is the one to give back.
  useEffect(() => {
    const dialog = dialogRef.current;
    const previous = document.activeElement;
    if (dialog && !dialog.open) dialog.showModal();
    (initialFocus?.() ?? dialog)?.focus();
    return () => {
      if (restoreFocus && previous instanceof HTMLElement && previous !== document.body && previous.isConnected) previous.focus();
    };
  }, []);

  return (
    <dialog
      ref={dialogRef}
      tabIndex={-1}
      {...props}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClose={onClose}
      onKeyDown={(event: KeyboardEvent<HTMLDialogElement>) => {
        event.stopPropagation();
        onKeyDown?.(event);
      }}
      onClick={(event: MouseEvent<HTMLDialogElement>) => {
        onClick?.(event);
        if (closeOnBackdrop && event.target === event.currentTarget) onClose();
      }}
    >
      {children}
    </dialog>
  );
}
