import type { SessionUser } from '@bagel/contracts';
import { useCallback, useState } from 'react';
import { useSessionUser } from '../features/auth/api/get-session-user';
import { LoginScreen } from '../features/auth/components/LoginScreen';
import { UserMenu } from '../features/auth/components/UserMenu';
import { useProjects } from '../features/projects/api/get-projects';
import { ProjectPicker } from '../features/projects/components/ProjectPicker';
import { ReviewScreen } from '../features/review/components/ReviewScreen';
import { errorMessage } from '../lib/api-client';
import { readUrlState, writeUrlState } from './url-state';

/** Signed out: the login screen. Signed in: the project picker when there are several projects, else the review. */
export function App() {
  const me = useSessionUser();
  if (me.isPending) return <div className="loading">Loading…</div>;
  if (me.isError) return <FatalError message={errorMessage(me.error)} onRetry={() => void me.refetch()} />;
  if (!me.data) return <LoginScreen />;
  return <SignedIn user={me.data} />;
}

function SignedIn({ user }: { user: SessionUser }) {
  const projects = useProjects();
  const [initialUrl] = useState(readUrlState);
  const [chosenProjectId, setChosenProjectId] = useState<number | null>(initialUrl.projectId ?? null);
  const userMenu = <UserMenu user={user} />;

  const onItemShown = useCallback(
    (itemId: number | null) => {
      // The ?item= link is honoured once; after it the queue leads, and a reload shows the next item.
      writeUrlState({ projectId: chosenProjectId ?? undefined, itemId: itemId === initialUrl.itemId ? itemId : undefined });
    },
    [chosenProjectId, initialUrl.itemId],
  );

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
    <ReviewScreen
      key={project.id}
      project={project}
      userMenu={userMenu}
      initialItemId={project.id === initialUrl.projectId || only ? initialUrl.itemId : undefined}
      onItemShown={onItemShown}
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
