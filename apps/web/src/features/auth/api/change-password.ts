import type { ChangePasswordRequest } from '@bagel/contracts';
import { useMutation } from '@tanstack/react-query';
import { apiFetch } from '../../../lib/api-client';

/**
 * Changes the signed-in user's own password (204). A wrong current password is a 400 WRONG_PASSWORD, not a 401: this
 * session stays valid. The user's other sessions end.
 */
export async function changePassword(request: ChangePasswordRequest): Promise<void> {
  await apiFetch('/api/auth/password', { method: 'POST', body: request });
}

export const useChangePassword = () => useMutation({ mutationFn: changePassword });
