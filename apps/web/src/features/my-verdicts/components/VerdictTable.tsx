import type { MyVerdictRow } from '@bagel/contracts';
import { type MouseEvent, type Ref, useId } from 'react';
import { formatDateTime } from '../../../lib/format';
import { isPlainClick } from '../../../lib/links';
import { STATUS_LABELS, truncateComment, verdictAction } from '../lib/my-verdicts';

interface VerdictTableProps {
  rows: readonly MyVerdictRow[];
  /** The body of the table, to give the keyboard focus to the first row "Load more" brought. */
  bodyRef?: Ref<HTMLTableSectionElement>;
  /** The address of the review screen on an item. */
  reviewHref(itemId: number): string;
  /** Opens the item on the review screen in place. */
  onOpenReview(itemId: number): void;
}

/** The reviewer's items, most recent verdict first: what they judged, where the item stands, and a way to revise it (or read it, once final). */
export function VerdictTable({ rows, bodyRef, reviewHref, onOpenReview }: VerdictTableProps) {
  return (
    <div className="table-scroll">
      <table className="data-table mv-table" data-testid="my-verdicts-table">
        <caption className="visually-hidden">Your verdicts in this project, most recent first</caption>
        <thead>
          <tr>
            <th scope="col" className="mv-thumb-col">
              <span className="visually-hidden">Image</span>
            </th>
            <th scope="col">Item</th>
            <th scope="col">Original label</th>
            <th scope="col">Status</th>
            <th scope="col" className="num">
              Revision
            </th>
            <th scope="col">Judged</th>
            <th scope="col">Correct classes</th>
            <th scope="col">Problematic</th>
            <th scope="col">Comment</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody ref={bodyRef}>
          {rows.map((row, index) => (
            <VerdictRow key={row.itemId} row={row} index={index} reviewHref={reviewHref} onOpenReview={onOpenReview} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface VerdictRowProps {
  row: MyVerdictRow;
  index: number;
  reviewHref(itemId: number): string;
  onOpenReview(itemId: number): void;
}

function VerdictRow({ row, index, reviewHref, onOpenReview }: VerdictRowProps) {
  const reasonId = useId();
  const action = verdictAction(row);
  const comment = truncateComment(row.comment);
  const onClick = (event: MouseEvent) => {
    if (!isPlainClick(event)) return;
    event.preventDefault();
    onOpenReview(row.itemId);
  };

  return (
    <tr
      data-testid="my-verdict-row"
      data-index={index}
      data-item-id={row.itemId}
      data-status={row.status}
      data-revision={row.revision}
      data-revisable={row.revisable}
    >
      <td className="mv-thumb-col">
        <span className="mv-thumb">
          {/* The file is named in the row; a missing image file leaves the dark frame rather than a broken-image sign. */}
          <img src={row.previewUrl} alt="" loading="lazy" decoding="async" onError={(event) => (event.currentTarget.style.visibility = 'hidden')} />
        </span>
      </td>
      {/* The row's header, which "Load more" gives the focus to (tabIndex -1: not a stop of its own for Tab). */}
      <th scope="row" className="mv-item" tabIndex={-1}>
        <span className="mv-file" title={row.file}>
          {row.file}
        </span>
        <span className="muted mv-item-id">item {row.itemId}</span>
      </th>
      <td title={row.originalLabel.key}>{row.originalLabel.name}</td>
      <td>
        <span className={`status-pill status-${row.status}`} data-testid="verdict-status">
          {STATUS_LABELS[row.status]}
        </span>
      </td>
      <td className="num" data-testid="verdict-revision">
        <span title={`Revision ${row.revision} of your verdict`}>r{row.revision}</span>
      </td>
      <td className="mv-when">
        <time dateTime={row.submittedAt} title={row.submittedAt}>
          {formatDateTime(row.submittedAt)}
        </time>
      </td>
      <td>
        {row.correct.length === 0 ? (
          <em className="muted">none</em>
        ) : (
          <span className="mv-classes">
            {row.correct.map((cls) => (
              <span key={cls.key} className="badge badge-correct" title={cls.key} data-testid="verdict-correct" data-key={cls.key}>
                {cls.name}
              </span>
            ))}
          </span>
        )}
      </td>
      <td data-testid="verdict-problematic">
        {row.problematic ? (
          <span className="mv-problematic">⚑ problematic</span>
        ) : (
          <>
            <span aria-hidden="true" className="muted">
              –
            </span>
            <span className="visually-hidden">no</span>
          </>
        )}
      </td>
      <td className="mv-comment" data-testid="verdict-comment" title={row.comment || undefined}>
        {comment || (
          <>
            <span aria-hidden="true" className="muted">
              –
            </span>
            <span className="visually-hidden">none</span>
          </>
        )}
      </td>
      <td className="mv-action-cell">
        <a
          href={reviewHref(row.itemId)}
          className="text-button mv-action"
          aria-label={action.name}
          aria-describedby={action.kind === 'view' ? reasonId : undefined}
          onClick={onClick}
          data-testid={action.kind === 'revise' ? 'revise-link' : 'view-link'}
        >
          {action.label}
        </a>
        {action.kind === 'view' ? (
          <p id={reasonId} className="mv-locked-reason">
            {action.reason}
          </p>
        ) : null}
      </td>
    </tr>
  );
}
