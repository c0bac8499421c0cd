import { MajorSlice } from '@bagel/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

/** The images on which every chosen model's top-1 is a Major mistake under the final labels. */
export function getMajorSlice(projectId: number, models: readonly string[], signal?: AbortSignal): Promise<MajorSlice> {
  const query = new URLSearchParams({ models: models.join(',') });
  return apiJson(`/api/projects/${projectId}/major-slice?${query}`, MajorSlice, { signal });
}

export const majorSliceQueryOptions = (projectId: number, models: readonly string[]) =>
  queryOptions({
    queryKey: ['projects', projectId, 'major-slice', [...models].sort()] as const,
    queryFn: ({ signal }) => getMajorSlice(projectId, models, signal),
    staleTime: 0,
    // Another choice of models keeps the previous grid on screen until its answer is in.
    placeholderData: keepPreviousData,
  });

export const useMajorSlice = (projectId: number, models: readonly string[]) =>
  useQuery({ ...majorSliceQueryOptions(projectId, models), enabled: models.length > 0 });
