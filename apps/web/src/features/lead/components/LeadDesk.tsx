import type { Candidate, LeadDecisionRequest, ProjectSummary, ReviewItem, SessionUser } from '@bagel/contracts';
import { type ReactNode, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { AppHeader } from '../../../components/AppHeader';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { keepFocus } from '../../../lib/keep-focus';
import { useDecideItem } from '../api/decide-item';
import { useDeskItem } from '../api/get-desk-item';
import { type LeadQueueStatus, useLeadQueue } from '../api/get-lead-queue';
import { useReopenItem } from '../api/reopen-item';
import { deskDraftSource } from '../lib/decision-draft';
import { useDeskUiStore } from '../stores/desk-ui-store';
import { DeskItemView } from './DeskItemView';
import { DeskQueue } from './DeskQueue';

const PAGE_SIZE = 100;

interface LeadDeskProps {
  project: ProjectSummary;
  user: SessionUser;
  userMenu: ReactNode;
  navigation?: ReactNode;
  onChangeProject?: () => void;
  /** The item on the desk (kept in the address bar by the app), null for none yet. */
  itemId: number | null;
  onOpenItem(itemId: number | null): void;
  /** The item's discussion, composed by the app (this feature does not depend on others). */
  discussion?: (itemId: number) => ReactNode;
  /** Other images of a class (a modal dialog that owns the keyboard, and calls `onClose` on Esc), composed by the app. */
  classExamples?: DeskClassExamples;
  /** The project's labeling guide (a panel beside the item; its close button calls `onClose`), composed by the app. */
  guide?: DeskGuide;
}

export type DeskGuide = (request: { onClose(): void }) => ReactNode;

export type DeskClassExamples = (request: { cls: Pick<Candidate, 'key' | 'names' | 'gloss'>; item: ReviewItem; onClose(): void }) => ReactNode;

/**
 * The lead's desk: the queue of disputed items, most divided first, and one item at a time with every verdict side
 * by side, the aggregate and why it is disputed, and the decision form. An admin sees it read-only.
 */
export function LeadDesk({ project, user, userMenu, navigation, onChangeProject, itemId, onOpenItem, discussion, classExamples, guide }: LeadDeskProps) {
  const [status, setStatus] = useState<LeadQueueStatus>('disputed');
  const [offset, setOffset] = useState(0);
  const [notice, setNotice] = useState<string | null>(null);
  const queue = useLeadQueue(project.id, { status, limit: PAGE_SIZE, offset });
  // How many disputed items wait for the lead, whichever list is shown.
  const disputed = useLeadQueue(project.id, { status: 'disputed', limit: 1, offset: 0 });
  const deskQuery = useDeskItem(itemId);
  const decideMutation = useDecideItem(project.id);
  const reopenMutation = useReopenItem(project.id);
  const desk = deskQuery.data;
  const draftSource = useDeskUiStore((s) => s.draftSource);
  const startDraft = useDeskUiStore((s) => s.startDraft);
  const guideOpen = useDeskUiStore((s) => s.guideOpen);
  const readOnly = user.role !== 'lead';

  // A draft never outlives the desk: after a log-out, the next user of this browser must not find it.
  useEffect(() => useDeskUiStore.getState().reset, []);
  // A new item, or a new decision on this one, starts a new draft before anything is painted.
  useLayoutEffect(() => {
    if (desk && draftSource !== deskDraftSource(desk)) startDraft(desk);
  }, [desk, draftSource, startDraft]);

  // Arriving with nothing on the desk, open the first item of the queue (once: after the last decision, the desk stays
  // empty rather than reopen an item from a list that has not caught up yet).
  const firstInQueue = queue.data?.items[0]?.itemId;
  const arrived = useRef(itemId !== null);
  useEffect(() => {
    if (arrived.current || firstInQueue === undefined) return;
    arrived.current = true;
    if (itemId === null) onOpenItem(firstInQueue);
  }, [itemId, firstInQueue, onOpenItem]);

  const open = (next: number | null) => {
    decideMutation.reset();
    reopenMutation.reset();
    setNotice(null);
    onOpenItem(next);
  };

  /** The item after this one in the list shown, to go on with once it is decided. */
  const nextAfter = (current: number): number | null => {
    const items = queue.data?.items ?? [];
    const index = items.findIndex((entry) => entry.itemId === current);
    const rest = index < 0 ? items : [...items.slice(index + 1), ...items.slice(0, index)];
    return rest.find((entry) => entry.itemId !== current)?.itemId ?? null;
  };

  const onStale = (error: unknown) => {
    if (error instanceof ApiError && error.status === 409 && error.code === 'STALE_DESK') {
      // A verdict was revised after the desk was loaded: the desk reloads with it, and the lead's draft stays.
      setNotice(
        'Not stored: a verdict on this item was written after you opened it. The desk was reloaded with the panel as it stands now: check it, then decide again (your draft is kept).',
      );
    } else if (error instanceof ApiError && error.status === 409) {
      setNotice(`${error.message} The item was reloaded with what is stored now: check it and decide again.`);
    }
  };

  const onDecide = (request: LeadDecisionRequest) => {
    if (!desk) return;
    const decided = desk.item.id;
    const wasDisputed = desk.item.status === 'disputed';
    setNotice(null);
    decideMutation.mutate(
      { itemId: decided, request },
      {
        onSuccess: (decision) => {
          if (wasDisputed && status === 'disputed') {
            const next = nextAfter(decided);
            onOpenItem(next);
            setNotice(`Item ${decided} finalized.`);
          } else {
            setNotice(`Item ${decided}: decision #${decision.sequence} (${decision.kind}) stored.`);
          }
        },
        onError: onStale,
      },
    );
  };
  const onReopen = (request: { note: string; baseDecision: number }) => {
    if (!desk) return;
    const reopened = desk.item.id;
    setNotice(null);
    reopenMutation.mutate(
      { itemId: reopened, request },
      { onSuccess: () => setNotice(`Item ${reopened} reopened.`), onError: onStale },
    );
  };

  const busy = decideMutation.isPending || reopenMutation.isPending;
  const mutationError = [decideMutation.error, reopenMutation.error].find((e) => e && !(e instanceof ApiError && e.status === 409));
  const illustrative = project.models.some((m) => m.illustrative);
  const ready = desk !== undefined && draftSource === deskDraftSource(desk);

  return (
    <div className={`desk-app${guideOpen && guide ? ' has-guide-panel' : ''}`}>
      <AppHeader
        projectName={project.name}
        onChangeProject={onChangeProject}
        navigation={navigation}
        userMenu={userMenu}
        end={
          guide ? (
            <button
              type="button"
              className="text-button guide-button"
              aria-label="Guide (g)"
              aria-expanded={guideOpen}
              title="The project’s labeling guide, beside the item (g)"
              onMouseDown={keepFocus}
              onClick={() => useDeskUiStore.getState().toggleGuide()}
              data-testid="open-guide"
            >
              Guide <kbd>g</kbd>
            </button>
          ) : null
        }
      >
        <div className="progress" data-testid="desk-progress">
          {disputed.data ? (
            <span className="progress-text">
              <strong>{disputed.data.total}</strong> disputed item{disputed.data.total === 1 ? '' : 's'} to decide
            </span>
          ) : null}
        </div>
      </AppHeader>
      {illustrative ? (
        <div className="banner" role="note">
          Demo data: predictions are illustrative, no model was run on these images.
        </div>
      ) : null}
      <div className="desk-grid" data-testid="lead-desk">
        <DeskQueue
          status={status}
          onStatusChange={(next) => {
            setStatus(next);
            setOffset(0);
          }}
          queue={queue.data}
          error={queue.error}
          isPending={queue.isPending}
          selectedItemId={itemId}
          onOpen={open}
          page={{ offset, limit: PAGE_SIZE }}
          onPage={setOffset}
        />
        {itemId === null ? (
          <main className="desk-main desk-placeholder" data-testid="desk-empty">
            {notice ? (
              <p className="notice" role="status" data-testid="desk-notice">
                {notice}
              </p>
            ) : null}
            <p className="muted">{queue.data?.items.length === 0 ? 'Nothing to decide here.' : 'Pick an item in the queue.'}</p>
          </main>
        ) : deskQuery.isError ? (
          <main className="desk-main desk-placeholder" data-testid="desk-error">
            <h2>This item cannot be shown</h2>
            <p>{errorMessage(deskQuery.error)}</p>
          </main>
        ) : ready ? (
          <DeskItemView
            key={desk.item.id}
            desk={desk}
            readOnly={readOnly}
            busy={busy}
            notice={notice}
            error={mutationError ? errorMessage(mutationError) : null}
            onDecide={onDecide}
            onReopen={onReopen}
            discussion={discussion?.(desk.item.id)}
            classExamples={classExamples}
            canShowGuide={guide !== undefined}
          />
        ) : (
          <main className="desk-main desk-placeholder loading" aria-live="polite">
            Loading the item…
          </main>
        )}
      </div>
      {guideOpen && guide ? guide({ onClose: () => useDeskUiStore.getState().closeGuide() }) : null}
    </div>
  );
}
