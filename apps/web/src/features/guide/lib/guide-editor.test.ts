import { GUIDE_MAX_LENGTH, type ProjectGuide } from '@bagel/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../../lib/api-client';
import { updateGuide } from '../api/update-guide';
import { canEditGuide, characterCount, guideByline, hasGuide } from './guide';
import {
  type EditingGuide,
  type GuideEditor,
  StaleGuideError,
  conflictNotice,
  guideEditorReducer,
  initialGuideEditor,
  reapplyLabel,
  saveBlocker,
  saveRequest,
  staleGuideError,
} from './guide-editor';

// Times chosen so that no time zone puts a midnight between them (the tests run in the machine's own zone).
const NOW = new Date('2026-03-04T12:10:00Z');
const guide = (revision: number, text: string, updatedBy: string | null = 'lea', updatedAt: string | null = '2026-03-02T12:30:00Z'): ProjectGuide =>
  revision === 0 ? { text: '', revision: 0, updatedAt: null, updatedBy: null } : { text, revision, updatedAt, updatedBy };

const run = (...actions: Parameters<typeof guideEditorReducer>[1][]): GuideEditor => actions.reduce(guideEditorReducer, initialGuideEditor);
const editing = (state: GuideEditor): EditingGuide => {
  expect(state.mode).toBe('editing');
  return state as EditingGuide;
};

describe('who writes the guide, and how it is shown', () => {
  it('lets leads and admins edit (the server refuses an expert’s PUT with 403)', () => {
    expect(canEditGuide('lead')).toBe(true);
    expect(canEditGuide('admin')).toBe(true);
    expect(canEditGuide('expert')).toBe(false);
  });

  it('says which revision, by whom and when; nothing before the first revision', () => {
    expect(guideByline(guide(3, 'x'), NOW)).toMatch(/^revision 3, by lea, [23] Mar 2026, \d\d:\d\d$/);
    expect(guideByline({ ...guide(3, 'x'), updatedAt: NOW.toISOString() }, NOW)).toMatch(/^revision 3, by lea, today \d\d:\d\d$/);
    expect(guideByline(guide(2, 'x', null, null), NOW)).toBe('revision 2');
    expect(guideByline(guide(0, ''), NOW)).toBeNull();
  });

  it('has a guide to read only when there is some text (revision 0 has none; a revision saved blank has none either)', () => {
    expect(hasGuide(guide(0, ''))).toBe(false);
    expect(hasGuide(guide(4, ' \n '))).toBe(false);
    expect(hasGuide(guide(4, 'Toys are wrong.'))).toBe(true);
  });

  it('counts characters as the server does (UTF-16 units, like zod’s max) against GUIDE_MAX_LENGTH', () => {
    expect(GUIDE_MAX_LENGTH).toBe(50_000);
    expect(characterCount('abc')).toEqual({ count: 3, over: 0, label: '3 / 50,000 characters' });
    expect(characterCount('é😀').count).toBe(3);
    expect(characterCount('x'.repeat(GUIDE_MAX_LENGTH)).over).toBe(0);
    expect(characterCount('x'.repeat(GUIDE_MAX_LENGTH + 1234))).toEqual({
      count: 51_234,
      over: 1234,
      label: '51,234 / 50,000 characters: 1,234 too many',
    });
  });
});

describe('editing the guide', () => {
  it('starts from the guide shown, its text and revision, and saves the draft over that revision', () => {
    const state = editing(run({ type: 'edit', guide: guide(3, 'Old rule.') }, { type: 'change', text: 'New rule.' }));
    expect(state).toEqual({ mode: 'editing', draft: 'New rule.', base: { revision: 3, text: 'Old rule.' }, conflict: null });
    expect(saveRequest(state)).toEqual({ text: 'New rule.', baseRevision: 3 });
    expect(saveBlocker(state)).toBeNull();
  });

  it('writes the first revision over revision 0', () => {
    const state = editing(run({ type: 'edit', guide: guide(0, '') }, { type: 'change', text: 'Toys are wrong.' }));
    expect(saveRequest(state)).toEqual({ text: 'Toys are wrong.', baseRevision: 0 });
  });

  it('does not save a draft that changes nothing, nor one longer than the server takes', () => {
    const unchanged = editing(run({ type: 'edit', guide: guide(2, 'Same.') }));
    expect(saveBlocker(unchanged)).toBe('Nothing changed yet.');
    expect(saveBlocker(editing(run({ type: 'edit', guide: guide(0, '') })))).toBe('Nothing changed yet.');
    const tooLong = editing(run({ type: 'edit', guide: guide(2, 'Same.') }, { type: 'change', text: 'x'.repeat(GUIDE_MAX_LENGTH + 2) }));
    expect(saveBlocker(tooLong)).toBe('The guide is 2 characters too long: shorten it to save it.');
    expect(saveBlocker({ ...tooLong, draft: 'x'.repeat(GUIDE_MAX_LENGTH + 1) })).toBe('The guide is one character too long: shorten it to save it.');
    expect(saveBlocker({ ...tooLong, draft: 'x'.repeat(GUIDE_MAX_LENGTH) })).toBeNull();
  });

  it('forgets the draft on Cancel, and shows the revision just saved', () => {
    expect(run({ type: 'edit', guide: guide(2, 'a') }, { type: 'change', text: 'b' }, { type: 'cancel' })).toEqual({ mode: 'reading', saved: null });
    const saved = guide(3, 'b');
    expect(run({ type: 'edit', guide: guide(2, 'a') }, { type: 'change', text: 'b' }, { type: 'saved', guide: saved })).toEqual({ mode: 'reading', saved });
    // Typing outside an edit does nothing.
    expect(run({ type: 'change', text: 'stray' })).toEqual(initialGuideEditor);
  });
});

describe('a save refused because someone saved meanwhile (409 STALE_GUIDE)', () => {
  const theirs = guide(4, 'Their rule.', 'lou', '2026-03-04T12:05:00Z');
  const conflicted = () =>
    editing(run({ type: 'edit', guide: guide(3, 'Old rule.') }, { type: 'change', text: 'My rule.' }, { type: 'stale', current: theirs }));

  it('keeps the draft and the revision it was written from, and holds the guide saved meanwhile', () => {
    const state = conflicted();
    expect(state.draft).toBe('My rule.');
    expect(state.base).toEqual({ revision: 3, text: 'Old rule.' });
    expect(state.conflict).toEqual(theirs);
  });

  it('says who saved which revision, when, and that the draft is kept, not saved', () => {
    const notice = conflictNotice(conflicted(), NOW)!;
    expect(notice).toMatch(/^Revision 4 was saved by lou, today \d\d:\d\d, while you were editing revision 3\. /);
    expect(notice).toContain('Your text is not saved: it is kept below.');
    expect(conflictNotice(editing(run({ type: 'edit', guide: guide(3, 'a') })), NOW)).toBeNull();
    expect(conflictNotice({ ...conflicted(), conflict: guide(4, 't', null, null) }, NOW)).toMatch(/^Revision 4 was saved while you were editing revision 3\./);
  });

  it('re-applies the draft over the revision saved meanwhile (“Use my text over revision 4”), edits included', () => {
    const state = guideEditorReducer(conflicted(), { type: 'change', text: 'My rule, merged with theirs.' }) as EditingGuide;
    expect(reapplyLabel(theirs)).toBe('Use my text over revision 4');
    expect(saveRequest(state)).toEqual({ text: 'My rule, merged with theirs.', baseRevision: 4 });
    // Even a draft equal to the text it started from: putting it back over theirs is a change.
    expect(saveBlocker({ ...state, draft: 'Old rule.' })).toBeNull();
    expect(saveBlocker({ ...state, draft: 'x'.repeat(GUIDE_MAX_LENGTH + 1) })).not.toBeNull();
    expect(guideEditorReducer(state, { type: 'saved', guide: guide(5, state.draft) })).toEqual({ mode: 'reading', saved: guide(5, state.draft) });
  });

  it('takes a newer conflict in its place when someone saved yet again before the re-apply', () => {
    const newer = guide(5, 'Third rule.', 'adm');
    const state = editing(guideEditorReducer(conflicted(), { type: 'stale', current: newer }));
    expect(state.conflict).toEqual(newer);
    expect(state.draft).toBe('My rule.');
    expect(saveRequest(state).baseRevision).toBe(5);
  });

  it('discards the draft on request: back to reading the guide as it is now', () => {
    expect(guideEditorReducer(conflicted(), { type: 'discard' })).toEqual({ mode: 'reading', saved: null });
  });

  it('ignores a refusal that arrives once the edit is left', () => {
    expect(guideEditorReducer({ mode: 'reading', saved: null }, { type: 'stale', current: theirs })).toEqual({ mode: 'reading', saved: null });
  });

  it('reads the guide of the 409 with the contract’s schema; any other error is not a conflict', () => {
    const body = { statusCode: 409, error: 'Conflict', message: 'The guide is at revision 4', code: 'STALE_GUIDE', current: theirs };
    const stale = staleGuideError(new ApiError(409, body.message, 'STALE_GUIDE', body));
    expect(stale).toBeInstanceOf(StaleGuideError);
    expect(stale?.current).toEqual(theirs);
    expect(stale?.message).toBe('The guide is at revision 4');
    expect(staleGuideError(stale)).toBe(stale);
    expect(staleGuideError(new ApiError(409, 'x', 'STALE_REVISION', body))).toBeNull();
    expect(staleGuideError(new ApiError(403, 'Forbidden', 'STALE_GUIDE', body))).toBeNull();
    expect(staleGuideError(new ApiError(409, 'x', 'STALE_GUIDE', { ...body, current: { text: 'no revision' } }))).toBeNull();
    expect(staleGuideError(new ApiError(409, 'x', 'STALE_GUIDE'))).toBeNull();
    expect(staleGuideError(new Error('STALE_GUIDE'))).toBeNull();
  });
});

describe('the PUT of the guide', () => {
  afterEach(() => vi.unstubAllGlobals());
  const answer = (status: number, body: unknown) => vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } }));

  it('sends the text over its base revision, and parses the new guide', async () => {
    const saved = guide(4, 'New.');
    const fetch = answer(200, saved);
    vi.stubGlobal('fetch', fetch);
    await expect(updateGuide(7, { text: 'New.', baseRevision: 3 })).resolves.toEqual(saved);
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/projects/7/guide');
    expect(init.method).toBe('PUT');
    expect(JSON.parse(String(init.body))).toEqual({ text: 'New.', baseRevision: 3 });
  });

  it('throws a StaleGuideError carrying the current guide on 409 STALE_GUIDE, and the server’s refusal otherwise', async () => {
    vi.stubGlobal('fetch', answer(409, { statusCode: 409, error: 'Conflict', message: 'Stale', code: 'STALE_GUIDE', current: theirs() }));
    const error = await updateGuide(7, { text: 'Mine.', baseRevision: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StaleGuideError);
    expect((error as StaleGuideError).current).toEqual(theirs());

    vi.stubGlobal('fetch', answer(403, { statusCode: 403, error: 'Forbidden', message: 'Leads and admins only' }));
    const refused = await updateGuide(7, { text: 'Mine.', baseRevision: 3 }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect(refused).not.toBeInstanceOf(StaleGuideError);
    expect((refused as ApiError).status).toBe(403);
  });

  const theirs = () => guide(4, 'Their rule.', 'lou');
});
