import { ExpertReliabilityReport, type ReliabilityReference } from '@bagel/contracts';
import { useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const expertReliabilityKey = (projectId: number, reference: ReliabilityReference) => ['projects', projectId, 'expert-reliability', reference] as const;

export function getExpertReliability(projectId: number, reference: ReliabilityReference, signal?: AbortSignal): Promise<ExpertReliabilityReport> {
  return apiJson(`/api/projects/${projectId}/expert-reliability?reference=${reference}`, ExpertReliabilityReport, { signal });
}

/**
 * Not live: the server reads every verdict of the project's final items for it (seconds on a large project), so it
 * is asked when the card is shown and when the lead presses Refresh, never on the dashboard's 5-second poll.
 */
export const useExpertReliability = (projectId: number, reference: ReliabilityReference) =>
  useQuery({
    queryKey: expertReliabilityKey(projectId, reference),
    queryFn: ({ signal }) => getExpertReliability(projectId, reference, signal),
    staleTime: Infinity,
    refetchOnWindowFocus: false,
    refetchOnReconnect: false,
  });
