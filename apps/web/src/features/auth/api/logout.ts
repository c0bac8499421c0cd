import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api-client';
import { sessionUserKey } from './get-session-user';

export async function logout(): Promise<void> {
  await apiFetch('/api/auth/logout', { method: 'POST' });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      // Set the session first: the app's observer of it must see null, so it cannot be cleared away with the rest.
      queryClient.setQueryData(sessionUserKey, null);
      queryClient.removeQueries({ predicate: (query) => query.queryKey[0] !== sessionUserKey[0] });
    },
  });
}
