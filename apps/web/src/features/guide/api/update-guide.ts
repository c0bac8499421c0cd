import { ProjectGuide, type UpdateGuideRequest } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { staleGuideError } from '../lib/guide-editor';
import { guideKey } from './get-guide';

/**
 * Saves a new revision of the guide over `baseRevision` (leads and admins; 403 for an expert). Throws a
 * StaleGuideError, with the guide as stored now, when someone saved since `baseRevision` (409 STALE_GUIDE); 400 when
 * the text is longer than GUIDE_MAX_LENGTH.
 */
export async function updateGuide(projectId: number, request: UpdateGuideRequest): Promise<ProjectGuide> {
  try {
    return await apiJson(`/api/projects/${projectId}/guide`, ProjectGuide, { method: 'PUT', body: request });
  } catch (error) {
    throw staleGuideError(error) ?? error;
  }
}

export function useUpdateGuide(projectId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (request: UpdateGuideRequest) => updateGuide(projectId, request),
    // The cache holds the guide as stored: the new revision, or the one a conflict revealed.
    onSuccess: (guide) => queryClient.setQueryData(guideKey(projectId), guide),
    onError: (error) => {
      const stale = staleGuideError(error);
      if (stale) queryClient.setQueryData(guideKey(projectId), stale.current);
    },
  });
}
