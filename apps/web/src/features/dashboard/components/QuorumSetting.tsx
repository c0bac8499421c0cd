import type { PanelQuorum } from '@bagel/contracts';
import { quorumSize } from '@bagel/core';
import { type FormEvent, useState } from 'react';
import { useUpdateSettings } from '../api/update-settings';
import { useConfirmedChange } from '../hooks/use-confirmed-change';
import { SettingError } from './SettingError';

type Kind = PanelQuorum['kind'];

/** The rule in words, with q for the project's panel: "unanimity (3 of 3)". */
function ruleText(quorum: PanelQuorum, panelSize: number): string {
  const rule = quorum.kind === 'majority' ? 'a strict majority' : quorum.kind === 'unanimity' ? 'unanimity' : `${Math.round(quorum.value * 100)}% of the panel`;
  return `${rule} (${quorumSize(quorum, panelSize)} of ${panelSize})`;
}

/**
 * The admin's control of q: a strict majority of the panel, unanimity, or a share of it. Apply asks first (every judged
 * item is re-aggregated at once); Esc or Cancel keeps the rule.
 */
export function QuorumSetting({ projectId, quorum, panelSize }: { projectId: number; quorum: PanelQuorum; panelSize: number }) {
  const update = useUpdateSettings(projectId);
  const { confirming, confirmRef, applyRef, ask, cancel, confirm, onConfirmKey } = useConfirmedChange<PanelQuorum>();
  const [kind, setKind] = useState<Kind>(quorum.kind);
  const [percent, setPercent] = useState(quorum.kind === 'fraction' ? String(Math.round(quorum.value * 100)) : '60');
  const value = Number(percent) / 100;
  const validFraction = Number.isFinite(value) && value > 0 && value <= 1;
  const requested: PanelQuorum | null = kind === 'fraction' ? (validFraction ? { kind, value } : null) : { kind };
  const unchanged = requested !== null && JSON.stringify(requested) === JSON.stringify(quorum);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (requested && !unchanged) {
      update.reset();
      ask(requested);
    }
  };

  return (
    <form className="quorum-setting" onSubmit={onSubmit} aria-label="Quorum setting" data-testid="quorum-setting">
      <label className="field-inline">
        <span>Quorum</span>
        <select
          value={kind}
          onChange={(event) => {
            setKind(event.target.value as Kind);
            cancel();
          }}
          aria-label="Quorum rule"
        >
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
            onChange={(event) => {
              setPercent(event.target.value);
              cancel();
            }}
            aria-label="Share of the panel, in percent"
            aria-invalid={!validFraction}
          />
          <span>%</span>
        </label>
      ) : null}
      <button ref={applyRef} type="submit" className="text-button" disabled={update.isPending || requested === null || unchanged || confirming !== null}>
        {update.isPending ? 'Applying…' : 'Apply'}
      </button>
      {confirming ? (
        <div className="quorum-confirm" role="group" aria-label="Confirm the quorum change" onKeyDown={onConfirmKey} data-testid="quorum-confirm">
          <p>
            Change the quorum from {ruleText(quorum, panelSize)} to <strong>{ruleText(confirming, panelSize)}</strong>? Every judged item is
            re-aggregated at once: agreed items may become disputed and the reverse; the lead’s decisions stand.
          </p>
          <button ref={confirmRef} type="button" className="primary" onClick={() => confirm((value) => update.mutate({ quorum: value }))}>
            Yes, change the quorum
          </button>
          <button type="button" className="secondary" onClick={cancel}>
            Cancel
          </button>
        </div>
      ) : null}
      {update.isSuccess ? (
        <p className="muted" role="status">
          q = {update.data.quorumSize} of {update.data.panelSize}; {update.data.reaggregatedItems} items re-aggregated
          {update.data.reaggregation ? ', the others follow in the background.' : '.'}
        </p>
      ) : null}
      <SettingError error={update.error} />
    </form>
  );
}
