export { quorumSize, DEFAULT_PANEL_QUORUM, type PanelQuorum } from './quorum';
export {
  aggregatePanel,
  type PanelVerdict,
  type PanelInput,
  type PanelConsensus,
  type PanelStatus,
  type PanelDispute,
  type ClassVotes,
  type ClassConsensus,
  type ProblematicConsensus,
  type SeverityConsensus,
  type CategoryConsensus,
  type ModelConsensus,
} from './aggregate-panel';
export {
  decidePanelNext,
  adaptiveQuorum,
  panelBounds,
  DEFAULT_PANEL_POLICY,
  type PanelPolicy,
  type PanelNext,
  type PanelPolicyDecision,
} from './panel-policy';
export {
  simulatePanels,
  SIMULATION_CANDIDATE_COUNTS,
  type PanelSimulationOptions,
  type SimulatedExpert,
  type SimulatedItem,
} from './panel-simulation';
