import type { VerdictDraft, VerdictDraftRequest } from '@bagel/contracts';
import { ApiError } from '../../../lib/api-client';
import { failureKind, retryDelay } from './backoff';
import type { DraftVerdict } from './draft-verdict';
import { type LocalDrafts, draftRequestOf } from './local-drafts';

/**
 * Where a draft stands: `local`: kept in this browser, to be saved on the server shortly; `saving`; `saved`: on the
 * server too (another device finds it); `offline`: the server cannot be reached, kept in this browser and retried;
 * `session`: waits for the reviewer to sign in again; `refused`: the server would not take it (a verdict was stored
 * since), kept in this browser only. `none`: no draft (nothing changed).
 */
export type DraftSaveState = 'none' | 'local' | 'saving' | 'saved' | 'offline' | 'session' | 'refused';

export interface DraftSyncOptions {
  local: LocalDrafts;
  put(itemId: number, draft: VerdictDraftRequest, signal: AbortSignal): Promise<VerdictDraft>;
  remove(itemId: number): Promise<void>;
  /** The server stored the draft (to keep the cached item's copy current). */
  onSaved?(draft: VerdictDraft): void;
  /** A save found the session gone (401). */
  onUnauthorized?(): void;
  /** How long after the last change the draft is saved on the server. */
  debounceMs?: number;
  now?: () => number;
  random?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export const DRAFT_SAVE_DEBOUNCE_MS = 800;

/**
 * Saves a reviewer's drafts on the server as they work: each change is written to this browser at once (LocalDrafts)
 * and sent `debounceMs` after the last one (PUT /api/items/:itemId/draft). A failed save is retried with backoff while
 * the copy stays in this browser; a 401 waits for `resume`; a draft whose verdict has been submitted is not sent again.
 */
export function createDraftSync(options: DraftSyncOptions) {
  const { local } = options;
  const debounceMs = options.debounceMs ?? DRAFT_SAVE_DEBOUNCE_MS;
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));

  const states = new Map<number, DraftSaveState>();
  const timers = new Map<number, unknown>();
  const failures = new Map<number, number>();
  const inFlight = new Map<number, AbortController>();
  /** Changed again while a save was under way: save again once it is answered. */
  const again = new Set<number>();
  /** Submitted as a verdict: no more saves (the verdict's answer removes the draft). */
  const superseded = new Set<number>();
  const listeners = new Set<() => void>();
  let paused = false;
  let stopped = false;

  function setState(itemId: number, state: DraftSaveState): void {
    if (states.get(itemId) === state) return;
    states.set(itemId, state);
    for (const listener of [...listeners]) listener();
  }

  function cancelTimer(itemId: number): void {
    const timer = timers.get(itemId);
    if (timer !== undefined) clearTimer(timer);
    timers.delete(itemId);
  }

  function schedule(itemId: number, ms: number): void {
    cancelTimer(itemId);
    timers.set(
      itemId,
      setTimer(() => {
        timers.delete(itemId);
        push(itemId);
      }, ms),
    );
  }

  function push(itemId: number): void {
    if (stopped || superseded.has(itemId)) return;
    if (paused) {
      setState(itemId, 'session');
      return;
    }
    if (inFlight.has(itemId)) {
      again.add(itemId);
      return;
    }
    const copy = local.read(itemId);
    if (!copy || copy.synced || copy.refused) return;
    const controller = new AbortController();
    inFlight.set(itemId, controller);
    setState(itemId, 'saving');
    Promise.resolve()
      .then(() => options.put(itemId, draftRequestOf(copy.draft), controller.signal))
      .then(
        (saved) => {
          inFlight.delete(itemId);
          if (stopped) return;
          failures.delete(itemId);
          const current = local.read(itemId);
          if (current && !superseded.has(itemId)) {
            local.write({ ...current, synced: current.savedAt === copy.savedAt, serverUpdatedAt: saved.updatedAt });
          }
          options.onSaved?.(saved);
          if (again.delete(itemId) || (current && current.savedAt !== copy.savedAt)) push(itemId);
          else setState(itemId, 'saved');
        },
        (error: unknown) => {
          inFlight.delete(itemId);
          again.delete(itemId);
          if (stopped || superseded.has(itemId)) return;
          const kind = failureKind(error);
          if (kind === 'session') {
            paused = true;
            setState(itemId, 'session');
            options.onUnauthorized?.();
          } else if (kind === 'retry') {
            const count = (failures.get(itemId) ?? 0) + 1;
            failures.set(itemId, count);
            setState(itemId, 'offline');
            schedule(itemId, retryDelay(count, random));
          } else if (error instanceof ApiError && error.status === 404) {
            // The item is gone (or was never this reviewer's to judge): nothing to keep it for.
            local.remove(itemId);
            setState(itemId, 'none');
          } else {
            // DRAFT_STALE: a verdict was stored since this draft was started. Kept here, offered on the item.
            const current = local.read(itemId);
            if (current) local.write({ ...current, refused: true });
            setState(itemId, 'refused');
          }
        },
      );
  }

  function flushAll(): void {
    if (stopped || paused) return;
    for (const copy of local.all()) {
      const itemId = copy.draft.itemId;
      if (copy.synced || copy.refused || superseded.has(itemId)) continue;
      cancelTimer(itemId);
      push(itemId);
    }
  }

  return {
    /**
     * The reviewer changed the draft: kept in this browser at once, saved on the server shortly. `pristine`: it is
     * back to where the item started (nothing changed), so there is no draft to keep, here or on the server (where
     * `serverHadCopy` says the item came with one).
     */
    edited(draft: DraftVerdict, pristine: boolean, serverHadCopy = false): void {
      if (stopped) return;
      const itemId = draft.itemId;
      superseded.delete(itemId);
      const previous = local.read(itemId);
      if (pristine) {
        cancelTimer(itemId);
        local.remove(itemId);
        setState(itemId, 'none');
        if (previous || serverHadCopy) options.remove(itemId).catch(() => undefined);
        return;
      }
      local.write({ draft, savedAt: now(), synced: false, refused: false, serverUpdatedAt: previous?.serverUpdatedAt ?? null });
      setState(itemId, paused ? 'session' : 'local');
      schedule(itemId, debounceMs);
    },
    /** The verdict was submitted: the draft is not saved again (it stays in this browser until the verdict is stored). */
    supersede(itemId: number): void {
      superseded.add(itemId);
      cancelTimer(itemId);
      inFlight.get(itemId)?.abort();
    },
    /** The verdict was stored (the server deleted its copy): forget this browser's. */
    forget(itemId: number): void {
      superseded.add(itemId);
      cancelTimer(itemId);
      local.remove(itemId);
      setState(itemId, 'none');
    },
    /**
     * The reviewer threw away the draft kept from revision `baseRevision` (a verdict was stored since, so the server
     * holds none of that revision): this browser's copy goes, unless it is already a newer draft.
     */
    discardKept(itemId: number, baseRevision: number): void {
      const copy = local.read(itemId);
      if (copy?.draft.baseRevision !== baseRevision) return;
      cancelTimer(itemId);
      local.remove(itemId);
      setState(itemId, 'none');
    },
    /** Sends every draft this browser holds that the server has not got (at start, back online, signed in again). */
    flushAll,
    /** Signed in again: what waited is sent now. */
    resume(): void {
      paused = false;
      flushAll();
    },
    stateOf(itemId: number): DraftSaveState {
      const known = states.get(itemId);
      if (known) return known;
      const copy = local.read(itemId);
      return !copy ? 'none' : copy.refused ? 'refused' : copy.synced ? 'saved' : 'local';
    },
    subscribe(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    stop(): void {
      stopped = true;
      for (const timer of timers.values()) clearTimer(timer);
      timers.clear();
      for (const controller of inFlight.values()) controller.abort();
      inFlight.clear();
      listeners.clear();
    },
  };
}
export type DraftSync = ReturnType<typeof createDraftSync>;
