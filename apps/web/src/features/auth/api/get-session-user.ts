import { SessionErrorCode, SessionUser } from '@bagel/contracts';
import { type QueryClient, queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, apiJson } from '../../../lib/api-client';
import { forgetEarly } from '../../../lib/early-requests';
import { useSessionStore } from '../../../stores/session-store';

export const sessionUserKey = ['auth', 'me'] as const;

/**
 * The signed-in user, or null when there is no session (401). A 401 SESSION_ENDED (this browser still had the cookie
 * of a session that expired, or was ended on the server) marks the session ended, so that the sign-in form says why
 * it is there.
 */
export async function getSessionUser(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    return await apiJson('/api/auth/me', SessionUser, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      if (error.code === SessionErrorCode.enum.SESSION_ENDED) useSessionStore.getState().end();
      return null;
    }
    throw error;
  }
}

export const sessionUserQueryOptions = () =>
  queryOptions({
    queryKey: sessionUserKey,
    queryFn: ({ signal }) => getSessionUser(signal),
    staleTime: Infinity,
  });

export const useSessionUser = () => useQuery(sessionUserQueryOptions());

/** Forgets the session and everything cached under it: the app shows the sign-in form. */
export function clearSession(queryClient: QueryClient): void {
  // Set the session first: the app's observer of it must see null, so it cannot be cleared away with the rest.
  queryClient.setQueryData(sessionUserKey, null);
  queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionUserKey[0] });
  useSessionStore.getState().clear();
  // Nor is anything the page asked for before it loaded (early-requests.ts) handed to the next user.
  forgetEarly();
}

/**
 * A guarded route answered 401: the session is gone (expired, ended by an admin who deactivated the account or reset
 * its password, or by a password change in another browser). The screen stays as it is, with whatever the user was
 * doing, and the app asks for the password over it (SessionEndedDialog); nothing is cleared until they sign out.
 * Signed out already (a wrong password at sign-in), nothing to do.
 */
export function sessionEnded(queryClient: QueryClient): void {
  if (queryClient.getQueryData(sessionUserKey)) useSessionStore.getState().end();
}
