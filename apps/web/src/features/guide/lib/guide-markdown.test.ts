import { describe, expect, it } from 'vitest';
import { guideMarkdownHtml } from './guide-markdown';

const html = (text: string) => guideMarkdownHtml(text).trim();

describe('the guide’s Markdown → HTML', () => {
  it('renders headings (two levels below the guide’s title), bold, italics and links', () => {
    expect(html('# Animals\n\n## Dogs')).toBe('<h3>Animals</h3>\n<h4>Dogs</h4>');
    expect(html('###### deep')).toBe('<h6>deep</h6>');
    expect(html('Toys are **wrong**, drawings _problematic_.')).toBe('<p>Toys are <strong>wrong</strong>, drawings <em>problematic</em>.</p>');
    expect(html('See [WordNet](https://wordnet.princeton.edu/).')).toBe('<p>See <a href="https://wordnet.princeton.edu/">WordNet</a>.</p>');
    expect(html('https://example.org/guide')).toBe('<p><a href="https://example.org/guide">https://example.org/guide</a></p>');
  });

  it('keeps every line break, and makes paragraphs and lists as before', () => {
    expect(html('Count a jacket as "suit".\nSee the examples.\n\nAlways:\n- toys are wrong\n- drawings: flag them')).toBe(
      '<p>Count a jacket as &quot;suit&quot;.<br>See the examples.</p>\n<p>Always:</p>\n<ul>\n<li>toys are wrong</li>\n<li>drawings: flag them</li>\n</ul>',
    );
  });

  it('shows raw HTML as typed, inline or in a block of its own', () => {
    expect(html('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
    expect(html('<div onclick="x()">\nhi\n</div>')).toBe('<p>&lt;div onclick=&quot;x()&quot;&gt;<br>hi<br>&lt;/div&gt;</p>');
    expect(html('a <b>bold</b> <img src=x onerror=alert(1)> & b')).toBe(
      '<p>a &lt;b&gt;bold&lt;/b&gt; &lt;img src=x onerror=alert(1)&gt; &amp; b</p>',
    );
    expect(html('<!-- hidden -->')).toBe('<p>&lt;!-- hidden --&gt;</p>');
  });

  it('escapes what code shows', () => {
    expect(html('`<b>`')).toBe('<p><code>&lt;b&gt;</code></p>');
  });
});
