import type { Aggregation, PanelPolicy } from '@bagel/contracts';
import { type FormEvent, useId, useState } from 'react';
import { useUpdateSettings } from '../api/update-settings';
import { useConfirmedChange } from '../hooks/use-confirmed-change';
import { type PanelMode, PANEL_BOUNDS, panelForm, panelHint, panelPolicyFromForm, panelPolicyText, samePanelPolicy } from '../lib/panel-form';
import { SettingError } from './SettingError';

/**
 * The admin's control of the panel policy (docs/AGGREGATION.md, "Adaptive panels"): a fixed panel of the project's
 * panel size, or an adaptive one of min to max experts, checked here as the server checks it. Apply asks first (every
 * judged item is re-aggregated at once); Esc or Cancel keeps the policy.
 */
export function PanelSetting({ projectId, panel, panelSize, aggregation }: { projectId: number; panel: PanelPolicy; panelSize: number; aggregation: Aggregation }) {
  const update = useUpdateSettings(projectId);
  const { confirming, confirmRef, applyRef, ask, cancel, confirm, onConfirmKey } = useConfirmedChange<PanelPolicy>();
  const [form, setForm] = useState(() => panelForm(panel));
  const checked = panelPolicyFromForm(form);
  const requested = 'policy' in checked ? checked.policy : null;
  const unchanged = requested !== null && samePanelPolicy(requested, panel);
  const id = useId();
  const ids = { fixed: `${id}-fixed`, adaptive: `${id}-adaptive`, rule: `${id}-rule` };

  const edit = (change: Partial<typeof form>) => {
    setForm((current) => ({ ...current, ...change }));
    cancel();
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (requested && !unchanged) {
      update.reset();
      ask(requested);
    }
  };
  const mode = (value: PanelMode, label: string, explanation: string) => (
    <div className="panel-mode">
      <label className="field-inline">
        <input type="radio" name={`${id}-mode`} value={value} checked={form.mode === value} onChange={() => edit({ mode: value })} aria-describedby={ids[value]} />
        <span>{label}</span>
      </label>
      <span className="muted" id={ids[value]}>
        {explanation}
      </span>
    </div>
  );

  return (
    <form className="quorum-setting panel-setting" onSubmit={onSubmit} aria-label="Panel setting" data-testid="panel-setting">
      <fieldset>
        <legend>Panel</legend>
        {mode('fixed', `Fixed: ${panelSize} experts per item`, `Every item gets ${panelSize} verdicts, then is agreed or goes to the lead.`)}
        {mode(
          'adaptive',
          'Adaptive: min to max experts per item',
          'Each item gets min verdicts, then one more at a time while they do not settle it; still unsettled at max, it goes to the lead.',
        )}
        {form.mode === 'adaptive' ? (
          <div className="panel-bounds">
            {(['min', 'max'] as const).map((field) => (
              <label className="field-inline" key={field}>
                <span>{field === 'min' ? 'Min' : 'Max'}</span>
                <input
                  type="number"
                  min={PANEL_BOUNDS.lowest}
                  max={PANEL_BOUNDS.highest}
                  step={1}
                  value={form[field]}
                  onChange={(event) => edit({ [field]: event.target.value })}
                  aria-invalid={'problem' in checked && checked.field === field}
                  aria-describedby={ids.rule}
                />
              </label>
            ))}
            <span>verdicts per item</span>
            <p id={ids.rule} className={'problem' in checked ? 'error' : 'muted'} aria-live="polite" data-testid="panel-rule">
              {'problem' in checked ? checked.problem : `Whole numbers, ${PANEL_BOUNDS.lowest} ≤ min ≤ max ≤ ${PANEL_BOUNDS.highest}.`}
            </p>
          </div>
        ) : null}
        <p className="muted panel-hint" data-testid="panel-hint">
          {panelHint(aggregation)}
        </p>
      </fieldset>
      <button ref={applyRef} type="submit" className="text-button" disabled={update.isPending || requested === null || unchanged || confirming !== null}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {confirming ? (
        <div className="quorum-confirm" role="group" aria-label="Confirm the panel change" onKeyDown={onConfirmKey} data-testid="panel-confirm">
          <p>
            Change from {panelPolicyText(panel, panelSize)} to <strong>{panelPolicyText(confirming, panelSize)}</strong>? Every judged item is re-aggregated
            at once: agreed items may go back in review for more experts or become disputed, and the reverse; the lead’s decisions stand.
          </p>
          <button ref={confirmRef} type="button" className="primary" onClick={() => confirm((value) => update.mutate({ panel: value }))}>
            Yes, change the panel
          </button>
          <button type="button" className="secondary" onClick={cancel}>
            Cancel
          </button>
        </div>
      ) : null}
      {update.isSuccess ? (
        <p className="muted" role="status">
          Applied: {panelPolicyText(update.data.panel, update.data.panelSize)}; {update.data.reaggregatedItems} items re-aggregated
          {update.data.reaggregation ? ', the others follow in the background.' : '.'}
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
