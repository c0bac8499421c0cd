import { ProjectGuide, type UpdateGuideRequest } from '@bagel/contracts';
import { ApiError } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { characterCount } from './guide';

/**
 * 409 STALE_GUIDE: the guide was saved by someone else (or in another tab) since the revision the edit started from.
 * `current` is the guide as stored now, which the answer carries.
 */
export class StaleGuideError extends ApiError {
  constructor(
    message: string,
    readonly current: ProjectGuide,
  ) {
    super(409, message, 'STALE_GUIDE', { current });
    this.name = 'StaleGuideError';
  }
}

/**
 * The server's 409 STALE_GUIDE as a StaleGuideError, its current guide parsed with the contract's schema; null for any
 * other error (and for a STALE_GUIDE whose guide does not parse: that one shows as the error it is, the server's message).
 */
export function staleGuideError(error: unknown): StaleGuideError | null {
  if (error instanceof StaleGuideError) return error;
  if (!(error instanceof ApiError) || error.status !== 409 || error.code !== 'STALE_GUIDE') return null;
  const current = ProjectGuide.safeParse(error.body.current);
  return current.success ? new StaleGuideError(error.message, current.data) : null;
}

/** The guide being edited: the text typed, the revision it was started from, and who saved meanwhile, if anyone did. */
export interface EditingGuide {
  mode: 'editing';
  draft: string;
  /** The revision the edit started from (its text: to tell whether anything changed). */
  base: Pick<ProjectGuide, 'revision' | 'text'>;
  /** Set by a 409 STALE_GUIDE: the guide someone saved meanwhile. The draft stays as typed. */
  conflict: ProjectGuide | null;
}

/** The Guide view: reading the guide (with the revision just saved here, if any), or editing it (leads, admins). */
export type GuideEditor = { mode: 'reading'; saved: ProjectGuide | null } | EditingGuide;

export type GuideEditorAction =
  /** Edit (or write the first revision of) the guide as shown. */
  | { type: 'edit'; guide: ProjectGuide }
  | { type: 'change'; text: string }
  /** Leaves the edit, the draft forgotten. */
  | { type: 'cancel' }
  /** The server stored the draft: this is the new revision. */
  | { type: 'saved'; guide: ProjectGuide }
  /** The server refused the draft (409 STALE_GUIDE): someone saved `current` meanwhile. */
  | { type: 'stale'; current: ProjectGuide }
  /** After a conflict: the lead drops their draft and reads the guide as it is now. */
  | { type: 'discard' };

export const initialGuideEditor: GuideEditor = { mode: 'reading', saved: null };

export function guideEditorReducer(state: GuideEditor, action: GuideEditorAction): GuideEditor {
  switch (action.type) {
    case 'edit':
      return { mode: 'editing', draft: action.guide.text, base: { revision: action.guide.revision, text: action.guide.text }, conflict: null };
    case 'change':
      return state.mode === 'editing' ? { ...state, draft: action.text } : state;
    case 'cancel':
    case 'discard':
      return { mode: 'reading', saved: null };
    case 'saved':
      return { mode: 'reading', saved: action.guide };
    case 'stale':
      // A refusal that arrives once the edit is left changes nothing: there is no draft to keep any more.
      return state.mode === 'editing' ? { ...state, conflict: action.current } : state;
  }
}

/**
 * What saving sends: the draft over the revision it was written from; after a conflict, over the revision saved
 * meanwhile (the lead has seen it and chose to put their text over it). Another save in between is refused again.
 */
export function saveRequest(editor: EditingGuide): UpdateGuideRequest {
  return { text: editor.draft, baseRevision: editor.conflict?.revision ?? editor.base.revision };
}

/** Why the draft cannot be saved as it is, or null: too long for the server, or (before any conflict) unchanged. */
export function saveBlocker(editor: EditingGuide): string | null {
  const { over } = characterCount(editor.draft);
  if (over > 0) return `The guide is ${over === 1 ? 'one character' : `${over.toLocaleString('en-GB')} characters`} too long: shorten it to save it.`;
  if (!editor.conflict && editor.draft === editor.base.text) return 'Nothing changed yet.';
  return null;
}

/** The label of the button that re-applies the draft after a conflict. */
export const reapplyLabel = (current: ProjectGuide): string => `Use my text over revision ${current.revision}`;

/**
 * What the conflict says: which revision was saved meanwhile, by whom and when, and that the lead's text is kept, not
 * saved. "Revision 4 was saved by lea, today 18:40, while you were editing revision 3. …"
 */
export function conflictNotice(editor: EditingGuide, now: Date = new Date()): string | null {
  const { conflict } = editor;
  if (!conflict) return null;
  const by = [conflict.updatedBy ? ` by ${conflict.updatedBy}` : '', conflict.updatedAt ? `, ${formatDateTime(conflict.updatedAt, now)},` : ''].join('');
  return `Revision ${conflict.revision} was saved${by} while you were editing revision ${editor.base.revision}. Your text is not saved: it is kept below. Put it over theirs, or discard it.`;
}
