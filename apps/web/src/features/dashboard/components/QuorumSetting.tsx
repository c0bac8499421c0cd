import type { PanelQuorum } from '@bagel/contracts';
import { type FormEvent, useState } from 'react';
import { errorMessage } from '../../../lib/api-client';
import { useUpdateSettings } from '../api/update-settings';

type Kind = PanelQuorum['kind'];

/** The admin's control of q: a strict majority of the panel, unanimity, or a share of it. */
export function QuorumSetting({ projectId, quorum }: { projectId: number; quorum: PanelQuorum }) {
  const update = useUpdateSettings(projectId);
  const [kind, setKind] = useState<Kind>(quorum.kind);
  const [percent, setPercent] = useState(quorum.kind === 'fraction' ? String(Math.round(quorum.value * 100)) : '60');
  const value = Number(percent) / 100;
  const validFraction = Number.isFinite(value) && value > 0 && value <= 1;
  const requested: PanelQuorum | null = kind === 'fraction' ? (validFraction ? { kind, value } : null) : { kind };
  const unchanged = requested !== null && JSON.stringify(requested) === JSON.stringify(quorum);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (requested && !unchanged) update.mutate(requested);
  };

  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Quorum setting" data-testid="quorum-setting">
      <label className="field-inline">
        <span>Quorum</span>
        <select value={kind} onChange={(event) => setKind(event.target.value as Kind)} aria-label="Quorum rule">
          <option value="majority">Strict majority</option>
          <option value="unanimity">Unanimity</option>
          <option value="fraction">Share of the panel</option>
        </select>
      </label>
      {kind === 'fraction' ? (
        <label className="field-inline">
          <input
            type="number"
            min={1}
            max={100}
            step={1}
            value={percent}
            onChange={(event) => setPercent(event.target.value)}
            aria-label="Share of the panel, in percent"
            aria-invalid={!validFraction}
          />
          <span>%</span>
        </label>
      ) : null}
      <button type="submit" className="text-button" disabled={update.isPending || requested === null || unchanged}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {update.isSuccess ? (
        <p className="muted" role="status">
          q = {update.data.quorumSize} of {update.data.panelSize}; {update.data.reaggregatedItems} items re-aggregated
          {update.data.reaggregation ? ', the others follow in the background.' : '.'}
        </p>
      ) : null}
      {update.isError ? (
        <p className="error" role="alert">
          {errorMessage(update.error)}
        </p>
      ) : null}
    </form>
  );
}
