import { AggregationModel } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const aggregationKey = (projectId: number) => ['projects', projectId, 'aggregation'] as const;

export function getAggregation(projectId: number, signal?: AbortSignal): Promise<AggregationModel> {
  return apiJson(`/api/projects/${projectId}/aggregation`, AggregationModel, { signal });
}

/**
 * The Dawid–Skene model in force and its estimation under way: read when the setting is shown, after a change, and
 * again every few seconds while an estimation runs (not with the dashboard's poll otherwise).
 */
export const useAggregation = (projectId: number) =>
  useQuery(
    queryOptions({
      queryKey: aggregationKey(projectId),
      queryFn: ({ signal }) => getAggregation(projectId, signal),
      staleTime: Infinity,
      refetchInterval: (query) => (query.state.data?.estimation ? 2000 : false),
    }),
  );
