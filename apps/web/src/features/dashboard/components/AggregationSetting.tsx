import type { Aggregation } from '@bagel/contracts';
import { type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { useAggregation } from '../api/get-aggregation';
import { useUpdateSettings } from '../api/update-settings';
import { SettingError } from './SettingError';

const NAMES: Record<Aggregation, string> = { quorum: 'Quorum', 'dawid-skene': 'Dawid–Skene' };

/**
 * The admin's choice of how verdicts become final labels, beside the quorum: the quorum, or Dawid–Skene (each class
 * by its posterior under the experts' estimated confusion matrices). Apply asks first (every judged item is
 * re-aggregated); under Dawid–Skene it says where the estimation of the matrices stands.
 */
export function AggregationSetting({ projectId, aggregation }: { projectId: number; aggregation: Aggregation }) {
  const update = useUpdateSettings(projectId);
  const model = useAggregation(projectId);
  const [choice, setChoice] = useState<Aggregation>(aggregation);
  const [confirming, setConfirming] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);
  const unchanged = choice === aggregation;

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!unchanged) {
      update.reset();
      setConfirming(true);
    }
  };
  const onConfirmKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      setConfirming(false);
    }
  };
  const report = model.data;

  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Aggregation setting" data-testid="aggregation-setting">
      <label className="field-inline">
        <span>Aggregation</span>
        <select
          value={choice}
          onChange={(event) => {
            setChoice(event.target.value as Aggregation);
            setConfirming(false);
          }}
          aria-label="Aggregation"
        >
          <option value="quorum">Quorum (q experts agree)</option>
          <option value="dawid-skene">Dawid–Skene (posterior per class)</option>
        </select>
      </label>
      <button type="submit" className="text-button" disabled={update.isPending || unchanged || confirming}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {confirming ? (
        <div className="quorum-confirm" role="group" aria-label="Confirm the aggregation change" onKeyDown={onConfirmKey} data-testid="aggregation-confirm">
          <p>
            Aggregate by <strong>{NAMES[choice]}</strong> instead of {NAMES[aggregation]}?{' '}
            {choice === 'dawid-skene'
              ? 'Each class is decided by the probability that it is present, from the judgements and each expert’s estimated confusion matrix: correct at 0.80 or above, wrong at 0.20 or below, the lead decides between. The matrices are estimated in the background.'
              : 'Each class is decided when q experts agree.'}{' '}
            Every judged item is re-aggregated; the lead’s decisions stand.
          </p>
          <button
            ref={confirmRef}
            type="button"
            className="primary"
            onClick={() => {
              update.mutate({ aggregation: choice });
              setConfirming(false);
            }}
          >
            Yes, aggregate by {NAMES[choice]}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      {aggregation === 'dawid-skene' && report ? (
        <p className="muted" role="status" data-testid="aggregation-status">
          {report.estimation
            ? `Estimating the experts’ confusion matrices: pass ${report.estimation.pass}, ${report.estimation.done} of ${report.estimation.total} items.`
            : report.estimated
              ? `Confusion matrices of ${report.experts.length} expert${report.experts.length === 1 ? '' : 's'} estimated from ${report.estimated.questions} judged classes (${report.estimated.passes} EM passes${report.estimated.converged ? '' : ', not converged'}); P(present) before any judgement: original label ${report.priors.originalLabel.toFixed(2)}, other classes ${report.priors.otherClasses.toFixed(2)}.`
              : 'No estimate yet: every expert counts as right 80% of the time.'}
        </p>
      ) : null}
      {update.isSuccess && update.data.aggregation === choice ? (
        <p className="muted" role="status">
          {update.data.reaggregatedItems} items re-aggregated{update.data.reaggregation ? ', the others follow in the background.' : '.'}
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
