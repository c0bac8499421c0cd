import { ProjectGuide } from '@bagel/contracts';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export const guideKey = (projectId: number) => ['projects', projectId, 'guide'] as const;

/** The project's labeling guide as last saved (revision 0 and no text while there is none). Everyone on the project. */
export function getGuide(projectId: number, signal?: AbortSignal): Promise<ProjectGuide> {
  return apiJson(`/api/projects/${projectId}/guide`, ProjectGuide, { signal });
}

/**
 * Asked for only where the guide is shown (its view, or its panel opened from the review screen or the desk); then
 * cached, so reopening it beside the next item reads the cache. The lead's saves update the cache themselves; those of
 * others show once it is stale (the default 30 s), when the guide is shown again.
 */
export const guideQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: guideKey(projectId),
    queryFn: ({ signal }) => getGuide(projectId, signal),
  });

export const useGuide = (projectId: number) => useQuery(guideQueryOptions(projectId));
