import type { ProjectSummary } from '@bagel/contracts';
import { type FormEvent, useState } from 'react';
import { useUpdateSettings } from '../api/update-settings';
import { SettingError } from './SettingError';

/**
 * The admin's control of the feedback after a gold item: whether an expert is told, once they have answered a gold
 * item, how their answer compares with the gold answer. Off by default: with it on, experts learn afterwards which
 * items were gold. It re-aggregates nothing, so it applies without asking.
 */
export function GoldFeedbackSetting({ project }: { project: ProjectSummary }) {
  const update = useUpdateSettings(project.id);
  const [on, setOn] = useState(project.goldFeedback);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (on !== project.goldFeedback) update.mutate({ goldFeedback: on });
  };
  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Feedback after a gold item setting" data-testid="gold-feedback-form">
      <label className="field-inline">
        <input type="checkbox" checked={on} onChange={(event) => setOn(event.target.checked)} />
        <span>Tell experts after a gold item how their answer compares with the gold answer</span>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || on === project.goldFeedback}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {update.isSuccess ? (
        <p className="muted" role="status">
          {update.data.goldFeedback
            ? 'Applied: an expert who answers a gold item is told now where their answer differs from the gold answer (and so that the item was gold).'
            : 'Applied: nothing tells an expert that an item was gold.'}
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
