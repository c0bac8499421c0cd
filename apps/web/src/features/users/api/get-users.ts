import { UserList } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const usersKey = ['users'] as const;

/** Every user, by name (admins only: 403 for the others). */
export function getUsers(signal?: AbortSignal): Promise<UserList> {
  return apiJson('/api/users', UserList, { signal });
}

export const usersQueryOptions = () =>
  queryOptions({
    queryKey: usersKey,
    queryFn: ({ signal }) => getUsers(signal),
  });

export const useUsers = () => useQuery(usersQueryOptions());
