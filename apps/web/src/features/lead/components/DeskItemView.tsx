import type { DeskItem, LeadDecisionRequest } from '@bagel/contracts';
import { type ReactNode, useEffect, useMemo, useRef, useState } from 'react';
import { ImageViewer } from '../../../components/ImageViewer';
import { keepFocus } from '../../../lib/keep-focus';
import { deskShortcuts, useDeskKeyboard } from '../hooks/use-desk-keyboard';
import { changesFinal, decisionBlockers, decisionRequest, deskClasses } from '../lib/decision-draft';
import { useDeskUiStore } from '../stores/desk-ui-store';
import { DecisionHistory } from './DecisionHistory';
import { GoldControl } from './GoldControl';
import type { DeskClassExamples } from './LeadDesk';
import { PanelTable } from './PanelTable';

interface DeskItemViewProps {
  desk: DeskItem;
  /** An admin reads the desk; only the lead decides. */
  readOnly: boolean;
  busy: boolean;
  notice: string | null;
  error: string | null;
  onDecide(request: LeadDecisionRequest): void;
  onReopen(request: { note: string; baseDecision: number }): void;
  /** The item's discussion, composed by the app. */
  discussion?: ReactNode;
  /** The examples of a class (`e`, or the button of its row), composed by the app; for a reader (an admin) too. */
  classExamples?: DeskClassExamples;
  /** `g` opens the labeling guide (the desk shows it, from the app); for a reader (an admin) too. */
  canShowGuide?: boolean;
}

const STATUS_TEXT: Record<DeskItem['item']['status'], string> = {
  open: 'open: no verdict yet',
  in_review: 'in review: the panel is not complete',
  agreed: 'agreed by the panel (final)',
  disputed: 'disputed: waiting for the lead’s decision',
  final: 'final: decided by the lead',
};

/** One item on the lead's desk: the panel's verdicts and aggregate, the decision form, the image and the discussion. */
export function DeskItemView({
  desk,
  readOnly,
  busy,
  notice,
  error,
  onDecide,
  onReopen,
  discussion,
  classExamples,
  canShowGuide = false,
}: DeskItemViewProps) {
  const draft = useDeskUiStore((s) => s.draft);
  const setNote = useDeskUiStore((s) => s.setNote);
  const examplesKey = useDeskUiStore((s) => s.examplesKey);
  const closeExamples = useDeskUiStore((s) => s.closeExamples);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const [attempted, setAttempted] = useState(false);
  const { item, consensus } = desk;
  const classes = useMemo(() => deskClasses(desk), [desk]);
  const verdicts = useMemo(() => desk.verdicts.toSorted((a, b) => a.expert.localeCompare(b.expert)), [desk.verdicts]);
  const modelTags = useMemo(() => new Map(item.models.map((m, i) => [m.model, String.fromCharCode(65 + (i % 26))])), [item.models]);
  const canFinalize = item.status === 'disputed';
  const canOverride = item.status === 'agreed' || item.status === 'final';
  const blockers = draft ? decisionBlockers(desk, draft) : [];
  const changed = draft ? changesFinal(desk, draft) : false;

  const decide = () => {
    const current = useDeskUiStore.getState().draft;
    if (!current || busy || readOnly) return;
    if (decisionBlockers(desk, current).length > 0) {
      setAttempted(true);
      return;
    }
    onDecide(decisionRequest(desk, current));
  };
  const reopen = () => {
    const current = useDeskUiStore.getState().draft;
    if (!current || busy || readOnly) return;
    onReopen({ note: current.note.trim(), baseDecision: current.baseDecision });
  };

  useDeskKeyboard({
    classes,
    canEdit: !readOnly,
    finalize: () => {
      if (canFinalize) decide();
    },
    focusNote: () => noteRef.current?.focus(),
    canShowExamples: classExamples !== undefined,
    canShowGuide,
  });

  // The examples hold the keyboard while open: examples of a class no longer listed would hold it for good, so they close.
  const examplesOf = examplesKey !== null && classExamples ? classes.find((c) => c.key === examplesKey) : undefined;
  const examplesLost = examplesKey !== null && examplesOf === undefined;
  useEffect(() => {
    if (examplesLost) closeExamples();
  }, [examplesLost, closeExamples]);

  if (!draft) return null;
  const nameOf = new Map(classes.map((c) => [c.key, c.label]));

  return (
    <>
      <main className="desk-main" data-testid="desk-item" data-item-id={item.id} data-status={item.status}>
        <div className="desk-scroll">
          <header className="desk-item-head">
            <div className="desk-title">
              <h2>
                Item {item.id} <span className="image-file-name">{item.image.file}</span>
              </h2>
              <span className={`status-pill status-${item.status}`} data-testid="desk-status">
                {STATUS_TEXT[item.status]}
              </span>
            </div>
            <div className="desk-facts">
              <span>
                <span className="eyebrow">Original label</span> <strong>{item.originalLabel!.names[0] ?? item.originalLabel!.key}</strong>{' '}
                <span className="candidate-key">{item.originalLabel!.key}</span>
              </span>
              <span>
                <span className="eyebrow">Panel</span> {consensus.verdictCount} of {consensus.panelSize} verdicts · q = {consensus.quorum}
              </span>
            </div>
            <GoldControl desk={desk} readOnly={readOnly} />
            {consensus.disputes.length > 0 ? (
              <div className="disputes" data-testid="disputes">
                <span className="eyebrow">{item.status === 'disputed' ? 'Why it is disputed' : 'Why the panel disputed it'}</span>
                <ul>
                  {consensus.disputes.map((d) => (
                    <li key={`${d.kind}:${'classKey' in d ? d.classKey : 'model' in d ? d.model : ''}`}>
                      <strong>
                        {d.kind === 'class'
                          ? nameOf.get(d.classKey) ?? d.classKey
                          : d.kind === 'problematic'
                            ? 'Problematic'
                            : `${d.model}: ${d.kind}`}
                      </strong>{' '}
                      — {d.detail}
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </header>
          <div className="panel-table-wrap">
            <PanelTable
              desk={desk}
              classes={classes}
              verdicts={verdicts}
              modelTags={modelTags}
              readOnly={readOnly}
              showExamples={classExamples !== undefined}
            />
          </div>
          {readOnly ? null : (
            <p className="desk-keys muted">
              {deskShortcuts({ examples: classExamples !== undefined, guide: canShowGuide }).map((s) => (
                <span key={s.action}>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}{' '}
                  {s.action}
                </span>
              ))}
            </p>
          )}
          <DecisionHistory decisions={desk.decisions} classes={classes} />
        </div>
        <footer className="desk-decision-bar">
          {readOnly ? (
            <p className="muted read-only" data-testid="desk-read-only">
              Read-only: only the lead decides. The decision column shows the final labels, or the panel’s aggregate while the item waits
              for the lead.
            </p>
          ) : (
            <>
              <label className="comment">
                <span className="eyebrow">
                  Note <kbd>m</kbd>
                </span>
                <textarea
                  ref={noteRef}
                  rows={2}
                  value={draft.note}
                  maxLength={5000}
                  placeholder="Why you decided so (kept in the history)"
                  onChange={(event) => setNote(event.target.value)}
                  data-testid="decision-note"
                />
              </label>
              <div className="submit-messages">
                {notice ? (
                  <p className="notice" role="status" data-testid="desk-notice">
                    {notice}
                  </p>
                ) : null}
                {error ? (
                  <p className="error" role="alert" data-testid="desk-error">
                    {error}
                  </p>
                ) : null}
                {blockers.length > 0 ? (
                  <ul className={`blockers${attempted ? ' is-attempted' : ''}`} data-testid="decision-blockers" role={attempted ? 'alert' : undefined}>
                    {blockers.map((b) => (
                      <li key={b}>{b}</li>
                    ))}
                  </ul>
                ) : !notice && !error ? (
                  <p className="muted">
                    {canFinalize
                      ? 'Ready to finalize.'
                      : canOverride
                        ? changed
                          ? 'Your labels differ from the final ones: override to replace them.'
                          : 'Change a label to override the final labels, or reopen the item.'
                        : 'The panel is not complete yet: nothing to decide.'}
                  </p>
                ) : null}
              </div>
              <div className="submit-buttons">
                {canOverride ? (
                  <>
                    <button type="button" className="secondary" disabled={busy} onMouseDown={keepFocus} onClick={reopen} data-testid="reopen">
                      Reopen
                    </button>
                    <button
                      type="button"
                      className="primary"
                      disabled={busy || blockers.length > 0 || !changed}
                      onMouseDown={keepFocus}
                      onClick={decide}
                      data-testid="override"
                    >
                      {busy ? 'Saving…' : 'Override'}
                    </button>
                  </>
                ) : (
                  <button
                    type="button"
                    className="primary"
                    disabled={busy || !canFinalize || blockers.length > 0}
                    onMouseDown={keepFocus}
                    onClick={decide}
                    data-testid="finalize"
                  >
                    {busy ? 'Saving…' : 'Finalize'} <kbd>Enter</kbd>
                  </button>
                )}
              </div>
            </>
          )}
        </footer>
      </main>
      <aside className="desk-side" aria-label="Image and discussion">
        <section className="desk-image image-panel" aria-label="Image">
          <ImageViewer image={item.image} alt={`Image of item ${item.id}: ${item.image.file}`} />
        </section>
        {discussion}
      </aside>
      {examplesOf && classExamples ? classExamples({ cls: examplesOf, item, onClose: closeExamples }) : null}
    </>
  );
}
