import type { ProjectSummary } from '@bagel/contracts';
import { type FormEvent, useState } from 'react';
import { useUpdateSettings } from '../api/update-settings';
import { SettingError } from './SettingError';

/**
 * The admin's control of the gold rate: the share of each expert's items that are gold items (final items a lead
 * marked gold, served to experts who did not judge them). It re-aggregates nothing, so it applies without asking.
 */
export function GoldRateSetting({ project }: { project: ProjectSummary }) {
  const update = useUpdateSettings(project.id);
  const [percent, setPercent] = useState(String(Math.round(project.goldRate * 1000) / 10));
  const value = Number(percent) / 100;
  const valid = percent.trim() !== '' && Number.isFinite(value) && value >= 0 && value <= 0.5;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (valid && value !== project.goldRate) update.mutate({ goldRate: value });
  };
  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Gold rate setting" data-testid="gold-rate-form">
      <label className="field-inline">
        <span>Gold items</span>
        <input
          type="number"
          min={0}
          max={50}
          step={0.5}
          value={percent}
          onChange={(event) => setPercent(event.target.value)}
          aria-label="Share of each expert's items that are gold, in percent"
          aria-invalid={!valid}
        />
        <span>% of each expert’s items</span>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || !valid || value === project.goldRate}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {update.isSuccess ? (
        <p className="muted" role="status">
          Applied: {Math.round(update.data.goldRate * 1000) / 10}% of each expert’s next items are gold items, where the project has some.
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
