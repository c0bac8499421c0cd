/**
 * How many experts of a panel must give the same answer for it to stand (the project setting "q").
 * `majority`: a strict majority of the panel (the default); `unanimity`: the whole panel; `fraction`: at least this
 * share of the panel, rounded up (0 < value <= 1).
 */
export type PanelQuorum = { kind: 'majority' } | { kind: 'unanimity' } | { kind: 'fraction'; value: number };

export const DEFAULT_PANEL_QUORUM: PanelQuorum = { kind: 'majority' };

// A fraction times a panel size can land a hair above an integer in floating point (0.7 * 10 = 7.000000000000001);
// without this allowance, 70% of a panel of 10 would ask for 8 experts.
const FRACTION_ROUNDING_ALLOWANCE = 1e-9;

/**
 * The number of matching votes q that an answer needs, out of a panel of `panelSize` experts:
 * majority = floor(panelSize / 2) + 1, unanimity = panelSize, fraction = ceil(value × panelSize) (at least 1).
 */
export function quorumSize(quorum: PanelQuorum, panelSize: number): number {
  if (!Number.isInteger(panelSize) || panelSize < 1) {
    throw new RangeError(`panel size must be a positive integer, got ${panelSize}`);
  }
  switch (quorum.kind) {
    case 'majority':
      return Math.floor(panelSize / 2) + 1;
    case 'unanimity':
      return panelSize;
    case 'fraction': {
      const { value } = quorum;
      if (!(Number.isFinite(value) && value > 0 && value <= 1)) {
        throw new RangeError(`a quorum fraction must be greater than 0 and at most 1, got ${value}`);
      }
      return Math.max(1, Math.ceil(value * panelSize - FRACTION_ROUNDING_ALLOWANCE));
    }
  }
}
