import DOMPurify from 'dompurify';
import { useMemo } from 'react';
import { guideMarkdownHtml } from '../lib/guide-markdown';

// A link of the guide opens in a new tab that cannot reach back to Bagel's (no opener, no referrer).
DOMPurify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A' && node.hasAttribute('href')) {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

/** What the guide may hold once rendered: text markup, lists, tables, links and images; no form, style or frame. */
const SANITIZE = {
  USE_PROFILES: { html: true },
  FORBID_TAGS: ['style', 'form', 'input', 'button', 'textarea', 'select', 'iframe'],
  FORBID_ATTR: ['style', 'id', 'class'],
};

/**
 * A guide's text, rendered from its Markdown (see guide-markdown.ts): the HTML is sanitized with DOMPurify before it
 * reaches the page, so no script or event handler ever runs, and raw HTML typed in the guide shows as typed.
 */
export function GuideText({ text, testId }: { text: string; testId?: string }) {
  const html = useMemo(() => DOMPurify.sanitize(guideMarkdownHtml(text), SANITIZE), [text]);
  return <div className="guide-text" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
