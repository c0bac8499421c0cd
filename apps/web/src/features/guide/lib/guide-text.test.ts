import { describe, expect, it } from 'vitest';
import { guideBlocks } from './guide-text';

describe('the guide’s text → blocks', () => {
  it('makes paragraphs of the runs of lines between blank lines, keeping their line breaks', () => {
    expect(guideBlocks('Count a uniform jacket as "suit".\nSee the examples.\n\nToys are wrong.')).toEqual([
      { kind: 'paragraph', lines: ['Count a uniform jacket as "suit".', 'See the examples.'] },
      { kind: 'paragraph', lines: ['Toys are wrong.'] },
    ]);
  });

  it('makes a list of consecutive lines starting with "- ", before and after paragraph lines of the same run', () => {
    expect(guideBlocks('Wrong:\n- toys\n- drawings: flag them problematic\nThen grade the mistake.')).toEqual([
      { kind: 'paragraph', lines: ['Wrong:'] },
      { kind: 'list', items: ['toys', 'drawings: flag them problematic'] },
      { kind: 'paragraph', lines: ['Then grade the mistake.'] },
    ]);
  });

  it('splits lists at blank lines, and takes several blank (or whitespace-only) lines as one break', () => {
    expect(guideBlocks('- a\n- b\n\n\n  \t\n- c\n\nend')).toEqual([
      { kind: 'list', items: ['a', 'b'] },
      { kind: 'list', items: ['c'] },
      { kind: 'paragraph', lines: ['end'] },
    ]);
  });

  it('needs "- " at the very start of a line: "-x", " - x", "* x", "1. x" and a lone "-" are paragraph text', () => {
    expect(guideBlocks('-x\n - x\n* x\n1. x\n-')).toEqual([{ kind: 'paragraph', lines: ['-x', ' - x', '* x', '1. x', '-'] }]);
  });

  it('keeps a list item’s own text as typed (an empty item too), and only drops trailing spaces', () => {
    expect(guideBlocks('- \n-  two spaces  \n- - nested?')).toEqual([{ kind: 'list', items: ['', ' two spaces', '- nested?'] }]);
    expect(guideBlocks('  indented line   \nnext')).toEqual([{ kind: 'paragraph', lines: ['  indented line', 'next'] }]);
  });

  it('reads Windows and old Mac line ends as line ends', () => {
    expect(guideBlocks('one\r\ntwo\r\n\r\n- three\r- four')).toEqual([
      { kind: 'paragraph', lines: ['one', 'two'] },
      { kind: 'list', items: ['three', 'four'] },
    ]);
  });

  it('has no block for an empty or blank text, and none for leading or trailing blank lines', () => {
    expect(guideBlocks('')).toEqual([]);
    expect(guideBlocks(' \n\n\t')).toEqual([]);
    expect(guideBlocks('\n\nonly\n\n')).toEqual([{ kind: 'paragraph', lines: ['only'] }]);
  });

  it('leaves markup alone: tags, entities and Markdown are text (React renders them as typed)', () => {
    const text = '<script>alert(1)</script>\n**bold** &amp; <b>b</b>\n\n- <img src=x onerror=alert(2)>\n# not a heading';
    expect(guideBlocks(text)).toEqual([
      { kind: 'paragraph', lines: ['<script>alert(1)</script>', '**bold** &amp; <b>b</b>'] },
      { kind: 'list', items: ['<img src=x onerror=alert(2)>'] },
      { kind: 'paragraph', lines: ['# not a heading'] },
    ]);
  });

  it('loses no character of a non-blank line but trailing spaces: the blocks give back the text', () => {
    const text = 'Intro line\n  second, indented\n- item one\n- item two\nafter\n\nlast';
    const back = guideBlocks(text)
      .map((block) => (block.kind === 'list' ? block.items.map((item) => `- ${item}`) : block.lines).join('\n'))
      .join('\n');
    expect(back).toBe(text.replace('\n\n', '\n'));
  });
});
