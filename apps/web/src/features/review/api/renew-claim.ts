import { ClaimResponse } from '@bagel/contracts';
import { apiJson } from '../../../lib/api-client';

/**
 * Renews this expert's claim on an item they are judging (or takes it again once it ran out, if the panel still has
 * a free slot). 409 PANEL_FULL when it ran out and the slot went to someone else.
 */
export function renewClaim(itemId: number): Promise<ClaimResponse> {
  return apiJson(`/api/items/${itemId}/claim`, ClaimResponse, { method: 'POST' });
}
