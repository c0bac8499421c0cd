import type { ReviewItem } from '@bagel/contracts';
import { type QueryClient, useQueryClient } from '@tanstack/react-query';
import { useEffect, useSyncExternalStore } from 'react';
import { newUuid } from '../../../lib/uuid';
import { onSessionResumed, reportSessionEnded } from '../../../stores/session-store';
import { deleteDraft, putDraft } from '../api/drafts';
import { itemKey } from '../api/get-item';
import { submitVerdict, verdictStored } from '../api/submit-verdict';
import { type DraftSync, createDraftSync } from '../lib/draft-sync';
import { type LocalDrafts, browserStorage, createLocalDrafts, draftOfRequest } from '../lib/local-drafts';
import { type Outbox, createOutbox, outboxStorageKey } from '../lib/outbox';

/** One signed-in reviewer's unsent work in this browser: their drafts, and the verdicts on their way. */
export interface ReviewerSync {
  userId: number;
  local: LocalDrafts;
  drafts: DraftSync;
  outbox: Outbox;
}

function create(userId: number, queryClient: QueryClient): ReviewerSync {
  const storage = browserStorage();
  const local = createLocalDrafts(storage, userId);
  const drafts = createDraftSync({
    local,
    put: putDraft,
    remove: deleteDraft,
    // The cached item keeps the server's copy current, so that coming back to it compares with the right one.
    onSaved: (draft) => queryClient.setQueryData<ReviewItem>(itemKey(draft.itemId), (item) => (item ? { ...item, myDraft: draft } : item)),
    onUnauthorized: reportSessionEnded,
  });
  const outbox = createOutbox({
    storage,
    storageKey: outboxStorageKey(userId),
    send: (entry, signal) => submitVerdict(entry.itemId, entry.request, entry.key, signal),
    newKey: newUuid,
  });
  // A verdict an earlier page left unsent replaces its draft: the draft is not saved as well (the verdict removes it).
  for (const entry of outbox.getSnapshot().pending) drafts.supersede(entry.itemId);
  outbox.watch((event) => {
    if (event.kind === 'stored') {
      drafts.forget(event.entry.itemId);
      verdictStored(queryClient, event.entry.projectId, event.verdict);
    } else if (event.kind === 'paused') {
      reportSessionEnded();
    } else if (event.kind === 'refused') {
      // Refused for good (the item became final, a stale revision…): the draft stays in this browser, not sent again
      // as it is, and is offered on the item (or put back when the item reopens).
      const { itemId, request } = event.entry;
      const copy = local.read(itemId);
      local.write({
        draft: copy?.draft ?? draftOfRequest(itemId, request),
        savedAt: Date.now(),
        synced: false,
        refused: true,
        serverUpdatedAt: copy?.serverUpdatedAt ?? null,
      });
    }
  });
  return { userId, local, drafts, outbox };
}

let current: ReviewerSync | null = null;
const listeners = new Set<() => void>();

/** The signed-in reviewer's sync (made on first use). */
export function reviewerSyncOf(userId: number, queryClient: QueryClient): ReviewerSync {
  if (current?.userId !== userId) {
    if (current) stopReviewerSync(current.userId);
    current = create(userId, queryClient);
    for (const listener of [...listeners]) listener();
  }
  return current;
}

/** Stops sending (signed out). What the server holds is no longer kept in this browser; unsent work stays for next time. */
export function stopReviewerSync(userId: number): void {
  if (current?.userId !== userId) return;
  const { local, drafts, outbox } = current;
  drafts.stop();
  outbox.stop();
  for (const copy of local.all()) if (copy.synced) local.remove(copy.draft.itemId);
  current = null;
  for (const listener of [...listeners]) listener();
}

function subscribeReviewerSync(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The signed-in reviewer's drafts and outbox, for the review screen. */
export function useReviewerSync(userId: number): ReviewerSync {
  const queryClient = useQueryClient();
  useSyncExternalStore(subscribeReviewerSync, () => current);
  return reviewerSyncOf(userId, queryClient);
}

/**
 * Runs the reviewer's sync while they are signed in, whatever the view: sends what an earlier page left unsent, sends
 * again at once when the browser is back online or the reviewer has signed in again, and stops at sign-out.
 */
export function useReviewerSyncRunner(userId: number): void {
  const queryClient = useQueryClient();
  useEffect(() => {
    const sync = reviewerSyncOf(userId, queryClient);
    const retry = () => {
      sync.outbox.retryNow();
      sync.drafts.flushAll();
    };
    retry();
    window.addEventListener('online', retry);
    const stopResumed = onSessionResumed(() => {
      sync.outbox.resume();
      sync.drafts.resume();
    });
    return () => {
      window.removeEventListener('online', retry);
      stopResumed();
      stopReviewerSync(userId);
    };
  }, [userId, queryClient]);
}
