import { type LoginRequest, SessionUser } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { forgetEarly } from '../../../lib/early-requests';
import { useSessionStore } from '../../../stores/session-store';
import { clearSession, sessionUserKey } from './get-session-user';

export function login(credentials: LoginRequest): Promise<SessionUser> {
  return apiJson('/api/auth/login', SessionUser, { method: 'POST', body: credentials });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (user) => {
      // Whatever was cached belonged to the previous session, which is over now (if it had ended).
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionUserKey[0] });
      forgetEarly();
      useSessionStore.getState().clear();
      queryClient.setQueryData(sessionUserKey, user);
    },
  });
}

/**
 * Signs in again, in place, after the session ended: the same user goes on where they were, so nothing cached is
 * dropped; what failed for want of a session is fetched again, and whoever waits for the session (unsent work) resumes.
 * Should the account answer as another user, everything of the previous one is forgotten instead.
 */
export function useSignInAgain(previousUserId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (user) => {
      if (user.id !== previousUserId) {
        clearSession(queryClient);
        queryClient.setQueryData(sessionUserKey, user);
        return;
      }
      queryClient.setQueryData(sessionUserKey, user);
      useSessionStore.getState().resume();
      void queryClient.invalidateQueries({ predicate: (query) => query.state.status === 'error' });
    },
  });
}
