import { ModelEvidenceEffectReport } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const modelEvidenceEffectKey = (projectId: number) => ['projects', projectId, 'model-evidence-effect'] as const;

export function getModelEvidenceEffect(projectId: number, signal?: AbortSignal): Promise<ModelEvidenceEffectReport> {
  return apiJson(`/api/projects/${projectId}/model-evidence-effect`, ModelEvidenceEffectReport, { signal });
}

/**
 * What showing the models does: a scan of the experiment's verdicts on the server, so it is not polled with the
 * dashboard; it is read when the card is shown and again on its Refresh.
 */
export const useModelEvidenceEffect = (projectId: number) =>
  useQuery(
    queryOptions({
      queryKey: modelEvidenceEffectKey(projectId),
      queryFn: ({ signal }) => getModelEvidenceEffect(projectId, signal),
      staleTime: Infinity,
    }),
  );
