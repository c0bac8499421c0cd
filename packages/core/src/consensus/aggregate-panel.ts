import type { Judgement, Severity } from '@bagel/contracts';
import { quorumSize, type PanelQuorum } from './quorum';

/** One expert's current verdict on an item, as far as aggregation needs it. */
export interface PanelVerdict {
  expert: string;
  labels: Readonly<Record<string, Judgement>>;
  problematic: { reason: string } | null;
  mistakes: Readonly<Record<string, { severity: Severity; category: string }>>;
}

export interface PanelInput {
  verdicts: readonly PanelVerdict[];
  /** The item's candidate class keys, in display order. Classes an expert added are taken from the verdicts too. */
  candidates: readonly string[];
  /** The item's models with their top-1 class key, in display order. */
  models: readonly { name: string; top1Key: string }[];
  panelSize: number;
  quorum: PanelQuorum;
  /**
   * Dawid–Skene aggregation (the project setting `aggregation: dawid-skene`): each class's posterior P(present)
   * (`panelClassPosteriors`) decides it instead of the quorum: at least `high` → `correct`, at most `low` → `wrong`,
   * between them a dispute for the lead. A class nobody judged is a dispute, as under the quorum. The problematic flag
   * and the grades keep the quorum.
   */
  posteriors?: { of: ReadonlyMap<string, number>; low: number; high: number };
}

export interface ClassVotes {
  correct: number;
  wrong: number;
  unclear: number;
  /** Experts with a verdict on the item who did not judge this class. */
  abstain: number;
}

export interface ClassConsensus {
  key: string;
  /** `unclear` both when the panel said unclear (reached) and when no judgement reached q (not reached). */
  decision: Judgement;
  /** The decision has at least q votes and no other judgement has as many. */
  reached: boolean;
  votes: ClassVotes;
  /** Under Dawid–Skene aggregation: the class's posterior P(present) that decided it (absent when nobody judged it). */
  posterior?: number;
}

export interface ProblematicConsensus {
  /** At least q experts flagged the image. */
  decision: boolean;
  /** Nobody flagged it, or at least q did: a flag from fewer than q experts is a dispute. */
  reached: boolean;
  votes: { flagged: number; notFlagged: number };
  /** The reasons given, most given first (ties by text). */
  reasons: { reason: string; votes: number }[];
}

export interface SeverityConsensus {
  /** The severity with the most votes among the experts who graded the mistake; null when nobody did or on a tie. */
  decision: Severity | null;
  /** The decision has at least q votes. */
  reached: boolean;
  votes: Record<Severity, number>;
}

export interface CategoryConsensus {
  /** The category with the most votes among the experts who graded the mistake; null when nobody did or on a tie. */
  decision: string | null;
  /** The decision has at least q votes. */
  reached: boolean;
  /** The categories given, alphabetically. */
  votes: { category: string; votes: number }[];
}

export interface ModelConsensus {
  model: string;
  top1Key: string;
  /**
   * Whether the model's top-1 is a mistake under the panel's class decisions: `yes` when its class was decided
   * `wrong` (or is judged by nobody and is not a candidate: an unjudged top-1 counts as a mistake), `no` when it was
   * decided `correct` or `unclear` with quorum, `undecided` when its class reached no decision.
   */
  mistake: 'yes' | 'no' | 'undecided';
  /** Experts who graded this model's mistake. */
  graders: number;
  severity: SeverityConsensus;
  category: CategoryConsensus;
}

export type PanelDispute =
  | { kind: 'class'; classKey: string; detail: string }
  | { kind: 'problematic'; detail: string }
  | { kind: 'severity' | 'category'; model: string; detail: string };

export type PanelStatus = 'agreed' | 'disputed' | 'incomplete';

export interface PanelConsensus {
  /** `incomplete` while fewer than panelSize verdicts are in; then `agreed` when nothing is disputed. */
  status: PanelStatus;
  /** q: matching votes an answer needs. */
  quorum: number;
  panelSize: number;
  verdictCount: number;
  /** Per class: the candidates in their order, then classes only experts added, alphabetically. */
  classes: ClassConsensus[];
  problematic: ProblematicConsensus;
  /** In the item's model order: the models someone graded and those whose top-1 is a mistake under the consensus. */
  models: ModelConsensus[];
  /** Why the item is not agreed: classes in order, then problematic, then per model severity and category. */
  disputes: PanelDispute[];
}

const SEVERITIES: readonly Severity[] = ['Major', 'Minor', 'Borderline'];
const JUDGEMENTS: readonly Judgement[] = ['correct', 'wrong', 'unclear'];

/**
 * Aggregates a panel's verdicts on one item (the rules and their reasons are in docs/AGGREGATION.md, "Panel
 * consensus"). The result does not depend on the order of the verdicts.
 */
export function aggregatePanel(input: PanelInput): PanelConsensus {
  const q = quorumSize(input.quorum, input.panelSize);
  const { verdicts } = input;
  const verdictCount = verdicts.length;
  assertDistinctExperts(verdicts);

  const disputes: PanelDispute[] = [];
  const classes = aggregateClasses(input, q, disputes);
  const problematic = aggregateProblematic(verdicts, q, disputes);
  const models = aggregateModels(input, classes, q, disputes);

  const status: PanelStatus = verdictCount < input.panelSize ? 'incomplete' : disputes.length > 0 ? 'disputed' : 'agreed';
  return { status, quorum: q, panelSize: input.panelSize, verdictCount, classes, problematic, models, disputes };
}

function assertDistinctExperts(verdicts: readonly PanelVerdict[]): void {
  // Panels are small: comparing pairs is cheaper than building a Set for every item.
  for (let i = 1; i < verdicts.length; i++) {
    const expert = (verdicts[i] as PanelVerdict).expert;
    for (let j = 0; j < i; j++) {
      if ((verdicts[j] as PanelVerdict).expert === expert) throw new Error(`expert "${expert}" has more than one verdict in the panel`);
    }
  }
}

function aggregateClasses(input: PanelInput, q: number, disputes: PanelDispute[]): ClassConsensus[] {
  const n = input.verdicts.length;
  // Votes are counted in one flat array (3 counters per class) indexed through a Map: aggregation runs over every
  // item of a project at once, and this keeps it to a few allocations per item.
  const indexByKey = new Map<string, number>();
  for (const key of input.candidates) if (!indexByKey.has(key)) indexByKey.set(key, indexByKey.size);
  const candidateCount = indexByKey.size;
  const counts: number[] = new Array<number>(candidateCount * 3).fill(0);
  for (const v of input.verdicts) {
    const labels = v.labels;
    // Labels are plain JSON objects, so for-in sees exactly their own keys, without Object.keys' extra array.
    for (const key in labels) {
      let index = indexByKey.get(key);
      if (index === undefined) {
        index = indexByKey.size;
        indexByKey.set(key, index);
        counts.push(0, 0, 0);
      }
      const judgement = labels[key];
      const slot = index * 3 + (judgement === 'correct' ? 0 : judgement === 'wrong' ? 1 : 2);
      counts[slot] = (counts[slot] as number) + 1;
    }
  }

  // Classes that only experts added come after the candidates, sorted, so that the order of the verdicts never shows.
  let keys = [...indexByKey.keys()];
  if (keys.length > candidateCount) keys = [...keys.slice(0, candidateCount), ...keys.slice(candidateCount).sort(compareText)];

  const classes: ClassConsensus[] = [];
  for (const key of keys) {
    const index = (indexByKey.get(key) as number) * 3;
    const correct = counts[index] as number;
    const wrong = counts[index + 1] as number;
    const unclear = counts[index + 2] as number;
    const votes: ClassVotes = { correct, wrong, unclear, abstain: n - correct - wrong - unclear };
    const posteriors = input.posteriors;
    if (posteriors !== undefined) {
      const consensus = decideClassByPosterior(key, votes, posteriors.of.get(key), posteriors);
      classes.push(consensus);
      if (!consensus.reached) disputes.push({ kind: 'class', classKey: key, detail: describePosteriorDispute(votes, consensus.posterior, posteriors) });
      continue;
    }
    const consensus = decideClass(key, votes, q);
    classes.push(consensus);
    if (!consensus.reached) disputes.push({ kind: 'class', classKey: key, detail: describeClassDispute(votes, q) });
  }
  return classes;
}

/** The judgement with the most votes stands when it has at least q of them and no other judgement has as many. */
function decideClass(key: string, votes: ClassVotes, q: number): ClassConsensus {
  const { correct, wrong, unclear } = votes;
  if (correct >= q && correct > wrong && correct > unclear) return { key, decision: 'correct', reached: true, votes };
  if (wrong >= q && wrong > correct && wrong > unclear) return { key, decision: 'wrong', reached: true, votes };
  if (unclear >= q && unclear > correct && unclear > wrong) return { key, decision: 'unclear', reached: true, votes };
  return { key, decision: 'unclear', reached: false, votes };
}

/** Under Dawid–Skene: `correct` at or above the band, `wrong` at or below it, a dispute between (or when nobody judged the class). */
function decideClassByPosterior(key: string, votes: ClassVotes, posterior: number | undefined, band: { low: number; high: number }): ClassConsensus {
  if (posterior === undefined || votes.correct + votes.wrong + votes.unclear === 0) return { key, decision: 'unclear', reached: false, votes };
  if (posterior >= band.high) return { key, decision: 'correct', reached: true, votes, posterior };
  if (posterior <= band.low) return { key, decision: 'wrong', reached: true, votes, posterior };
  return { key, decision: 'unclear', reached: false, votes, posterior };
}

function describePosteriorDispute(votes: ClassVotes, posterior: number | undefined, band: { low: number; high: number }): string {
  const tally = `correct ${votes.correct}, wrong ${votes.wrong}, unclear ${votes.unclear}, abstain ${votes.abstain}`;
  if (posterior === undefined) return `nobody judged this class (abstain ${votes.abstain})`;
  return `posterior P(present) ${posterior.toFixed(2)} is between ${band.low} and ${band.high} (${tally})`;
}

function describeClassDispute(votes: ClassVotes, q: number): string {
  const tally = `correct ${votes.correct}, wrong ${votes.wrong}, unclear ${votes.unclear}, abstain ${votes.abstain}`;
  const top = Math.max(votes.correct, votes.wrong, votes.unclear);
  if (top >= q) {
    const leaders = JUDGEMENTS.filter((j) => votes[j] === top);
    return `${leaders.join(' and ')} are tied at ${top} votes each (${tally})`;
  }
  if (top === 0) return `nobody judged this class (${q} matching votes needed; abstain ${votes.abstain})`;
  return `no judgement has the ${q} matching votes needed (${tally})`;
}

function aggregateProblematic(verdicts: readonly PanelVerdict[], q: number, disputes: PanelDispute[]): ProblematicConsensus {
  const reasonVotes = new Map<string, number>();
  let flagged = 0;
  for (const v of verdicts) {
    if (v.problematic === null) continue;
    flagged++;
    reasonVotes.set(v.problematic.reason, (reasonVotes.get(v.problematic.reason) ?? 0) + 1);
  }
  const reasons = [...reasonVotes]
    .map(([reason, votes]) => ({ reason, votes }))
    .sort((a, b) => b.votes - a.votes || compareText(a.reason, b.reason));
  const reached = flagged === 0 || flagged >= q;
  if (!reached) {
    disputes.push({
      kind: 'problematic',
      detail: `flagged problematic by ${flagged} of ${verdicts.length} experts; ${q} are needed to leave the image out`,
    });
  }
  return { decision: flagged >= q, reached, votes: { flagged, notFlagged: verdicts.length - flagged }, reasons };
}

function aggregateModels(
  input: PanelInput,
  classes: readonly ClassConsensus[],
  q: number,
  disputes: PanelDispute[],
): ModelConsensus[] {
  const models: ModelConsensus[] = [];
  for (const model of input.models) {
    if (models.some((m) => m.model === model.name)) continue;
    const severityVotes: Record<Severity, number> = { Major: 0, Minor: 0, Borderline: 0 };
    // A panel names few categories: parallel arrays beat a Map here.
    const categoryNames: string[] = [];
    const categoryCounts: number[] = [];
    let graders = 0;
    for (const v of input.verdicts) {
      const grade = v.mistakes[model.name];
      if (grade === undefined || !Object.hasOwn(v.mistakes, model.name)) continue;
      graders++;
      severityVotes[grade.severity]++;
      const at = categoryNames.indexOf(grade.category);
      if (at === -1) {
        categoryNames.push(grade.category);
        categoryCounts.push(1);
      } else {
        categoryCounts[at] = (categoryCounts[at] as number) + 1;
      }
    }

    const top1 = classes.find((c) => c.key === model.top1Key);
    const mistake: ModelConsensus['mistake'] =
      top1 === undefined ? 'yes' : !top1.reached ? 'undecided' : top1.decision === 'wrong' ? 'yes' : 'no';
    if (graders === 0 && mistake !== 'yes') continue;

    const categoryVotes = categoryNames.map((category, i) => ({ category, votes: categoryCounts[i] as number }));
    if (categoryVotes.length > 1) categoryVotes.sort((a, b) => compareText(a.category, b.category));
    const severity = decideSeverity(severityVotes, q);
    const category = decideCategory(categoryVotes, q);
    models.push({ model: model.name, top1Key: model.top1Key, mistake, graders, severity, category });

    // Grades only matter while the top-1 may be a mistake: once the panel clears it, nobody needs to agree on them.
    if (mistake === 'no') continue;
    if (!severity.reached) {
      const tally = SEVERITIES.map((value) => [value, severityVotes[value]] as const);
      disputes.push({ kind: 'severity', model: model.name, detail: describeGradeDispute(model, 'severity', severity, tally, graders, q) });
    }
    if (!category.reached) {
      const tally = categoryVotes.map((entry) => [entry.category, entry.votes] as const);
      disputes.push({ kind: 'category', model: model.name, detail: describeGradeDispute(model, 'category', category, tally, graders, q) });
    }
  }
  return models;
}

/** The severity with strictly the most votes (no decision on a tie); it is reached when it has at least q votes. */
function decideSeverity(votes: Record<Severity, number>, q: number): SeverityConsensus {
  const { Major, Minor, Borderline } = votes;
  let decision: Severity | null = null;
  if (Major > Minor && Major > Borderline) decision = 'Major';
  else if (Minor > Major && Minor > Borderline) decision = 'Minor';
  else if (Borderline > Major && Borderline > Minor) decision = 'Borderline';
  return { decision, reached: decision !== null && votes[decision] >= q, votes };
}

/** The category with strictly the most votes (no decision on a tie); it is reached when it has at least q votes. */
function decideCategory(votes: { category: string; votes: number }[], q: number): CategoryConsensus {
  let decision: string | null = null;
  let top = 0;
  for (const entry of votes) {
    if (entry.votes > top) {
      top = entry.votes;
      decision = entry.category;
    } else if (entry.votes === top) {
      decision = null;
    }
  }
  return { decision, reached: decision !== null && top >= q, votes };
}

function describeGradeDispute(
  model: { name: string; top1Key: string },
  field: 'severity' | 'category',
  grade: { decision: string | null },
  tally: readonly (readonly [string, number])[],
  graders: number,
  q: number,
): string {
  if (graders === 0) return `the top-1 "${model.top1Key}" is a mistake but nobody graded its ${field}`;
  const given = tally.filter(([, count]) => count > 0);
  const summary = given.map(([value, count]) => `${value} ${count}`).join(', ');
  const top = Math.max(...given.map(([, count]) => count));
  if (grade.decision === null) {
    const leaders = given.filter(([, count]) => count === top).map(([value]) => value);
    return `${field} tied between ${leaders.join(' and ')} among ${graders} graders (${summary})`;
  }
  return `${field} ${grade.decision} has ${top} of the ${q} matching votes needed (${summary})`;
}

/** Locale-independent order, so that results are the same on every machine. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
