import { type LoginRequest, SessionUser } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { sessionUserKey } from './get-session-user';

export function login(credentials: LoginRequest): Promise<SessionUser> {
  return apiJson('/api/auth/login', SessionUser, { method: 'POST', body: credentials });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    onSuccess: (user) => {
      // Whatever was cached belonged to the previous session.
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionUserKey[0] });
      queryClient.setQueryData(sessionUserKey, user);
    },
  });
}
