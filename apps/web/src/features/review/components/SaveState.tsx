import { useSyncExternalStore } from 'react';
import type { DraftSaveState, DraftSync } from '../lib/draft-sync';
import type { OutboxEntry, OutboxSnapshot } from '../lib/outbox';

type VerdictSaveState = 'idle' | 'saving' | 'saved' | 'retrying' | 'session';

function verdictSaveState(outbox: OutboxSnapshot): VerdictSaveState {
  if (outbox.pending.length > 0) {
    if (outbox.paused) return 'session';
    return outbox.pending.some((e) => e.error !== null) ? 'retrying' : 'saving';
  }
  return outbox.lastStoredAt !== null ? 'saved' : 'idle';
}

/**
 * Where the reviewer's submitted verdicts stand, in the header: saving, saved, or not saved yet (retrying, or waiting
 * for a sign-in). The reviewer goes on meanwhile; nothing here needs them unless the server refuses a verdict.
 */
export function SaveState({ outbox }: { outbox: OutboxSnapshot }) {
  const state = verdictSaveState(outbox);
  const count = outbox.pending.length;
  const lastError = outbox.pending.find((e) => e.error !== null)?.error ?? undefined;
  const text =
    state === 'saving'
      ? 'Saving…'
      : state === 'saved'
        ? 'Saved'
        : state === 'retrying'
          ? `Not saved: retrying${count > 1 ? ` (${count} verdicts)` : ''}`
          : state === 'session'
            ? `Not saved: sign in again${count > 1 ? ` (${count} verdicts)` : ''}`
            : '';
  return (
    <span className={`save-state is-${state}`} role="status" data-testid="save-state" data-state={state} data-pending={count} title={state === 'retrying' ? lastError : undefined}>
      {text}
    </span>
  );
}

/** A verdict the server refused after the screen had moved on (the item became final, a stale revision…): the draft is kept. */
export function RefusedVerdictBanner({ entry, onOpen, onDismiss }: { entry: OutboxEntry; onOpen(): void; onDismiss(): void }) {
  return (
    <div className="banner refused-banner" role="alert" data-testid="refused-verdict" data-item-id={entry.itemId} data-code={entry.code ?? ''}>
      <span>
        <strong>Your verdict on item {entry.itemId} was not saved:</strong> {entry.error} Your draft is kept.
      </span>
      <button type="button" className="link-button" onClick={onOpen} data-testid="open-refused">
        Open item {entry.itemId}
      </button>
      <button type="button" className="link-button" aria-label={`Dismiss the message about item ${entry.itemId}`} onClick={onDismiss}>
        Dismiss
      </button>
    </div>
  );
}

const DRAFT_TEXT: Record<DraftSaveState, string> = {
  none: '',
  local: 'Draft kept in this browser',
  saving: 'Saving the draft…',
  saved: 'Draft saved',
  offline: 'Draft kept in this browser: the server cannot be reached, retrying',
  session: 'Draft kept in this browser: sign in again to save it',
  refused: 'Draft kept in this browser only',
};

/** Where the draft of the item on screen stands (kept in this browser, saved on the server), or the verdict on its way. */
export function DraftStatus({ sync, itemId, waiting, paused }: { sync: DraftSync; itemId: number; waiting: boolean; paused: boolean }) {
  const state = useSyncExternalStore(sync.subscribe, () => sync.stateOf(itemId));
  const text = waiting ? (paused ? 'Verdict not sent yet: sign in again to send it' : 'Sending the verdict…') : DRAFT_TEXT[state];
  return (
    <span className="draft-state muted" role="status" data-testid="draft-state" data-state={waiting ? 'submitting' : state}>
      {text}
    </span>
  );
}
