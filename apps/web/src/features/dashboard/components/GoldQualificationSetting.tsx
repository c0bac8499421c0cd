import type { ProjectSummary } from '@bagel/contracts';
import { type FormEvent, useState } from 'react';
import { useUpdateSettings } from '../api/update-settings';
import { SettingError } from './SettingError';

/**
 * The admin's control of the qualification set: how many of a new expert's first items are gold items, before the
 * gold rate takes over (0: none). It re-aggregates nothing, so it applies without asking.
 */
export function GoldQualificationSetting({ project }: { project: ProjectSummary }) {
  const update = useUpdateSettings(project.id);
  const current = project.goldQualification ?? 0;
  const [count, setCount] = useState(String(current));
  const value = Number(count);
  const valid = count.trim() !== '' && Number.isInteger(value) && value >= 0 && value <= 100;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (valid && value !== current) update.mutate({ goldQualification: value });
  };
  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Qualification set setting" data-testid="gold-qualification-form">
      <label className="field-inline">
        <span>A new expert’s first</span>
        <input
          type="number"
          min={0}
          max={100}
          step={1}
          value={count}
          onChange={(event) => setCount(event.target.value)}
          aria-label="How many of a new expert's first items are gold items"
          aria-invalid={!valid}
        />
        <span>items are gold items</span>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || !valid || value === current}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {update.isSuccess ? (
        <p className="muted" role="status">
          {update.data.goldQualification === 0
            ? 'Applied: no qualification set; a new expert’s items follow the gold rate.'
            : `Applied: ${update.data.goldQualification === 1 ? 'a new expert’s first item is a gold item' : `a new expert’s first ${update.data.goldQualification} items are gold items`}, as far as the project has gold items they may be served.`}
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
