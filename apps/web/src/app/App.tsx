import type { Candidate, ProjectSummary, ReviewItem, SessionUser } from '@bagel/contracts';
import { type ReactNode, Suspense, useCallback, useState } from 'react';
import { useSessionUser } from '../features/auth/api/get-session-user';
import { LoginScreen } from '../features/auth/components/LoginScreen';
import { SessionEndedDialog } from '../features/auth/components/SessionEndedDialog';
import { UserMenu } from '../features/auth/components/UserMenu';
import { useProjects } from '../features/projects/api/get-projects';
import { ProjectPicker } from '../features/projects/components/ProjectPicker';
import { ReviewScreen } from '../features/review/components/ReviewScreen';
import { ReviewerSync } from '../features/review/components/ReviewerSync';
import { describeUnsentWork } from '../features/review/lib/unsent-work';
import { errorMessage } from '../lib/api-client';
import { useSessionStore } from '../stores/session-store';
import { ItemBrowserView } from './item-browser-slot';
import {
  ClassExamplesDialog,
  DashboardScreen,
  DiscussionPanel,
  DownloadLinks,
  GuidePanel,
  GuideScreen,
  LeadDesk,
  MajorSliceScreen,
  MyVerdictsScreen,
  preloadReviewPanels,
  UsersScreen,
} from './lazy-screens';
import { PageLinks } from './PageLinks';
import { type PageId, type UrlState, type ViewId, readUrlState, urlOf, writeUrlState } from './url-state';
import { ViewLink } from './ViewLink';
import { ViewNavigation } from './ViewNavigation';
import { allowedPage, allowedView, backLabelOf, pagesFor, viewsFor } from './views';

/**
 * Signed out: the login screen (which says so when the session had ended, and what unsent work this browser keeps for
 * the next sign-in). Signed in: the project picker when there are several projects, else the project; or a
 * page of the whole app (the admin's users), opened from the user menu, which needs no project.
 */
export function App() {
  const me = useSessionUser();
  const ended = useSessionStore((s) => s.ended);
  if (me.isPending) return <div className="loading">Loading…</div>;
  if (me.isError) return <FatalError message={errorMessage(me.error)} onRetry={() => void me.refetch()} />;
  if (!me.data) return <LoginScreen sessionEnded={ended} keptWork={describeUnsentWork} />;
  return <SignedIn user={me.data} />;
}

/**
 * The signed-in app. Should the session end behind its back, the screen stays as it is and the password is asked for
 * over it (a verdict in progress is not lost to a sign-in form). A reviewer's unsent work (drafts, verdicts waiting to
 * be acknowledged) is sent in the background whatever the view.
 */
function SignedIn({ user }: { user: SessionUser }) {
  const ended = useSessionStore((s) => s.ended);
  return (
    <>
      <SignedInScreens user={user} />
      {user.role === 'admin' ? null : <ReviewerSync userId={user.id} />}
      {ended ? <SessionEndedDialog user={user} /> : null}
    </>
  );
}

function SignedInScreens({ user }: { user: SessionUser }) {
  const projects = useProjects();
  const [initialUrl, setInitialUrl] = useState(readUrlState);
  const [page, setPage] = useState<PageId | undefined>(() => allowedPage(initialUrl.page, user.role));
  // Where a page's back button returns: the screen the page was opened from.
  const [returnTo, setReturnTo] = useState<UrlState>({});
  const [chosenProjectId, setChosenProjectId] = useState<number | null>(initialUrl.projectId ?? null);

  const openPage = useCallback(
    (next: PageId) => {
      if (next === page) return;
      if (!page) setReturnTo(readUrlState());
      writeUrlState({ page: next });
      setPage(next);
    },
    [page],
  );
  const closePage = () => {
    writeUrlState(returnTo);
    setInitialUrl(returnTo);
    setChosenProjectId(returnTo.projectId ?? null);
    setPage(undefined);
  };

  const userMenu = (
    <UserMenu user={user}>
      <PageLinks pages={pagesFor(user.role)} current={page} onOpen={openPage} />
    </UserMenu>
  );

  if (page === 'users') {
    return (
      <Suspense fallback={<ScreenLoading />}>
        <UsersScreen me={user} userMenu={userMenu} backLabel={backLabelOf(returnTo, projects.data?.projects)} onBack={closePage} />
      </Suspense>
    );
  }
  if (projects.isPending) return <div className="loading">Loading the projects…</div>;
  if (projects.isError) return <FatalError message={errorMessage(projects.error)} onRetry={() => void projects.refetch()} />;

  const list = projects.data.projects;
  const only = list.length === 1 ? list[0] : undefined;
  const project = list.find((p) => p.id === chosenProjectId) ?? only;
  if (!project) {
    return (
      <ProjectPicker
        projects={list}
        userMenu={userMenu}
        onPick={(projectId) => {
          writeUrlState({ projectId });
          setChosenProjectId(projectId);
        }}
      />
    );
  }
  return (
    <ProjectShell
      key={project.id}
      project={project}
      user={user}
      userMenu={userMenu}
      // The address bar's view and item belong to the project it names (or to the only one).
      initialUrl={project.id === initialUrl.projectId || only ? initialUrl : {}}
      onChangeProject={
        list.length > 1
          ? () => {
              writeUrlState({});
              setChosenProjectId(null);
            }
          : undefined
      }
    />
  );
}

interface ProjectShellProps {
  project: ProjectSummary;
  user: SessionUser;
  userMenu: ReactNode;
  initialUrl: UrlState;
  onChangeProject?: () => void;
}

/**
 * One project: the views the user's role may open, one at a time, with the navigation between them. Every view but the
 * review, and the panels beside an item, are loaded when first shown (lazy-screens.ts), each under a Suspense of its
 * own: a panel loading beside the review leaves the review as it is.
 */
function ProjectShell(props: ProjectShellProps) {
  return (
    <Suspense fallback={<ScreenLoading />}>
      <ProjectViews {...props} />
    </Suspense>
  );
}

function ProjectViews({ project, user, userMenu, initialUrl, onChangeProject }: ProjectShellProps) {
  const hasItemBrowser = ItemBrowserView !== null;
  const [view, setView] = useState<ViewId>(() => allowedView(initialUrl.view, user.role, hasItemBrowser));
  // An ?item= link is honoured once, by the view it was opened with; after that the review's queue leads.
  const [reviewItemLink, setReviewItemLink] = useState(view === 'review' ? initialUrl.itemId : undefined);
  const [deskItemId, setDeskItemId] = useState<number | null>(view === 'desk' ? (initialUrl.itemId ?? null) : null);

  const navigate = useCallback(
    (next: ViewId, itemId?: number) => {
      const target = allowedView(next, user.role, hasItemBrowser);
      if (target === 'review') setReviewItemLink(itemId);
      if (target === 'desk') setDeskItemId(itemId ?? null);
      setView(target);
      writeUrlState({ projectId: project.id, view: target, itemId: target === 'review' || target === 'desk' ? itemId : undefined });
    },
    [user.role, hasItemBrowser, project.id],
  );

  const onReviewItemShown = useCallback(
    (itemId: number | null) => {
      writeUrlState({ projectId: project.id, itemId: itemId !== null && itemId === reviewItemLink ? itemId : undefined });
    },
    [project.id, reviewItemLink],
  );
  const onDeskItemOpened = useCallback(
    (itemId: number | null) => {
      setDeskItemId(itemId);
      writeUrlState({ projectId: project.id, view: 'desk', itemId: itemId ?? undefined });
    },
    [project.id],
  );

  // Other images of a class beside an item (the review's candidates, the desk's classes), the item's own image left out.
  const classExamples = useCallback(
    ({ cls, item, onClose }: { cls: Pick<Candidate, 'key' | 'names' | 'gloss'>; item: ReviewItem; onClose(): void }) => (
      <Suspense fallback={null}>
        <ClassExamplesDialog
          key={`${item.id}:${cls.key}`}
          projectId={project.id}
          cls={cls}
          ownImage={{ imageId: item.image.id, originalLabel: item.originalLabel?.key ?? '' }}
          onClose={onClose}
        />
      </Suspense>
    ),
    [project.id],
  );

  // The project's labeling guide beside the item (the review screen, the desk); the Guide view shows and edits it.
  const guidePanel = useCallback(
    ({ onClose }: { onClose(): void }) => (
      <Suspense fallback={null}>
        <GuidePanel projectId={project.id} onClose={onClose} />
      </Suspense>
    ),
    [project.id],
  );

  const navigation = <ViewNavigation projectId={project.id} views={viewsFor(user.role, hasItemBrowser)} current={view} onNavigate={navigate} />;
  const common = { project, userMenu, navigation, onChangeProject };

  switch (view) {
    case 'review':
      return (
        <ReviewScreen
          {...common}
          userId={user.id}
          initialItemId={reviewItemLink}
          onItemShown={onReviewItemShown}
          judgedItemsLink={
            <ViewLink projectId={project.id} view="my-verdicts" onNavigate={navigate} className="link-button" testId="nothing-left-my-verdicts">
              See the items you judged
            </ViewLink>
          }
          // Blind review: the discussion shows only once the expert has given their own verdict on the item.
          itemAside={(item) =>
            item.myVerdict ? (
              <Suspense fallback={null}>
                <DiscussionPanel key={item.id} itemId={item.id} compact />
              </Suspense>
            ) : null
          }
          classExamples={classExamples}
          guide={guidePanel}
          onFirstImageShown={preloadReviewPanels}
        />
      );
    case 'my-verdicts':
      return (
        <MyVerdictsScreen
          {...common}
          // A real link to the review on the item (`?project=P&item=ID`): it opens there to be revised (read-only once
          // agreed or final), in this tab or another.
          reviewHref={(itemId) => urlOf({ projectId: project.id, view: 'review', itemId })}
          onOpenReview={(itemId) => navigate('review', itemId)}
        />
      );
    case 'desk':
      return (
        <LeadDesk
          {...common}
          user={user}
          itemId={deskItemId}
          onOpenItem={onDeskItemOpened}
          discussion={(itemId) => (
            <Suspense fallback={null}>
              <DiscussionPanel key={itemId} itemId={itemId} />
            </Suspense>
          )}
          classExamples={classExamples}
          guide={guidePanel}
        />
      );
    case 'dashboard':
      return (
        <DashboardScreen
          {...common}
          // A Suspense of its own: the downloads' code arriving after the figures must not hide the screen (the
          // shell's Suspense would, taking the focus from wherever it was).
          downloads={
            <Suspense fallback={<DownloadsLoading />}>
              <DownloadLinks project={project} />
            </Suspense>
          }
          onOpenMajorSlice={() => navigate('major-slice')}
          canChangeSettings={user.role === 'admin'}
        />
      );
    case 'major-slice':
      return <MajorSliceScreen {...common} onOpenItem={(itemId) => navigate('desk', itemId)} />;
    case 'items':
      return ItemBrowserView ? <ItemBrowserView {...common} user={user} navigation={navigation} navigate={navigate} /> : null;
    case 'guide':
      return <GuideScreen {...common} user={user} />;
  }
}

function DownloadsLoading() {
  return (
    <section className="card downloads" aria-labelledby="downloads-title" aria-busy="true" data-testid="downloads-loading">
      <div className="card-head">
        <h2 id="downloads-title">Downloads</h2>
      </div>
      <p className="muted">Loading…</p>
    </section>
  );
}

function ScreenLoading() {
  return <div className="loading">Loading…</div>;
}

function FatalError({ message, onRetry }: { message: string; onRetry(): void }) {
  return (
    <main className="centered-message" role="alert">
      <h2>Bagel cannot start</h2>
      <p>{message}</p>
      <button type="button" className="primary" onClick={onRetry}>
        Try again
      </button>
    </main>
  );
}
