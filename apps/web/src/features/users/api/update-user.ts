import { UserAccount, type UpdateUserRequest, type UserList } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { replaceAccount } from '../lib/accounts';
import { usersKey } from './get-users';

/**
 * Changes a user's role or (de)activates them; deactivating ends their sessions and releases their claims. 409
 * OWN_ACCOUNT for the admin's own account.
 */
export function updateUser(userId: number, request: UpdateUserRequest): Promise<UserAccount> {
  return apiJson(`/api/users/${userId}`, UserAccount, { method: 'PATCH', body: request });
}

export function useUpdateUser(userId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: UpdateUserRequest) => updateUser(userId, request),
    onSuccess: (account) => queryClient.setQueryData<UserList>(usersKey, (list) => (list ? replaceAccount(list, account) : list)),
  });
}
