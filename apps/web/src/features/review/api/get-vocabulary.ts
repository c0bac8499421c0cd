import { VocabularyResponse } from '@bagel/contracts';
import { createVocabulary, createVocabularySearch, type Vocabulary, type VocabularySearch } from '@bagel/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export function getVocabulary(projectId: number, signal?: AbortSignal): Promise<VocabularyResponse> {
  return apiJson(`/api/projects/${projectId}/classes`, VocabularyResponse, { signal });
}

export interface IndexedVocabulary {
  vocabulary: Vocabulary;
  search: VocabularySearch;
}

// Module-level so react-query keeps the selected index between renders (it re-selects when the function changes).
function indexVocabulary(data: VocabularyResponse): IndexedVocabulary {
  return { vocabulary: createVocabulary(data.classes), search: createVocabularySearch(data.classes) };
}

/** The whole vocabulary, indexed once for lookups and search-as-you-type; it does not change during a session. */
export const vocabularyQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: ['projects', projectId, 'classes'] as const,
    queryFn: ({ signal }) => getVocabulary(projectId, signal),
    staleTime: Infinity,
    select: indexVocabulary,
  });

export const useVocabulary = (projectId: number) => useQuery(vocabularyQueryOptions(projectId));
