import { useReviewerSyncRunner } from '../hooks/use-reviewer-sync';

/** Mounted by the app shell while a reviewer is signed in: their unsent drafts and verdicts go out whatever the view. */
export function ReviewerSync({ userId }: { userId: number }) {
  useReviewerSyncRunner(userId);
  return null;
}
