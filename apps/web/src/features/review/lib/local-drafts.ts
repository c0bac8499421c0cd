import { type ReviewItem, type VerdictDraft, VerdictDraftRequest, type VerdictRequest } from '@bagel/contracts';
import { type DraftVerdict, draftFromItem } from './draft-verdict';
import { isFinalStatus } from './read-only';

/** The part of the Web Storage API used here (localStorage in the app, a Map in tests). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
  key(index: number): string | null;
  readonly length: number;
}

/** The browser's localStorage, or null where there is none or it is denied. */
export function browserStorage(): StorageLike | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage denied (a privacy setting): the work is kept on the server and in memory only.
    return null;
  }
}

/** This browser's copy of a draft, kept in localStorage so that a reload, a crash or a dropped network loses nothing. */
export interface LocalDraft {
  draft: DraftVerdict;
  /** Client time of the last change made here (ms). */
  savedAt: number;
  /** The server holds exactly this (saved there after the last change). */
  synced: boolean;
  /** The server refused it (it revises an earlier revision than the stored one): kept here, not sent again. */
  refused: boolean;
  /** The server's time of the copy this browser last saved there (to tell whether another device saved one since). */
  serverUpdatedAt: string | null;
}

/** Every draft's key in localStorage starts so (then `<user>.<item>`). */
export const DRAFT_KEY_PREFIX = 'bagel.draft.v1.';
const PREFIX = DRAFT_KEY_PREFIX;
const keyOf = (userId: number, itemId: number) => `${PREFIX}${userId}.${itemId}`;

/** The server's draft as the review screen holds one. */
export const draftOfServer = (draft: VerdictDraft): DraftVerdict => ({
  itemId: draft.itemId,
  baseRevision: draft.baseRevision,
  labels: { ...draft.labels },
  addedKeys: [...draft.addedKeys],
  mistakes: Object.fromEntries(Object.entries(draft.mistakes).map(([model, grade]) => [model, { ...grade }])),
  problematic: draft.problematic,
  problematicReason: draft.problematicReason,
  comment: draft.comment,
});

/**
 * A submitted verdict as a draft again (the server refused it and this browser kept no draft of it): every judged class
 * is listed as added, so that the ones outside the item's candidates show as rows.
 */
export const draftOfRequest = (itemId: number, request: VerdictRequest): DraftVerdict => ({
  itemId,
  baseRevision: request.baseRevision,
  labels: { ...request.labels },
  addedKeys: Object.keys(request.labels),
  mistakes: Object.fromEntries(Object.entries(request.mistakes).map(([model, grade]) => [model, { ...grade }])),
  problematic: request.problematic !== null,
  problematicReason: request.problematic?.reason ?? '',
  comment: request.comment ?? '',
});

/** The body of `PUT /api/items/:itemId/draft`. */
export const draftRequestOf = ({ itemId: _itemId, ...draft }: DraftVerdict): VerdictDraftRequest => draft;

function parseLocal(raw: string | null, itemId: number): LocalDraft | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<LocalDraft> & { draft?: unknown };
    const draft = VerdictDraftRequest.safeParse(value.draft);
    if (!draft.success || typeof value.savedAt !== 'number' || typeof value.synced !== 'boolean') return null;
    return {
      draft: { ...draft.data, itemId },
      savedAt: value.savedAt,
      synced: value.synced,
      refused: value.refused === true,
      serverUpdatedAt: typeof value.serverUpdatedAt === 'string' ? value.serverUpdatedAt : null,
    };
  } catch {
    return null;
  }
}

/**
 * One reviewer's drafts in this browser, one storage entry per item (small writes at every change). Keyed by the
 * user: the review screen only ever reads the signed-in reviewer's own.
 */
export function createLocalDrafts(storage: StorageLike | null, userId: number) {
  const own = `${PREFIX}${userId}.`;
  return {
    read(itemId: number): LocalDraft | null {
      if (!storage) return null;
      try {
        return parseLocal(storage.getItem(keyOf(userId, itemId)), itemId);
      } catch {
        return null;
      }
    },
    write(local: LocalDraft): void {
      try {
        storage?.setItem(keyOf(userId, local.draft.itemId), JSON.stringify(local));
      } catch {
        // Storage full or denied: the server copy is the one kept then.
      }
    },
    remove(itemId: number): void {
      try {
        storage?.removeItem(keyOf(userId, itemId));
      } catch {
        // Nothing to do.
      }
    },
    /** Every draft of the reviewer kept here. */
    all(): LocalDraft[] {
      if (!storage) return [];
      const found: LocalDraft[] = [];
      try {
        for (let i = 0; i < storage.length; i++) {
          const key = storage.key(i);
          if (!key?.startsWith(own)) continue;
          const itemId = Number(key.slice(own.length));
          const local = Number.isInteger(itemId) ? parseLocal(storage.getItem(key), itemId) : null;
          if (local) found.push(local);
        }
      } catch {
        return found;
      }
      return found;
    },
  };
}
export type LocalDrafts = ReturnType<typeof createLocalDrafts>;

/** Where the draft on screen came from. */
export type DraftOrigin = 'this-device' | 'server';

export interface DraftChoice {
  /** What the review screen starts with. */
  draft: DraftVerdict;
  /** Set when that is a draft kept from before (not the item's stored verdict, or nothing). */
  restoredFrom: DraftOrigin | null;
  /**
   * A draft of this item made on another revision than the stored one (a verdict was stored since, e.g. from another
   * tab, or this one was refused as stale): offered to the reviewer, not applied.
   */
  kept: DraftVerdict | null;
}

/** Same content, whatever the order of the keys. */
export function sameDraft(a: DraftVerdict, b: DraftVerdict): boolean {
  const canonical = (value: unknown): unknown =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(
          Object.entries(value)
            .filter(([, v]) => v !== undefined)
            .sort(([x], [y]) => (x < y ? -1 : 1))
            .map(([k, v]) => [k, canonical(v)]),
        )
      : value;
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

/**
 * The draft to show for an item: this browser's copy when it holds changes the server has not got; else the server's
 * (item.myDraft) when it is newer than what this browser last saved there (another device worked on it); else this
 * browser's copy. A draft of another revision than the stored one is only offered (`kept`). A synced copy whose server
 * copy is gone was submitted or discarded elsewhere: it is not brought back. An agreed or final item shows its verdict.
 */
export function chooseDraft(item: ReviewItem, local: LocalDraft | null): DraftChoice {
  const fresh = draftFromItem(item);
  if (isFinalStatus(item.status)) return { draft: fresh, restoredFrom: null, kept: null };
  const server = item.myDraft;
  let pick: { draft: DraftVerdict; from: DraftOrigin } | null = null;
  if (local && !local.synced) pick = { draft: local.draft, from: 'this-device' };
  else if (server && (!local || local.serverUpdatedAt === null || server.updatedAt > local.serverUpdatedAt)) pick = { draft: draftOfServer(server), from: 'server' };
  else if (local && server) pick = { draft: local.draft, from: 'this-device' };
  if (!pick) return { draft: fresh, restoredFrom: null, kept: null };
  const draft = { ...pick.draft, itemId: item.id };
  if (draft.baseRevision === fresh.baseRevision) return { draft, restoredFrom: sameDraft(draft, fresh) ? null : pick.from, kept: null };
  return { draft: fresh, restoredFrom: null, kept: draft };
}
