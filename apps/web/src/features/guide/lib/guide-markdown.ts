import { Marked } from 'marked';

/**
 * The guide's text format: Markdown (CommonMark with GitHub's tables, strikethrough and autolinks), in which every line
 * break is kept, as guides written before were plain text whose line breaks showed. Headings start one level below the
 * guide's own title (`#` is a third-level heading). Raw HTML is never HTML: a tag typed in the guide shows as typed.
 * This is the Markdown → HTML step, pure; GuideText sanitizes its result (DOMPurify) before it reaches the page.
 */

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;');

/** The level a guide heading is shown at: its Markdown level two below (the page and the guide's title come first). */
export const headingLevel = (depth: number) => Math.min(6, depth + 2);

const markdown = new Marked({
  async: false,
  gfm: true,
  breaks: true,
  renderer: {
    // Raw HTML, in a block of its own or inline, shows as the text typed.
    html({ text, block }) {
      if (!block) return escapeHtml(text);
      return `<p>${escapeHtml(text.replace(/\s+$/, '')).replaceAll('\n', '<br>')}</p>\n`;
    },
    heading({ tokens, depth }) {
      const level = headingLevel(depth);
      return `<h${level}>${this.parser.parseInline(tokens)}</h${level}>\n`;
    },
  },
});

/** The HTML of a guide's Markdown text, before sanitizing. */
export function guideMarkdownHtml(text: string): string {
  return markdown.parse(text, { async: false });
}
