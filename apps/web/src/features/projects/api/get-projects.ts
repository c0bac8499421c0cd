import { ProjectList } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { projectsKey } from '../../../lib/query-keys';

export function getProjects(signal?: AbortSignal): Promise<ProjectList> {
  return apiJson('/api/projects', ProjectList, { signal });
}

export const projectsQueryOptions = () =>
  queryOptions({
    queryKey: projectsKey,
    queryFn: ({ signal }) => getProjects(signal),
  });

export const useProjects = () => useQuery(projectsQueryOptions());
