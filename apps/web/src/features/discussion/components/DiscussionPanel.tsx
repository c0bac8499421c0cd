import { type FormEvent, type KeyboardEvent, useEffect, useId, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../../../lib/api-client';
import { formatDateTime } from '../../../lib/format';
import { useDiscussion } from '../api/get-discussion';
import { usePostMessage } from '../api/post-message';

const MAX_MESSAGE = 5000;

/**
 * The item's discussion between the experts who judged it and the lead: the messages, refreshed every few seconds,
 * and a box to post. Render it only for someone allowed to read it (the lead, or an expert with a verdict on the
 * item): blind review means an expert never sees it before their own verdict, so it is not even asked for then.
 */
export function DiscussionPanel({ itemId, compact = false }: { itemId: number; compact?: boolean }) {
  const thread = useDiscussion(itemId);
  const post = usePostMessage(itemId);
  const [body, setBody] = useState('');
  const listRef = useRef<HTMLOListElement>(null);
  const titleId = useId();
  const messages = thread.data?.messages ?? [];
  const lastId = messages.at(-1)?.id;

  // Keep the newest message in view as messages arrive.
  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [lastId]);

  const send = () => {
    const text = body.trim();
    if (!text || post.isPending) return;
    post.mutate(text, { onSuccess: () => setBody('') });
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    send();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Ctrl+Enter posts; preventing the default keeps it from reaching the screen's own Ctrl+Enter (submit).
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    } else if (event.key === 'Escape') {
      event.currentTarget.blur();
      event.preventDefault();
    }
  };

  const forbidden = thread.error instanceof ApiError && thread.error.status === 403;
  return (
    <section className={`discussion${compact ? ' is-compact' : ''}`} aria-labelledby={titleId} data-testid="discussion">
      <div className="section-head">
        <h2 id={titleId}>Discussion</h2>
        <span className="muted">{thread.isSuccess ? `${messages.length} message${messages.length === 1 ? '' : 's'}` : null}</span>
      </div>
      {forbidden ? (
        <p className="discussion-empty" data-testid="discussion-forbidden">
          This discussion is open to the lead and to the experts who have given their verdict on the item.
        </p>
      ) : thread.isError ? (
        <p className="error" role="alert">
          {errorMessage(thread.error)}
        </p>
      ) : thread.isPending ? (
        <p className="discussion-empty">Loading the discussion…</p>
      ) : (
        <>
          {messages.length === 0 ? (
            <p className="discussion-empty" data-testid="discussion-empty">
              No message yet. Ask the panel or the lead about this item.
            </p>
          ) : (
            <ol className="discussion-messages" ref={listRef} aria-label="Messages" aria-live="polite">
              {messages.map((message) => (
                <li key={message.id} className={`message role-${message.role}`} data-testid="discussion-message" data-author={message.author}>
                  <div className="message-head">
                    <strong>{message.author}</strong>
                    {message.role !== 'expert' ? <span className="tag">{message.role}</span> : null}
                    <time dateTime={message.createdAt}>{formatDateTime(message.createdAt)}</time>
                  </div>
                  <p className="message-body">{message.body}</p>
                </li>
              ))}
            </ol>
          )}
          <form className="discussion-form" onSubmit={onSubmit}>
            <textarea
              aria-label="Message to the panel and the lead"
              placeholder="Write a message… (Ctrl+Enter posts)"
              rows={2}
              maxLength={MAX_MESSAGE}
              value={body}
              onChange={(event) => setBody(event.target.value)}
              onKeyDown={onKeyDown}
              data-testid="discussion-input"
            />
            <button type="submit" className="secondary" disabled={post.isPending || !body.trim()} data-testid="discussion-post">
              {post.isPending ? 'Posting…' : 'Post'}
            </button>
          </form>
          {post.isError ? (
            <p className="error" role="alert">
              {errorMessage(post.error)}
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
