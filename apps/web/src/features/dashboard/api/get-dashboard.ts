import { ProjectDashboard } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const dashboardKey = (projectId: number) => ['projects', projectId, 'dashboard'] as const;

export function getDashboard(projectId: number, signal?: AbortSignal): Promise<ProjectDashboard> {
  return apiJson(`/api/projects/${projectId}/dashboard`, ProjectDashboard, { signal });
}

/**
 * Live: polled while the dashboard is open, so its figures follow the verdicts and decisions as they arrive (and a
 * background re-aggregation's progress).
 */
export const dashboardQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: dashboardKey(projectId),
    queryFn: ({ signal }) => getDashboard(projectId, signal),
    staleTime: 0,
    refetchInterval: 5_000,
  });

export const useDashboard = (projectId: number) => useQuery(dashboardQueryOptions(projectId));
