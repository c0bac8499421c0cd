import { DiscussionMessage, type DiscussionThread } from '@bagel/contracts';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiJson } from '../../../lib/api-client';
import { discussionKey } from './get-discussion';

export type DiscussionPost = DiscussionThread['messages'][number];

export function postMessage(itemId: number, body: string): Promise<DiscussionPost> {
  return apiJson(`/api/items/${itemId}/discussion`, DiscussionMessage, { method: 'POST', body: { body } });
}

export function usePostMessage(itemId: number) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: string) => postMessage(itemId, body),
    onSuccess: (message) => {
      // Show one's own message at once; the next poll brings any that arrived meanwhile.
      queryClient.setQueryData<DiscussionThread>(discussionKey(itemId), (thread) =>
        thread && !thread.messages.some((m) => m.id === message.id) ? { messages: [...thread.messages, message] } : thread,
      );
      void queryClient.invalidateQueries({ queryKey: discussionKey(itemId), exact: true });
    },
  });
}
