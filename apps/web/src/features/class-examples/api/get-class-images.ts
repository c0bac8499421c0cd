import { ClassImagesPage } from '@bagel/contracts';
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { EXAMPLES_PAGE_SIZE, nextPageOffset } from '../lib/class-examples';

/**
 * `withheld`: the image being judged while its original label is hidden (the models hidden), which the server leaves
 * out of the pages and their total; its pages are kept apart from the full ones, which count it where it belongs.
 */
export const classImagesKey = (projectId: number, classKey: string, withheld: number | null) =>
  ['projects', projectId, 'classes', classKey, 'images', { withheld }] as const;

/** A page of the project's images whose original label is the class, in the project's order (nothing of any verdict). */
export function getClassImages(projectId: number, classKey: string, offset: number, signal?: AbortSignal): Promise<ClassImagesPage> {
  const params = new URLSearchParams({ offset: String(offset), limit: String(EXAMPLES_PAGE_SIZE) });
  return apiJson(`/api/projects/${projectId}/classes/${encodeURIComponent(classKey)}/images?${params}`, ClassImagesPage, { signal });
}

/**
 * The class's images, a page at a time. Original labels are fixed at import, so what was fetched stays true: the
 * pages are asked for only while the examples are open, and reopening the same class reads the cache.
 */
export const classImagesQueryOptions = (projectId: number, classKey: string, withheld: number | null = null) =>
  infiniteQueryOptions({
    queryKey: classImagesKey(projectId, classKey, withheld),
    queryFn: ({ pageParam, signal }) => getClassImages(projectId, classKey, pageParam, signal),
    initialPageParam: 0,
    getNextPageParam: (last: ClassImagesPage) => nextPageOffset(last),
    staleTime: Infinity,
  });

export const useClassImages = (projectId: number, classKey: string, withheld: number | null = null) =>
  useInfiniteQuery(classImagesQueryOptions(projectId, classKey, withheld));
