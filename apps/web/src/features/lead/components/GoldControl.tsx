import type { DeskItem } from '@bagel/contracts';
import { errorMessage } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { keepFocus } from '../../../lib/keep-focus';
import { useGoldMark } from '../api/gold';

/**
 * The item's gold mark on the desk: a final item the lead marks gold (or one whose answer was imported with the
 * project) is served, at the project's gold rate, to experts who did not judge it, and its final labels then (or the
 * imported answer) are the answer their reliability is measured against.
 */
export function GoldControl({ desk, readOnly }: { desk: DeskItem; readOnly: boolean }) {
  const { mark, unmark } = useGoldMark(desk.item.id);
  const final = desk.item.status === 'agreed' || desk.item.status === 'final';
  const busy = mark.isPending || unmark.isPending;
  const error = mark.error ?? unmark.error;
  if (!desk.gold && (!final || readOnly)) return null;
  return (
    <div className="gold-control" data-testid="gold-control" data-gold={desk.gold !== null}>
      {desk.gold ? (
        <span>
          <span className="badge badge-gold">Gold</span>{' '}
          {desk.gold.markedBy === null ? (
            <>
              imported with the project on {formatDateTime(desk.gold.markedAt)}: experts who did not judge it get it in their stream, and are measured
              against the imported answer.
            </>
          ) : (
            <>
              marked by {desk.gold.markedBy} on {formatDateTime(desk.gold.markedAt)}: experts who did not judge it get it in their stream, and are measured
              against its answer as it was then.
            </>
          )}
        </span>
      ) : (
        <span className="muted">Final: it can be a gold item, served to experts who did not judge it to measure their reliability.</span>
      )}
      {readOnly ? null : desk.gold ? (
        <button type="button" className="text-button" disabled={busy} onMouseDown={keepFocus} onClick={() => unmark.mutate()} data-testid="gold-unmark">
          Take off gold
        </button>
      ) : (
        <button type="button" className="secondary" disabled={busy} onMouseDown={keepFocus} onClick={() => mark.mutate()} data-testid="gold-mark">
          Mark as gold
        </button>
      )}
      {error ? (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
    </div>
  );
}
