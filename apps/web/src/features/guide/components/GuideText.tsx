import { Fragment, useMemo } from 'react';
import { guideBlocks } from '../lib/guide-text';

/**
 * A guide's text, rendered: paragraphs (their line breaks kept) and lists. Only React text: a tag or a script typed in
 * the guide shows as typed, never as HTML.
 */
export function GuideText({ text, testId }: { text: string; testId?: string }) {
  const blocks = useMemo(() => guideBlocks(text), [text]);
  return (
    <div className="guide-text" data-testid={testId}>
      {blocks.map((block, index) =>
        block.kind === 'list' ? (
          <ul key={index}>
            {block.items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        ) : (
          <p key={index}>
            {block.lines.map((line, i) => (
              <Fragment key={i}>
                {i > 0 ? <br /> : null}
                {line}
              </Fragment>
            ))}
          </p>
        ),
      )}
    </div>
  );
}
