import { z } from 'zod';

// An item's discussion, which a reviewer reads beside the item once they have judged it: apart from the lead's and the
// dashboard's schemas in consensus.ts, so that the reviewer's discussion panel does not load them.

export const DiscussionMessage = z.object({
  id: z.number().int(),
  author: z.string(),
  role: z.enum(['admin', 'lead', 'expert']),
  body: z.string(),
  createdAt: z.string(),
});
export const DiscussionThread = z.object({ messages: z.array(DiscussionMessage) });
export type DiscussionThread = z.infer<typeof DiscussionThread>;
export const PostMessageRequest = z.object({ body: z.string().trim().min(1).max(5000) });
