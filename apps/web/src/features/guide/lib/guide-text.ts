/**
 * The guide's text format, and nothing more: plain text in which blank lines separate paragraphs, lines starting with
 * "- " are list items, and every other line break is kept. The blocks are rendered as React text (never as HTML), so
 * whatever the text holds (tags, scripts, entities) shows as typed.
 */

/** A paragraph (its lines, each shown on a line of its own) or a list (its items, in order). */
export type GuideBlock = { kind: 'paragraph'; lines: string[] } | { kind: 'list'; items: string[] };

/** What starts a list item, at the very start of a line. */
export const LIST_MARKER = '- ';

const isBlank = (line: string) => line.trim() === '';

/**
 * The blocks of a guide's text, in order. A run of blank (or whitespace-only) lines ends the block before it; within a
 * run of non-blank lines, consecutive "- " lines make a list and the other consecutive lines a paragraph. Trailing
 * spaces are dropped; nothing else of a line changes. Windows and old Mac line ends read as line ends.
 */
export function guideBlocks(text: string): GuideBlock[] {
  const blocks: GuideBlock[] = [];
  let open: GuideBlock | null = null;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    if (isBlank(raw)) {
      open = null;
      continue;
    }
    const line = raw.trimEnd();
    if (raw.startsWith(LIST_MARKER)) {
      const item = raw.slice(LIST_MARKER.length).trimEnd();
      if (open?.kind === 'list') open.items.push(item);
      else blocks.push((open = { kind: 'list', items: [item] }));
    } else if (open?.kind === 'paragraph') {
      open.lines.push(line);
    } else {
      blocks.push((open = { kind: 'paragraph', lines: [line] }));
    }
  }
  return blocks;
}
