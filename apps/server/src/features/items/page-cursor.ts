import type { ItemBrowserSort, SortOrder } from '@bagel/contracts';
import { z } from 'zod';
import { ApiError } from '../../plugins/errors';
import { cursorKeyKinds, type KeyKind, type PageCursor } from './item-browser.repository';

// A page cursor is the sort, the order and the last row's place in them (segment, keys, id), as base64url JSON: opaque
// to the client, which hands back the `next` it was given. Decoding checks all of it against the page asked for, so a
// cursor of another sort or a forged one is a 400, never a query on values of the wrong kind.

const Encoded = z.tuple([z.string(), z.string(), z.number().int().min(0)], z.union([z.number(), z.string(), z.null()]));

export function encodeCursor(sort: ItemBrowserSort, order: SortOrder, cursor: PageCursor): string {
  return Buffer.from(JSON.stringify([sort, order, cursor.segment, ...cursor.keys, cursor.id])).toString('base64url');
}

/** A key of the kind its column holds: an engine never sees a value its column cannot compare with. */
const isOfKind = (key: number | string | null, kind: KeyKind) =>
  kind === 'text' ? typeof key === 'string' && !key.includes('\0') : kind === 'integer' ? Number.isSafeInteger(key) : typeof key === 'number' && Number.isFinite(key);

const badCursor = (why: string) => new ApiError(400, `Invalid cursor in 'after': ${why}`, 'INVALID_CURSOR', { field: 'after' });

export function decodeCursor(text: string, sort: ItemBrowserSort, order: SortOrder): PageCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw badCursor('not a cursor this server made (use the `next` of a page)');
  }
  const parsed = Encoded.safeParse(value);
  if (!parsed.success) throw badCursor('not a cursor this server made (use the `next` of a page)');
  const [cursorSort, cursorOrder, segment, ...rest] = parsed.data;
  if (cursorSort !== sort || cursorOrder !== order) {
    throw badCursor(`it continues the sort '${cursorSort}' ${cursorOrder}, not '${sort}' ${order}: ask for that sort, or start again without 'after'`);
  }
  const kinds = cursorKeyKinds(sort, segment);
  const keys = rest.slice(0, -1);
  const id = rest.at(-1);
  if (!kinds || keys.length !== kinds.length || !keys.every((key, n) => isOfKind(key, kinds[n]!)) || typeof id !== 'number' || !Number.isSafeInteger(id)) {
    throw badCursor('not a cursor this server made (use the `next` of a page)');
  }
  return { segment, keys: keys as (number | string)[], id };
}
