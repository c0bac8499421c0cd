import { VocabularyResponse } from '@bagel/contracts';
import { createVocabulary, createVocabularySearch, type Vocabulary, type VocabularySearch } from '@bagel/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export interface SearchableClasses {
  vocabulary: Vocabulary;
  search: VocabularySearch;
}

export function getClasses(projectId: number, signal?: AbortSignal): Promise<VocabularyResponse> {
  return apiJson(`/api/projects/${projectId}/classes`, VocabularyResponse, { signal });
}

// Module-level, so react-query keeps the selected index between renders (it selects again when the function changes).
function indexClasses(data: VocabularyResponse): SearchableClasses {
  return { vocabulary: createVocabulary(data.classes), search: createVocabularySearch(data.classes) };
}

/**
 * The project's whole vocabulary, indexed once for the class filter's search-as-you-type. Same key as the review
 * screen's, so the answer is fetched once per session whichever view asks first.
 */
export const classesQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: ['projects', projectId, 'classes'] as const,
    queryFn: ({ signal }) => getClasses(projectId, signal),
    staleTime: Infinity,
    select: indexClasses,
  });

export const useClasses = (projectId: number) => useQuery(classesQueryOptions(projectId));
