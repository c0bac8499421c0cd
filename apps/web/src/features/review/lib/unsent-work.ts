import { DRAFT_KEY_PREFIX, type StorageLike, browserStorage, createLocalDrafts } from './local-drafts';
import { OUTBOX_KEY_PREFIX, outboxStorageKey, readEntries } from './outbox';

/** What this browser holds that the server has not got yet, over every reviewer who signed in here. */
export interface UnsentWork {
  /** Verdicts submitted but not acknowledged (the outbox's pending entries). */
  verdicts: number;
  /** Drafts changed since they were last saved on the server, of items with no verdict waiting to be sent. */
  drafts: number;
}

/** The reviewers with work kept in `storage`: the user ids of its outbox and draft keys. */
function usersIn(storage: StorageLike): Set<number> {
  const users = new Set<number>();
  for (let i = 0; i < storage.length; i++) {
    const key = storage.key(i) ?? '';
    const id = key.startsWith(OUTBOX_KEY_PREFIX)
      ? key.slice(OUTBOX_KEY_PREFIX.length)
      : key.startsWith(DRAFT_KEY_PREFIX)
        ? key.slice(DRAFT_KEY_PREFIX.length).split('.')[0]
        : undefined;
    if (id !== undefined && /^\d+$/.test(id)) users.add(Number(id));
  }
  return users;
}

/**
 * Counts the work kept in this browser that is sent once its reviewer signs in (the outbox's pending verdicts, and
 * the drafts the server has not got). Refused verdicts and drafts are left out: they are not sent again, only offered
 * on their item.
 */
export function countUnsentWork(storage: StorageLike | null): UnsentWork {
  const work: UnsentWork = { verdicts: 0, drafts: 0 };
  if (!storage) return work;
  try {
    for (const userId of usersIn(storage)) {
      const pending = readEntries(storage, outboxStorageKey(userId)).filter((entry) => entry.status === 'pending');
      const waiting = new Set(pending.map((entry) => entry.itemId));
      work.verdicts += pending.length;
      work.drafts += createLocalDrafts(storage, userId)
        .all()
        .filter((copy) => !copy.synced && !copy.refused && !waiting.has(copy.draft.itemId)).length;
    }
  } catch {
    // Storage denied: nothing can be told.
  }
  return work;
}

const counted = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

/** What the sign-in form says of the work kept here, or null when there is none. */
export function unsentWorkSentence({ verdicts, drafts }: UnsentWork): string | null {
  const parts = [verdicts > 0 ? counted(verdicts, 'verdict') : null, drafts > 0 ? counted(drafts, 'draft') : null].filter((part) => part !== null);
  if (parts.length === 0) return null;
  const pronoun = verdicts + drafts === 1 ? 'it is' : 'they are';
  return `This browser keeps ${parts.join(' and ')} not yet saved on the server; ${pronoun} sent once you sign in again with the same account.`;
}

/** The sentence for the work this browser's localStorage keeps, or null. */
export const describeUnsentWork = (): string | null => unsentWorkSentence(countUnsentWork(browserStorage()));
