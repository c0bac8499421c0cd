import { SessionUser } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { ApiError, apiJson } from '../../../lib/api-client';

export const sessionUserKey = ['auth', 'me'] as const;

/** The signed-in user, or null when there is no session (401). */
export async function getSessionUser(signal?: AbortSignal): Promise<SessionUser | null> {
  try {
    return await apiJson('/api/auth/me', SessionUser, { signal });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
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
