import type { LeadQueue } from '@bagel/contracts';
import { errorMessage } from '../../../lib/api-client';
import type { LeadQueueStatus } from '../api/get-lead-queue';

type Entry = LeadQueue['items'][number];

export const QUEUE_FILTERS: readonly { status: LeadQueueStatus; label: string; title: string }[] = [
  { status: 'disputed', label: 'Disputed', title: 'Items the panel disputes, waiting for the lead’s decision' },
  { status: 'agreed', label: 'Agreed', title: 'Items the panel agreed on (final automatically)' },
  { status: 'final', label: 'Final', title: 'Items you decided' },
  { status: 'all', label: 'All', title: 'Every item of a complete panel: disputed, agreed or decided' },
];

interface DeskQueueProps {
  status: LeadQueueStatus;
  onStatusChange(status: LeadQueueStatus): void;
  queue: LeadQueue | undefined;
  error: unknown;
  isPending: boolean;
  selectedItemId: number | null;
  onOpen(itemId: number): void;
  page: { offset: number; limit: number };
  onPage(offset: number): void;
}

/** The lead's queue: disputed items, most divided first (the server's order), or the items already decided. */
export function DeskQueue({ status, onStatusChange, queue, error, isPending, selectedItemId, onOpen, page, onPage }: DeskQueueProps) {
  return (
    <nav className="desk-queue" aria-label="The lead's queue">
      <div className="queue-filters" role="group" aria-label="Show items">
        {QUEUE_FILTERS.map((filter) => (
          <button
            key={filter.status}
            type="button"
            className="segment"
            aria-pressed={status === filter.status}
            title={filter.title}
            onClick={() => onStatusChange(filter.status)}
            data-testid={`queue-filter-${filter.status}`}
          >
            {filter.label}
          </button>
        ))}
      </div>
      <div className="queue-count muted" data-testid="queue-count" aria-live="polite">
        {queue ? `${queue.total} item${queue.total === 1 ? '' : 's'}${status === 'disputed' ? ' to decide' : ''}` : isPending ? 'Loading…' : ''}
      </div>
      {error ? (
        <p className="error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      {queue && queue.items.length === 0 ? (
        <p className="queue-empty" data-testid="queue-empty">
          {status === 'disputed' ? 'Nothing disputed: every complete panel agreed, or you decided it.' : 'No item here yet.'}
        </p>
      ) : null}
      <ol className="queue-list">
        {queue?.items.map((entry) => (
          <li key={entry.itemId}>
            <QueueEntry entry={entry} selected={entry.itemId === selectedItemId} onOpen={onOpen} />
          </li>
        ))}
      </ol>
      {queue && queue.total > page.limit ? (
        <div className="queue-pages">
          <button type="button" className="text-button" disabled={page.offset === 0} onClick={() => onPage(Math.max(0, page.offset - page.limit))}>
            Previous
          </button>
          <span className="muted">
            {page.offset + 1}–{Math.min(queue.total, page.offset + page.limit)} of {queue.total}
          </span>
          <button type="button" className="text-button" disabled={page.offset + page.limit >= queue.total} onClick={() => onPage(page.offset + page.limit)}>
            Next
          </button>
        </div>
      ) : null}
    </nav>
  );
}

function QueueEntry({ entry, selected, onOpen }: { entry: Entry; selected: boolean; onOpen(itemId: number): void }) {
  const reasons = disputeSummary(entry);
  return (
    <button
      type="button"
      className={`queue-entry${selected ? ' is-selected' : ''}`}
      aria-current={selected ? 'true' : undefined}
      aria-label={`Item ${entry.itemId}: ${entry.file}, original label ${entry.originalLabel.name}, ${entry.status}${reasons ? `: ${reasons}` : ''}`}
      onClick={() => onOpen(entry.itemId)}
      data-testid="queue-entry"
      data-item-id={entry.itemId}
      data-status={entry.status}
    >
      <img className="queue-thumb" src={`${entry.previewUrl}?width=256`} alt="" loading="lazy" />
      <span className="queue-text">
        <span className="queue-file">{entry.file}</span>
        <span className="queue-label">
          <span className="muted">label</span> {entry.originalLabel.name}
        </span>
        {reasons ? <span className="queue-reasons">{reasons}</span> : null}
        <span className="queue-meta muted">
          item {entry.itemId} · {entry.verdictCount} verdict{entry.verdictCount === 1 ? '' : 's'}
          {entry.status !== 'disputed' ? <span className={`status-pill status-${entry.status}`}>{entry.status}</span> : null}
        </span>
      </span>
    </button>
  );
}

/** A short line: what the panel disputes (classes, the flag, grades). */
function disputeSummary(entry: Entry): string {
  if (entry.disputes.length === 0) return '';
  const classes = entry.disputes.filter((d) => d.kind === 'class').length;
  const parts: string[] = [];
  if (classes > 0) parts.push(`${classes} class${classes === 1 ? '' : 'es'}`);
  if (entry.disputes.some((d) => d.kind === 'problematic')) parts.push('problematic');
  const severities = entry.disputes.filter((d) => d.kind === 'severity').length;
  const categories = entry.disputes.filter((d) => d.kind === 'category').length;
  if (severities > 0) parts.push(`${severities} severit${severities === 1 ? 'y' : 'ies'}`);
  if (categories > 0) parts.push(`${categories} categor${categories === 1 ? 'y' : 'ies'}`);
  return `${entry.status === 'disputed' ? 'disputed' : 'panel disputed'}: ${parts.join(', ')}`;
}
