import { PasswordReset } from '@bagel/contracts';
import { useMutation } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

/** A new generated password for the user, answered only here; their sessions end. 409 OWN_ACCOUNT for oneself. */
export function resetPassword(userId: number): Promise<PasswordReset> {
  return apiJson(`/api/users/${userId}/password`, PasswordReset, { method: 'POST' });
}

export const useResetPassword = (userId: number) => useMutation({ mutationFn: () => resetPassword(userId) });
