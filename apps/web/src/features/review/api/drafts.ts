import { VerdictDraft, type VerdictDraftRequest } from '@bagel/contracts';
import { apiFetch, apiJson } from '../../../lib/api-client';

/** Saves the signed-in reviewer's draft on the item (theirs only; 409 DRAFT_STALE once a newer verdict is stored). */
export function putDraft(itemId: number, draft: VerdictDraftRequest, signal?: AbortSignal): Promise<VerdictDraft> {
  return apiJson(`/api/items/${itemId}/draft`, VerdictDraft, { method: 'PUT', body: draft, signal });
}

export async function deleteDraft(itemId: number): Promise<void> {
  await apiFetch(`/api/items/${itemId}/draft`, { method: 'DELETE' });
}
