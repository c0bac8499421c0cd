import { CreatedUser, type CreateUserRequest } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { usersKey } from './get-users';

/** Adds a user (201); the answer carries the generated password, the only time anyone sees it. 409 USERNAME_TAKEN. */
export function createUser(request: CreateUserRequest): Promise<CreatedUser> {
  return apiJson('/api/users', CreatedUser, { method: 'POST', body: request });
}

export function useCreateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: createUser,
    // The list is sorted by the server: ask for it again rather than guess where the new user goes.
    onSuccess: () => queryClient.invalidateQueries({ queryKey: usersKey, exact: true }),
  });
}
