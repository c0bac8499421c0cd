import type { ProjectGuide, ProjectSummary, SessionUser } from '@bagel/contracts';
import { type KeyboardEvent, type ReactNode, useEffect, useId, useReducer, useRef } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { errorMessage } from '../../../lib/api-client';
import { useGuide } from '../api/get-guide';
import { useUpdateGuide } from '../api/update-guide';
import { canEditGuide, characterCount, guideByline, hasGuide } from '../lib/guide';
import {
  type EditingGuide,
  conflictNotice,
  guideEditorReducer,
  initialGuideEditor,
  reapplyLabel,
  saveBlocker,
  saveRequest,
  staleGuideError,
} from '../lib/guide-editor';
import '../guide.css';
import { GuideText } from './GuideText';

interface GuideScreenProps {
  project: ProjectSummary;
  user: SessionUser;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
}

/**
 * The project's labeling guide ("count a uniform jacket as suit", "toys are wrong"): everyone reads it here, with
 * which revision it is, who wrote it and when. A lead or an admin edits it, with a live preview; a save made from an
 * old revision (someone saved meanwhile) shows who saved what, keeps the draft, and lets them put it over the new
 * revision or discard it.
 */
export function GuideScreen({ project, user, userMenu, navigation, onChangeProject }: GuideScreenProps) {
  const guide = useGuide(project.id);
  const update = useUpdateGuide(project.id);
  const [editor, dispatch] = useReducer(guideEditorReducer, initialGuideEditor);
  const canEdit = canEditGuide(user.role);
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const wasEditing = useRef(false);

  // Back from editing (saved, cancelled or discarded): the focus returns to the button that started it.
  const editing = editor.mode === 'editing';
  useEffect(() => {
    if (!editing && wasEditing.current) editButtonRef.current?.focus();
    wasEditing.current = editing;
  }, [editing]);

  const startEditing = (current: ProjectGuide) => {
    update.reset();
    dispatch({ type: 'edit', guide: current });
  };
  const leave = (action: 'cancel' | 'discard') => {
    update.reset();
    dispatch({ type: action });
  };
  const save = (state: EditingGuide) => {
    if (update.isPending || saveBlocker(state) !== null) return;
    update.mutate(saveRequest(state), {
      onSuccess: (saved) => dispatch({ type: 'saved', guide: saved }),
      onError: (error) => {
        const stale = staleGuideError(error);
        if (stale) dispatch({ type: 'stale', current: stale.current });
      },
    });
  };

  const data = guide.data;
  return (
    <div className="page-app">
      <AppHeader projectName={project.name} onChangeProject={onChangeProject} navigation={navigation} userMenu={userMenu} />
      <main className={`page guide-page${editing ? ' is-editing' : ''}`} data-testid="guide">
        {data === undefined ? (
          guide.isError ? (
            <div className="card guide-message" role="alert" data-testid="guide-error">
              <p className="error">The guide could not be loaded: {errorMessage(guide.error)}</p>
              <button type="button" className="secondary" onClick={() => void guide.refetch()}>
                Try again
              </button>
            </div>
          ) : (
            <p className="loading">Loading the guide…</p>
          )
        ) : editor.mode === 'editing' ? (
          <GuideEditorCard
            editor={editor}
            pending={update.isPending}
            // The conflicts are shown by the editor itself, not as errors.
            error={update.error && !staleGuideError(update.error) ? errorMessage(update.error) : null}
            onChange={(text) => dispatch({ type: 'change', text })}
            onSave={() => save(editor)}
            onCancel={() => leave(editor.conflict ? 'discard' : 'cancel')}
          />
        ) : (
          <section className="card guide-card" aria-labelledby="guide-title">
            <div className="guide-head">
              <div>
                <h2 id="guide-title">Labeling guide</h2>
                {guideByline(data) ? (
                  <p className="muted guide-byline" data-testid="guide-byline">
                    {guideByline(data)}
                  </p>
                ) : null}
              </div>
              {canEdit && hasGuide(data) ? (
                <button ref={editButtonRef} type="button" className="secondary" onClick={() => startEditing(data)} data-testid="guide-edit">
                  Edit
                </button>
              ) : null}
            </div>
            {editor.saved ? (
              <p className="notice" role="status" data-testid="guide-saved">
                Saved: revision {editor.saved.revision}.
              </p>
            ) : null}
            {hasGuide(data) ? (
              <GuideText text={data.text} testId="guide-text" />
            ) : (
              <div className="guide-message" data-testid="guide-empty">
                <p>
                  <strong>No guide yet</strong>
                </p>
                {canEdit ? (
                  <>
                    <p className="muted">
                      Write down what the panel should follow (“count a uniform jacket as suit”, “toys are wrong”, “flag drawings
                      problematic”): every expert reads it here and beside the item they judge.
                    </p>
                    <button ref={editButtonRef} type="button" className="primary" onClick={() => startEditing(data)} data-testid="guide-write">
                      Write the guide
                    </button>
                  </>
                ) : (
                  <p className="muted">The lead has not written a labeling guide for this project yet.</p>
                )}
              </div>
            )}
          </section>
        )}
      </main>
    </div>
  );
}

interface GuideEditorCardProps {
  editor: EditingGuide;
  pending: boolean;
  error: string | null;
  onChange(text: string): void;
  onSave(): void;
  /** Cancel; after a conflict, discard the draft. */
  onCancel(): void;
}

/** The guide's text in a box, its length against the limit, a live preview, and Save / Cancel (or, after a conflict, the way out of it). */
function GuideEditorCard({ editor, pending, error, onChange, onSave, onCancel }: GuideEditorCardProps) {
  const textRef = useRef<HTMLTextAreaElement>(null);
  const textId = useId();
  const countId = useId();
  const formatId = useId();
  const blockerId = useId();
  const count = characterCount(editor.draft);
  const blocker = saveBlocker(editor);
  const { conflict } = editor;

  useEffect(() => {
    textRef.current?.focus();
  }, []);

  // Ctrl+Enter (⌘+Enter) saves from the box, as it submits a verdict from the comment box.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if ((event.ctrlKey || event.metaKey) && event.key === 'Enter') {
      event.preventDefault();
      onSave();
    }
  };

  return (
    <section className="card guide-editor" aria-labelledby="guide-editor-title" data-testid="guide-editor" data-base-revision={editor.base.revision}>
      <div className="guide-head">
        <h2 id="guide-editor-title">{editor.base.revision === 0 ? 'Write the guide' : `Edit the guide (revision ${editor.base.revision})`}</h2>
      </div>
      {conflict ? (
        <div className="guide-conflict" role="alert" data-testid="guide-conflict" data-revision={conflict.revision}>
          <p>
            <strong>Someone else saved the guide meanwhile.</strong> {conflictNotice(editor)}
          </p>
          <div className="guide-conflict-theirs">
            <h3>
              Their text, revision {conflict.revision}
              {conflict.updatedBy ? ` by ${conflict.updatedBy}` : ''}
            </h3>
            {hasGuide(conflict) ? (
              <GuideText text={conflict.text} testId="guide-conflict-text" />
            ) : (
              <p className="muted" data-testid="guide-conflict-text">
                (empty)
              </p>
            )}
          </div>
        </div>
      ) : null}
      <div className="guide-edit-grid">
        <div className="guide-source">
          <label className="eyebrow" htmlFor={textId}>
            {conflict ? 'Your text (not saved)' : 'Guide text'}
          </label>
          <textarea
            ref={textRef}
            id={textId}
            value={editor.draft}
            onChange={(event) => onChange(event.target.value)}
            onKeyDown={onKeyDown}
            aria-describedby={[countId, formatId, blocker ? blockerId : ''].filter(Boolean).join(' ')}
            aria-invalid={count.over > 0 || undefined}
            spellCheck
            data-testid="guide-textarea"
          />
          <p id={countId} className={`guide-count${count.over > 0 ? ' error' : ' muted'}`} data-testid="guide-count" data-count={count.count}>
            {count.label}
          </p>
          <p id={formatId} className="muted guide-format">
            Markdown: <code># heading</code>, <code>**bold**</code>, <code>_italics_</code>, <code>[link](https://…)</code>, <code>- list item</code>;
            a blank line starts a new paragraph, other line breaks stay, HTML shows as typed. Ctrl+Enter saves.
          </p>
        </div>
        <section className="guide-preview" aria-labelledby="guide-preview-title" data-testid="guide-preview">
          <h3 id="guide-preview-title" className="eyebrow">
            Preview
          </h3>
          {editor.draft.trim() ? <GuideText text={editor.draft} testId="guide-preview-text" /> : <p className="muted">Nothing to show yet.</p>}
        </section>
      </div>
      {error ? (
        <p className="error" role="alert" data-testid="guide-save-error">
          {error}
        </p>
      ) : null}
      <div className="guide-actions">
        {blocker ? (
          <p id={blockerId} className={count.over > 0 ? 'error' : 'muted'} data-testid="guide-save-blocker">
            {blocker}
          </p>
        ) : null}
        <button type="button" className="secondary" onClick={onCancel} disabled={pending} data-testid={conflict ? 'guide-discard' : 'guide-cancel'}>
          {conflict ? 'Discard my text' : 'Cancel'}
        </button>
        <button type="button" className="primary" onClick={onSave} disabled={pending || blocker !== null} data-testid="guide-save">
          {pending ? 'Saving…' : conflict ? reapplyLabel(conflict) : 'Save'}
        </button>
      </div>
    </section>
  );
}
