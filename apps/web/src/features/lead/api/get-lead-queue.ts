import { LeadQueue, type LeadQueueQuery } from '@bagel/contracts';
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';

export type LeadQueueFilter = ReturnType<typeof LeadQueueQuery.parse>;
export type LeadQueueStatus = LeadQueueFilter['status'];

/** Items aggregation sent to the lead (or already decided), most divided first: the server orders them. */
export function getLeadQueue(projectId: number, filter: LeadQueueFilter, signal?: AbortSignal): Promise<LeadQueue> {
  const params = new URLSearchParams({ status: filter.status, limit: String(filter.limit), offset: String(filter.offset) });
  return apiJson(`/api/projects/${projectId}/lead/queue?${params}`, LeadQueue, { signal });
}

export const leadQueueKey = (projectId: number) => ['projects', projectId, 'lead-queue'] as const;

/**
 * The queue changes with every verdict the experts submit (aggregation runs as they arrive), so it is polled while
 * the desk is open; the page keeps showing the previous answer while another filter or page loads.
 */
export const leadQueueQueryOptions = (projectId: number, filter: LeadQueueFilter) =>
  queryOptions({
    queryKey: [...leadQueueKey(projectId), filter] as const,
    queryFn: ({ signal }) => getLeadQueue(projectId, filter, signal),
    staleTime: 0,
    refetchInterval: 10_000,
    placeholderData: keepPreviousData,
  });

export const useLeadQueue = (projectId: number, filter: LeadQueueFilter) => useQuery(leadQueueQueryOptions(projectId, filter));
