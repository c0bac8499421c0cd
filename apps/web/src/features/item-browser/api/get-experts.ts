import { ItemBrowserExperts } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export function getExperts(projectId: number, signal?: AbortSignal): Promise<ItemBrowserExperts> {
  return apiJson(`/api/projects/${projectId}/items/experts`, ItemBrowserExperts, { signal });
}

/** The leads and experts (with their verdicts in the project): the choices of the expert filter. */
export const expertsQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: ['projects', projectId, 'items', 'experts'] as const,
    queryFn: ({ signal }) => getExperts(projectId, signal),
    staleTime: 60_000,
  });

export const useExperts = (projectId: number) => useQuery(expertsQueryOptions(projectId));
