import type { ReactNode } from 'react';
import { Button } from './button.tsx';
import { Dialog, DialogClose, DialogContent } from './dialog.tsx';
import { ErrorMessage } from './states.tsx';

/** Props of {@link ConfirmDialog}. */
export interface ConfirmDialogProps<T> {
  /** The thing to confirm an action on; the dialog is open while it is not null. */
  item: T | null | undefined;
  /** Called to close (Escape, the cancel button, outside click); not while pending. */
  onClose: () => void;
  title: (item: T) => string;
  description: (item: T) => string;
  /** The destructive button's label, e.g. "Delete report". */
  confirmLabel: string;
  /** Shown on the destructive button while the action runs (default: confirmLabel). */
  pendingLabel?: string;
  /** The safe button's label (default "Keep it"). */
  cancelLabel?: string;
  onConfirm: (item: T) => void;
  pending: boolean;
  /** The action's error, shown above the buttons. */
  error?: unknown;
  /** Renders the error (default: the shared ErrorMessage). */
  renderError?: (error: unknown) => ReactNode;
  /** Extra classes of both buttons (e.g. taller touch targets). */
  buttonClassName?: string;
}

/**
 * The confirmation of a destructive action on one item (delete, revoke): a modal dialog with
 * the consequence in words, the action's error when it fails, a safe default button and the
 * destructive one. Stays open while the action runs.
 */
export function ConfirmDialog<T>({ item, onClose, title, description, confirmLabel, pendingLabel, cancelLabel = 'Keep it', onConfirm, pending, error, renderError, buttonClassName }: ConfirmDialogProps<T>) {
  const open = item !== null && item !== undefined;
  return (
    <Dialog open={open} onOpenChange={(o) => !o && !pending && onClose()}>
      {open ? (
        <DialogContent title={title(item)} description={description(item)}>
          {error ? renderError ? renderError(error) : <ErrorMessage error={error} /> : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="outline" className={buttonClassName}>
                {cancelLabel}
              </Button>
            </DialogClose>
            <Button variant="destructive" className={buttonClassName} onClick={() => onConfirm(item)} disabled={pending}>
              {pending && pendingLabel ? pendingLabel : confirmLabel}
            </Button>
          </div>
        </DialogContent>
      ) : null}
    </Dialog>
  );
}
