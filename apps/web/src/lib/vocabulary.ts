import { VocabularyResponse, type VocabularyClass } from '@bagel/contracts';
import { createVocabulary, type Vocabulary, type VocabularySearch, vocabularySearchBuilder } from '@bagel/core';
import { queryOptions, useQuery } from '@tanstack/react-query';
import { apiFetch } from './api-client';

/** A project's whole vocabulary, indexed for lookups and for search-as-you-type (the review's add-class search, the item browser's class filter). */
export interface IndexedVocabulary {
  vocabulary: Vocabulary;
  search: VocabularySearch;
}

/** How long the page is held at most between two turns of checking and indexing a vocabulary. */
const SLICE_MS = 8;
/** Classes checked or indexed between two looks at the clock. */
const STEP = 500;

type Scheduler = { yield?: () => Promise<void> };

/** Lets the browser paint and handle input before going on: scheduler.yield where there is one, else a message (no timer clamping). */
function yieldToBrowser(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: Scheduler }).scheduler;
  if (scheduler?.yield) return scheduler.yield();
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => resolve();
    channel.port2.postMessage(null);
  });
}

/** Runs `step` (which returns true once done) in turns of about SLICE_MS, yielding to the browser between them. */
async function inSlices(step: () => boolean, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const start = performance.now();
    let done = false;
    while (!done && performance.now() - start < SLICE_MS) done = step();
    if (done) return;
    await yieldToBrowser();
    signal?.throwIfAborted();
  }
}

/**
 * Fetches the vocabulary, checks it against the contract and indexes it, a slice at a time: with ImageNet-21k's
 * 21,841 classes the work takes a few hundred milliseconds, which in one piece would hold every keystroke and paint
 * meanwhile. The server sends it compressed and the browser keeps it (revalidated with its ETag).
 */
export async function fetchIndexedVocabulary(projectId: number, signal?: AbortSignal): Promise<IndexedVocabulary> {
  const response = await apiFetch(`/api/projects/${projectId}/classes`, { signal });
  const body: unknown = await response.json();
  const raw = (body as { classes?: unknown } | null)?.classes;
  // Not a list at all: the contract's own message.
  if (!Array.isArray(raw)) VocabularyResponse.parse(body);
  const list = raw as unknown[];
  const classes: VocabularyClass[] = [];
  await inSlices(() => {
    classes.push(...VocabularyResponse.parse({ classes: list.slice(classes.length, classes.length + STEP) }).classes);
    return classes.length >= list.length;
  }, signal);
  const builder = vocabularySearchBuilder(classes);
  await inSlices(() => builder.step(STEP), signal);
  return { vocabulary: createVocabulary(classes), search: builder.search };
}

/** The whole vocabulary, indexed once per session for lookups and search-as-you-type: it does not change during a session. */
export const vocabularyQueryOptions = (projectId: number) =>
  queryOptions({
    queryKey: ['projects', projectId, 'classes'] as const,
    queryFn: ({ signal }) => fetchIndexedVocabulary(projectId, signal),
    staleTime: Infinity,
    // An index, not JSON: nothing to share with an earlier answer, and comparing 21,841 classes would cost a turn.
    structuralSharing: false,
  });

/** `enabled` false: not fetched yet (the review screen asks for it once the item's image is on screen). */
export const useVocabulary = (projectId: number, enabled = true) => useQuery({ ...vocabularyQueryOptions(projectId), enabled });
