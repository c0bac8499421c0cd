// The tables as Kysely sees them: one interface per table, columns as the code reads them (JSON columns are text,
// flags 0/1 integers, times ISO text or unix ms as each column's comment in the migrations says). Both engines have
// these tables with these columns (test/schema-parity.test.ts keeps their schemas equal); `Generated` marks a column
// the database fills when an INSERT leaves it out (a default, or an id).
import type { Generated } from 'kysely';

export interface AcceptedLabelsTable {
  image_id: number;
  class_idx: number;
}

export interface ClaimsTable {
  item_id: number;
  user_id: number;
  expires_at: number;
  claimed_at: Generated<number>;
}

export interface ClassesTable {
  project_id: number;
  idx: number;
  key: string;
  names: string;
  gloss: Generated<string>;
}

export interface CrowdAggregationsTable {
  project_id: Generated<number>;
  threshold: number;
  band_low: number;
  band_high: number;
  questions: number;
  answers: number;
  iterations: number;
  converged: number;
  prior_absent: number;
  prior_present: number;
}

export interface CrowdAnswersTable {
  image_id: number;
  class_idx: number;
  rater_id: number;
  answer: string;
}

export interface CrowdPosteriorsTable {
  image_id: number;
  class_idx: number;
  posterior: number;
  answers: number;
  route: string;
}

export interface CrowdRatersTable {
  id: Generated<number>;
  project_id: number;
  external_id: number;
  position: number;
  confusion: string;
}

export interface DecisionsTable {
  item_id: number;
  sequence: number;
  kind: string;
  lead_id: number;
  final: string | null;
  note: Generated<string>;
  created_at: string;
}

export interface DiscussionMessagesTable {
  id: Generated<number>;
  item_id: number;
  user_id: number;
  body: string;
  created_at: string;
}

export interface IdempotencyKeysTable {
  user_id: number;
  idempotency_key: string;
  fingerprint: string;
  outcome: string;
  created_at: number;
}

export interface ImagesTable {
  id: Generated<number>;
  project_id: number;
  position: number;
  file: string;
  original_class_idx: number;
  missing: Generated<number>;
}

export interface ItemConsensusTable {
  item_id: Generated<number>;
  project_id: number;
  disputes: string;
  final: string | null;
  final_at: string | null;
  divisiveness: number;
  problematic: Generated<number>;
  major_slice: Generated<number>;
  major_models: string | null;
  outcomes: string | null;
  raters: string;
  fleiss_units: number;
  fleiss_agreement: number;
  fleiss_correct: number;
  fleiss_wrong: number;
  fleiss_unclear: number;
  alpha_units: number;
  alpha_values: number;
  alpha_agreement: number;
  alpha_correct: number;
  alpha_wrong: number;
  alpha_unclear: number;
  gwet_units: number;
  gwet_agreement: number;
  gwet_correct: number;
  gwet_wrong: number;
  gwet_unclear: number;
  updated_at: string;
  /** The item's status (items.status), written with the row: the item browser's consensus sorts by status (migration 027). */
  status: Generated<string>;
}

export interface ItemDisputeKindsTable {
  item_id: number;
  kind: string;
  project_id: number;
}

export interface ItemExtraCandidatesTable {
  item_id: number;
  class_idx: number;
  source: string;
}

export interface ItemFacetsBackfillTable {
  project_id: Generated<number>;
}

export interface ItemFinalMistakesTable {
  item_id: number;
  model_id: number;
  project_id: number;
  severity: string;
  category: string | null;
  /** The item's status (agreed or final: a grade's rows exist while the item has final labels), migration 035. */
  status: string;
}

export interface ItemsTable {
  id: Generated<number>;
  project_id: number;
  image_id: number;
  /** The image's file (migration 034: the item browser's file sort); filled from the image when inserted without it. */
  file: Generated<string>;
  status: Generated<string>;
  models_wrong: number;
  confidence: number;
  verdict_count: Generated<number>;
  panel_complete: Generated<number>;
  top1_mistake_models: Generated<number>;
}

export interface LoginFailuresTable {
  scope: string;
  key: string;
  failures: number;
  locked_until: number;
  forget_at: number;
}

export interface LoginKnownAddressesTable {
  account: string;
  address: string;
  known_until: number;
}

export interface ModelsTable {
  id: Generated<number>;
  project_id: number;
  position: number;
  name: string;
  display_name: string;
  illustrative: Generated<number>;
}

/** An expert's judgement of a decoy class (migration 030). */
export interface DecoyJudgementsTable {
  item_id: number;
  user_id: number;
  class_key: string;
  judgement: string;
  judged_at: string;
}

/** Gold items: a final item marked by a lead, its final labels the answer, or an answer imported with the project (migrations 029, 032). */
export interface GoldItemsTable {
  item_id: number;
  project_id: number;
  answer: string;
  /** NULL: imported with the project. */
  marked_by: number | null;
  marked_at: string;
}

/** A gold item served to an expert, once at most (migration 029). */
export interface GoldProbesTable {
  item_id: number;
  user_id: number;
  project_id: number;
  served_at: string;
  expires_at: number;
  skipped_at: string | null;
}

/** An expert's answers to a gold item, every revision kept (migration 029). */
export interface GoldProbeAnswersTable {
  item_id: number;
  user_id: number;
  revision: number;
  labels: string;
  problematic: string | null;
  mistakes: string;
  comment: Generated<string>;
  created_at: string;
}

/** The Dawid–Skene model in force for a project (migration 028). */
export interface ProjectConfusionModelsTable {
  project_id: number;
  prior_original: number;
  prior_other: number;
  passes: number;
  converged: number;
  questions: number;
  verdicts: number;
  estimated_at: string;
}

/** An expert's confusion matrix in the project's Dawid–Skene model (migration 028). */
export interface ExpertConfusionTable {
  project_id: number;
  user_id: number;
  absent_wrong: number;
  absent_unclear: number;
  absent_correct: number;
  present_wrong: number;
  present_unclear: number;
  present_correct: number;
  judgements: number;
  fixed_absent: Generated<number>;
  fixed_present: Generated<number>;
}

/** A Dawid–Skene estimation under way (migration 028). */
export interface ConfusionEstimationPendingTable {
  project_id: number;
  pass: number;
  next_item_id: number;
  done: number;
  model: string | null;
  tally: string;
  verdicts: number;
  started_at: string;
}

/** An expert's judgements when they asked for the hidden models (migration 026). */
export interface ModelRevealsTable {
  item_id: number;
  user_id: number;
  labels: string;
  revealed_at: string;
}

export interface PanelViewsTable {
  item_id: number;
  user_id: number;
  first_seen_at: string;
  via: string;
}

export interface PredictionsTable {
  image_id: number;
  model_id: number;
  rank: number;
  class_idx: number;
  score: number | null;
}

export interface PriorLabelsTable {
  image_id: number;
  class_idx: number;
  judgement: string;
  source: Generated<string>;
}

export interface PriorMajorSliceTable {
  image_id: Generated<number>;
  position: number;
}

export interface PriorProblematicTable {
  image_id: Generated<number>;
  reason: string;
  reviewer: string;
  server_username: string;
  time_marked: string;
  time_reviewed: string;
}

export interface ProjectGuidesTable {
  project_id: number;
  revision: number;
  text: string;
  user_id: number;
  created_at: string;
}

export interface ProjectMistakeCountsTable {
  project_id: number;
  model_id: number;
  severity: string;
  category: string;
  count: number;
}

/** Migration 022: the dashboard's baseline of a project, as JSON (features/dashboard/project-baseline.ts). */
export interface ProjectBaselinesTable {
  project_id: number;
  baseline: string;
}

/** Migration 021: a project's rows (by shard) add up to its dashboard's progress, agreement and Major-slice totals. */
export interface ProjectItemTotalsTable {
  project_id: number;
  shard: number;
  images: number;
  items_open: number;
  items_in_review: number;
  items_agreed: number;
  items_disputed: number;
  items_final: number;
  verdicts: number;
  major_slice: number;
  fleiss_units: number;
  fleiss_agreement: number;
  fleiss_correct: number;
  fleiss_wrong: number;
  fleiss_unclear: number;
  alpha_units: number;
  alpha_values: number;
  alpha_agreement: number;
  alpha_correct: number;
  alpha_wrong: number;
  alpha_unclear: number;
  gwet_units: number;
  gwet_agreement: number;
  gwet_correct: number;
  gwet_wrong: number;
  gwet_unclear: number;
}

export interface ProjectRaterTotalsTable {
  project_id: number;
  user_id: number;
  verdicts: number;
  agreements: number;
  compared: number;
}

export interface ProjectReaggregationPendingTable {
  project_id: Generated<number>;
  next_item_id: number | null;
  done: Generated<number>;
}

export interface ProjectScoreDeltasTable {
  project_id: number;
  model_id: number;
  original_class_idx: number;
  counted: number;
  hits: number;
  real_counted: number;
  real_hits: number;
}

export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  description: Generated<string>;
  image_dir: string;
  panel_size: number;
  top_k: number;
  claim_ms: number;
  mistake_categories: string;
  manifest_sha256: string;
  created_at: string;
  quorum: Generated<string>;
  /** JSON PanelPolicy (migration 025). */
  panel: Generated<string>;
  /** ModelEvidence (migration 026). */
  model_evidence: Generated<string>;
  /** Share of an expert's items that are gold probes (migration 029). */
  gold_rate: Generated<number>;
  /** A new expert's first items that are gold (migration 031). */
  gold_qualification: Generated<number>;
  /** 1: an expert's answer to a gold item is answered with how it compares with the gold answer (migration 033). */
  gold_feedback: Generated<number>;
  /** Decoys added to an expert's candidates with the models hidden (migration 030). */
  decoys: Generated<number>;
  /** Aggregation: quorum or dawid-skene (migration 028). */
  aggregation: Generated<string>;
  importing: string | null;
  /** Moves with every change of the settings (migration 016): instances compare it with the settings they hold. */
  settings_version: Generated<number>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  created_at: string;
  expires_at: number;
}

export interface SkipsTable {
  item_id: number;
  user_id: number;
  skipped_at: string;
}

export interface UsersTable {
  id: Generated<number>;
  username: string;
  role: string;
  password_hash: string;
  created_at: string;
  active: Generated<number>;
}

export interface VerdictDraftsTable {
  user_id: number;
  item_id: number;
  base_revision: number;
  content: string;
  updated_at: string;
}

export interface VerdictsTable {
  item_id: number;
  user_id: number;
  revision: number;
  labels: string;
  problematic: string | null;
  mistakes: string;
  comment: Generated<string>;
  created_at: string;
  after_seeing_panel: Generated<number>;
  models_hidden: Generated<number>;
  evidence_setting: Generated<string>;
}

export interface Tables {
  accepted_labels: AcceptedLabelsTable;
  claims: ClaimsTable;
  classes: ClassesTable;
  crowd_aggregations: CrowdAggregationsTable;
  crowd_answers: CrowdAnswersTable;
  crowd_posteriors: CrowdPosteriorsTable;
  crowd_raters: CrowdRatersTable;
  decisions: DecisionsTable;
  discussion_messages: DiscussionMessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  decoy_judgements: DecoyJudgementsTable;
  gold_items: GoldItemsTable;
  gold_probe_answers: GoldProbeAnswersTable;
  gold_probes: GoldProbesTable;
  images: ImagesTable;
  item_consensus: ItemConsensusTable;
  item_dispute_kinds: ItemDisputeKindsTable;
  item_extra_candidates: ItemExtraCandidatesTable;
  item_facets_backfill: ItemFacetsBackfillTable;
  item_final_mistakes: ItemFinalMistakesTable;
  items: ItemsTable;
  login_failures: LoginFailuresTable;
  login_known_addresses: LoginKnownAddressesTable;
  model_reveals: ModelRevealsTable;
  expert_confusion: ExpertConfusionTable;
  project_confusion_models: ProjectConfusionModelsTable;
  confusion_estimation_pending: ConfusionEstimationPendingTable;
  models: ModelsTable;
  panel_views: PanelViewsTable;
  predictions: PredictionsTable;
  prior_labels: PriorLabelsTable;
  prior_major_slice: PriorMajorSliceTable;
  prior_problematic: PriorProblematicTable;
  project_guides: ProjectGuidesTable;
  project_mistake_counts: ProjectMistakeCountsTable;
  project_baselines: ProjectBaselinesTable;
  project_item_totals: ProjectItemTotalsTable;
  project_rater_totals: ProjectRaterTotalsTable;
  project_reaggregation_pending: ProjectReaggregationPendingTable;
  project_score_deltas: ProjectScoreDeltasTable;
  projects: ProjectsTable;
  sessions: SessionsTable;
  skips: SkipsTable;
  users: UsersTable;
  verdict_drafts: VerdictDraftsTable;
  verdicts: VerdictsTable;
}
