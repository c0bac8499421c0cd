import type { GoldFeedback, Judgement } from '@bagel/contracts';

const judged = (judgement: Judgement | null) => judgement ?? 'not judged';
const flagged = (on: boolean) => (on ? 'flagged' : 'not flagged');

/**
 * After an answer to a gold item, where the project tells experts (its goldFeedback setting): the item just judged was
 * a gold item, and where the answer differs from the gold answer, class by class, or that it matched it. Not a modal:
 * the next item is on screen meanwhile; dismissed with its button or Esc (`useReviewKeyboard`).
 */
export function GoldFeedbackNotice({ itemId, feedback, onDismiss }: { itemId: number; feedback: GoldFeedback; onDismiss(): void }) {
  const flagDiffers = feedback.problematic.yours !== feedback.problematic.answer;
  return (
    <div className="banner gold-feedback" role="status" data-testid="gold-feedback" data-item-id={itemId} data-matched={feedback.matched}>
      <div>
        <strong>Item {itemId}, which you just judged, was a gold item</strong> (its answer was settled before):{' '}
        {feedback.matched ? 'your verdict matches its answer in full.' : 'your verdict differs from its answer.'}
        {feedback.matched ? null : (
          <ul className="gold-feedback-list">
            {feedback.classes.map((c) => (
              <li key={c.key} data-testid="gold-feedback-class" data-class-key={c.key}>
                <strong>{c.name}</strong>: you: {judged(c.yours)} · answer: {judged(c.answer)}
              </li>
            ))}
            {flagDiffers ? (
              <li data-testid="gold-feedback-problematic">
                <strong>Problematic image</strong>: you: {flagged(feedback.problematic.yours)} · answer: {flagged(feedback.problematic.answer)}
              </li>
            ) : null}
          </ul>
        )}
      </div>
      <button type="button" className="link-button" aria-label={`Dismiss the message about gold item ${itemId} (Esc)`} onClick={onDismiss} data-testid="dismiss-gold-feedback">
        Dismiss
      </button>
    </div>
  );
}
