import type { QueryClient } from '@tanstack/react-query';
import { sessionUserQueryOptions } from '../features/auth/api/get-session-user';
import { projectsQueryOptions } from '../features/projects/api/get-projects';

/**
 * How long the app's first render waits at most for the first answers: past it, the app renders its loading screen
 * and the answers come as they would have.
 */
const WAIT_AT_MOST_MS = 300;

/**
 * Reads who is signed in and, if someone is, their projects into the query cache before the app's first render. The
 * entry script asked for both while the app's code loaded (early-start.ts), so both have usually arrived: the first
 * render is then the screen they lead to (the review screen, which claims its item at once), not a loading screen
 * for each answer, each rendered and painted in turn before the next query could start (two frames of a slow
 * machine's main thread, on the way to the first image). The queries are the app's own (same keys and schemas), so
 * its hooks find the answers in the cache and ask for nothing again. Never rejects: a failure is the app's to show,
 * when its own query runs again.
 */
export async function readFirstAnswers(queryClient: QueryClient): Promise<void> {
  const read = async () => {
    // Projects only for a signed-in user: a visitor's would be a 401, which ends the session the app thinks it has.
    const me = await queryClient.fetchQuery(sessionUserQueryOptions());
    if (me) await queryClient.prefetchQuery(projectsQueryOptions());
  };
  await Promise.race([read().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, WAIT_AT_MOST_MS))]);
}
