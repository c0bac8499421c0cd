import { type GoldFeedback, type SubmittedVerdict, VerdictRequest } from '@bagel/contracts';
import { errorMessage } from '../../../lib/api-client';
import { failureKind, retryDelay } from './backoff';
import type { StorageLike } from './local-drafts';

/** One verdict to deliver: sent with its `key` as Idempotency-Key until the server acknowledges or refuses it. */
export interface OutboxEntry {
  /** The Idempotency-Key: one per submission, the same for every attempt. */
  key: string;
  itemId: number;
  projectId: number;
  request: VerdictRequest;
  /** Client time it was queued (ms). */
  queuedAt: number;
  attempts: number;
  /** Client time the next attempt is due (ms); 0: at once. */
  nextAttemptAt: number;
  /** `refused`: the server said no for good (kept to be shown until dismissed); else still to deliver. */
  status: 'pending' | 'refused';
  /** Why the last attempt failed (while retrying), or the server's refusal. */
  error: string | null;
  /** The refusal's code (ITEM_FINAL, STALE_REVISION, …). */
  code: string | null;
}

/**
 * The feedback the server gave with a stored verdict (the item was a gold item and the project tells experts after
 * one: docs/AGGREGATION.md, "Gold items"), kept in memory to show until dismissed or followed by another.
 */
export interface StoredGoldFeedback {
  /** The submission's key (one feedback per submission). */
  key: string;
  itemId: number;
  feedback: GoldFeedback;
}

/** What became of an attempt, for whoever watches an entry (the review screen waiting to move on) and the save state. */
export type OutboxEvent =
  | { kind: 'stored'; entry: OutboxEntry; verdict: SubmittedVerdict }
  | { kind: 'refused'; entry: OutboxEntry; error: unknown }
  | { kind: 'retrying'; entry: OutboxEntry; error: unknown }
  | { kind: 'paused'; entry: OutboxEntry };

export interface OutboxSnapshot {
  /** Entries still to deliver, oldest first. */
  pending: readonly OutboxEntry[];
  /** Entries the server refused, oldest first, until dismissed. */
  refused: readonly OutboxEntry[];
  /** Waiting for a new session (a 401). */
  paused: boolean;
  /** An attempt of some entry is under way. */
  sending: boolean;
  /** The last verdict acknowledged (client time), or null. */
  lastStoredAt: number | null;
  /** The feedback of the last stored verdict that had some (an answer to a gold item), until dismissed; else null. */
  goldFeedback: StoredGoldFeedback | null;
}

export interface OutboxOptions {
  /** Where entries are kept across reloads (localStorage), under `storageKey`; null: in memory only. */
  storage: StorageLike | null;
  storageKey: string;
  /** Sends one attempt; resolves with the stored verdict (201, or the same answer replayed), rejects with the failure. */
  send(entry: OutboxEntry, signal: AbortSignal): Promise<SubmittedVerdict>;
  newKey(): string;
  now?: () => number;
  random?: () => number;
  /** An attempt that has not been answered in this long is abandoned and retried (the key makes that safe). */
  attemptTimeoutMs?: number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
}

export const ATTEMPT_TIMEOUT_MS = 20_000;

const sameRequest = (a: VerdictRequest, b: VerdictRequest) => JSON.stringify(a) === JSON.stringify(b);

/** Where a reviewer's outbox is kept in localStorage. */
export const OUTBOX_KEY_PREFIX = 'bagel.outbox.v1.';
export const outboxStorageKey = (userId: number) => `${OUTBOX_KEY_PREFIX}${userId}`;

/** The entries kept under `key` (anything malformed left out). */
export function readEntries(storage: StorageLike | null, key: string): OutboxEntry[] {
  if (!storage) return [];
  try {
    const raw = storage.getItem(key);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (e): e is OutboxEntry =>
        typeof e === 'object' &&
        e !== null &&
        typeof e.key === 'string' &&
        Number.isInteger(e.itemId) &&
        Number.isInteger(e.projectId) &&
        VerdictRequest.safeParse(e.request).success &&
        (e.status === 'pending' || e.status === 'refused'),
    );
  } catch {
    return [];
  }
}

/**
 * The verdicts a reviewer submitted that the server has not acknowledged yet: kept in localStorage (a reload, a crash
 * or a sign-in resumes them), sent with an Idempotency-Key (the same for each attempt of a submission, so a retry whose
 * first attempt did arrive stores nothing twice), retried with backoff (0.5 s, 1 s, 2 s … 30 s, jittered) for as long as
 * the network or the server fails, paused by a 401 until `resume`, and stopped for good by a refusal (kept, to show).
 *
 * Submissions of one item go one after the other, in order; when one is stored, a later one made from the same base
 * revision (the reviewer revised the verdict while it was on its way) is moved onto the stored revision. Submissions of
 * different items go side by side.
 *
 * Two tabs of the same reviewer share the storage: each writes its own entries back without dropping the other's, and
 * an entry both send is stored once (same key).
 */
export function createOutbox(options: OutboxOptions) {
  const now = options.now ?? Date.now;
  const random = options.random ?? Math.random;
  const attemptTimeoutMs = options.attemptTimeoutMs ?? ATTEMPT_TIMEOUT_MS;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));

  let entries: OutboxEntry[] = readEntries(options.storage, options.storageKey);
  /** Entries this outbox finished with, so that writing back does not revive them from another tab's copy. */
  const finished = new Set<string>();
  const inFlight = new Map<string, AbortController>();
  let paused = false;
  let stopped = false;
  let timer: unknown = null;
  let lastStoredAt: number | null = null;
  let goldFeedback: StoredGoldFeedback | null = null;
  const listeners = new Set<(event: OutboxEvent) => void>();
  const snapshotListeners = new Set<() => void>();
  let snapshot: OutboxSnapshot = makeSnapshot();

  function makeSnapshot(): OutboxSnapshot {
    return {
      pending: entries.filter((e) => e.status === 'pending'),
      refused: entries.filter((e) => e.status === 'refused'),
      paused,
      sending: inFlight.size > 0,
      lastStoredAt,
      goldFeedback,
    };
  }

  function changed(): void {
    if (options.storage) {
      // Keep what another tab queued meanwhile: its entries are written back as they are.
      const mine = new Set(entries.map((e) => e.key));
      const others = readEntries(options.storage, options.storageKey).filter((e) => !mine.has(e.key) && !finished.has(e.key));
      const all = [...entries, ...others];
      try {
        if (all.length === 0) options.storage.removeItem(options.storageKey);
        else options.storage.setItem(options.storageKey, JSON.stringify(all));
      } catch {
        // Storage full or denied: the entries still live in memory for this page.
      }
    }
    snapshot = makeSnapshot();
    for (const listener of snapshotListeners) listener();
  }

  function emit(event: OutboxEvent): void {
    for (const listener of [...listeners]) listener(event);
  }

  function replace(entry: OutboxEntry, update: Partial<OutboxEntry>): OutboxEntry {
    const next = { ...entry, ...update };
    entries = entries.map((e) => (e.key === entry.key ? next : e));
    return next;
  }

  function pump(): void {
    if (stopped || paused) return;
    if (timer !== null) {
      clearTimer(timer);
      timer = null;
    }
    const at = now();
    let nextDue = Infinity;
    const busyItems = new Set<number>();
    for (const entry of entries) {
      if (entry.status !== 'pending') continue;
      // One submission of an item at a time, in order.
      if (busyItems.has(entry.itemId)) continue;
      busyItems.add(entry.itemId);
      if (inFlight.has(entry.key)) continue;
      if (entry.nextAttemptAt > at) {
        nextDue = Math.min(nextDue, entry.nextAttemptAt);
        continue;
      }
      attempt(entry);
    }
    if (nextDue < Infinity) timer = setTimer(pump, Math.max(0, nextDue - at));
  }

  function attempt(queued: OutboxEntry): void {
    const entry = replace(queued, { attempts: queued.attempts + 1 });
    const controller = new AbortController();
    inFlight.set(entry.key, controller);
    changed();
    const timeout = setTimer(() => controller.abort(new DOMException('No answer in time', 'TimeoutError')), attemptTimeoutMs);
    Promise.resolve()
      .then(() => options.send(entry, controller.signal))
      .then(
      (verdict) => settle(entry.key, timeout, { ok: true, verdict }),
      (error: unknown) => settle(entry.key, timeout, { ok: false, error }),
    );
  }

  function settle(key: string, timeout: unknown, outcome: { ok: true; verdict: SubmittedVerdict } | { ok: false; error: unknown }): void {
    clearTimer(timeout);
    inFlight.delete(key);
    const entry = entries.find((e) => e.key === key);
    if (stopped || !entry) return;
    if (outcome.ok) {
      finished.add(key);
      lastStoredAt = now();
      if (outcome.verdict.goldFeedback) goldFeedback = { key, itemId: entry.itemId, feedback: outcome.verdict.goldFeedback };
      // A later submission of the item made from the same base (revised while this one was on its way, never sent yet)
      // now revises the revision just stored.
      entries = entries
        .filter((e) => e.key !== key)
        .map((e) =>
          e.itemId === entry.itemId && e.status === 'pending' && e.attempts === 0 && e.request.baseRevision === entry.request.baseRevision
            ? { ...e, request: { ...e.request, baseRevision: outcome.verdict.revision } }
            : e,
        );
      changed();
      emit({ kind: 'stored', entry, verdict: outcome.verdict });
      pump();
      return;
    }
    const { error } = outcome;
    switch (failureKind(error)) {
      case 'session': {
        paused = true;
        const waiting = replace(entry, { nextAttemptAt: 0, error: errorMessage(error) });
        changed();
        emit({ kind: 'paused', entry: waiting });
        return;
      }
      case 'retry': {
        const waiting = replace(entry, { nextAttemptAt: now() + retryDelay(entry.attempts, random), error: errorMessage(error) });
        changed();
        emit({ kind: 'retrying', entry: waiting, error });
        pump();
        return;
      }
      case 'refused': {
        const code = typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : null;
        const refused = replace(entry, { status: 'refused', error: errorMessage(error), code });
        changed();
        emit({ kind: 'refused', entry: refused, error });
        pump();
        return;
      }
    }
  }

  // Entries left by an earlier page are due at once.
  entries = entries.map((e) => (e.status === 'pending' ? { ...e, nextAttemptAt: 0 } : e));

  return {
    /**
     * Queues a submission and starts sending it. The same request for the same item already on its way is not queued
     * twice: that entry is returned.
     */
    enqueue(itemId: number, projectId: number, request: VerdictRequest): OutboxEntry {
      const same = entries.find((e) => e.status === 'pending' && e.itemId === itemId && sameRequest(e.request, request));
      if (same) return same;
      const entry: OutboxEntry = {
        key: options.newKey(),
        itemId,
        projectId,
        request,
        queuedAt: now(),
        attempts: 0,
        nextAttemptAt: 0,
        status: 'pending',
        error: null,
        code: null,
      };
      entries = [...entries, entry];
      changed();
      pump();
      return entry;
    },
    /** Starts sending what is due (after `start`, or when the page comes back online: everything, at once). */
    retryNow(): void {
      entries = entries.map((e) => (e.status === 'pending' && !inFlight.has(e.key) ? { ...e, nextAttemptAt: 0 } : e));
      changed();
      pump();
    },
    /** A new session: what waited for it is sent now. */
    resume(): void {
      paused = false;
      entries = entries.map((e) => (e.status === 'pending' ? { ...e, nextAttemptAt: 0 } : e));
      changed();
      pump();
    },
    /** Forgets a refused entry once it has been shown (its draft is kept elsewhere). */
    dismiss(key: string): void {
      if (!entries.some((e) => e.key === key && e.status === 'refused')) return;
      finished.add(key);
      entries = entries.filter((e) => e.key !== key);
      changed();
    },
    /** Forgets the feedback after a gold item once the reviewer has dismissed it. */
    dismissGoldFeedback(key: string): void {
      if (goldFeedback?.key !== key) return;
      goldFeedback = null;
      snapshot = makeSnapshot();
      for (const listener of snapshotListeners) listener();
    },
    pendingFor(itemId: number): OutboxEntry | undefined {
      return entries.find((e) => e.status === 'pending' && e.itemId === itemId);
    },
    /** Calls `listener` with every outcome of every attempt; returns the way to stop. */
    watch(listener: (event: OutboxEvent) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribe(listener: () => void): () => void {
      snapshotListeners.add(listener);
      return () => snapshotListeners.delete(listener);
    },
    getSnapshot: (): OutboxSnapshot => snapshot,
    /** Stops sending (signed out): the entries stay in storage, for the reviewer's next sign-in. */
    stop(): void {
      stopped = true;
      if (timer !== null) clearTimer(timer);
      for (const controller of inFlight.values()) controller.abort();
      inFlight.clear();
      listeners.clear();
      snapshotListeners.clear();
    },
  };
}
export type Outbox = ReturnType<typeof createOutbox>;
