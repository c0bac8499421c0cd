import type { DeskItem, Judgement, LeadDecisionRequest, PanelConsensus, Severity } from '@bagel/contracts';
import { displayName, isMistakeUnderJudgements } from '@bagel/core';

type ClassConsensus = PanelConsensus['classes'][number];
type ItemModel = DeskItem['item']['models'][number];

/** A grade while the lead gives it: severity and category may come one at a time. */
export interface PartialGrade {
  severity?: Severity;
  category?: string;
}

/** The decision the lead is editing on the desk, before it is sent. */
export interface DecisionDraft {
  itemId: number;
  /** Decisions on the item when the desk was loaded: sent back so that a decision taken meanwhile is not overwritten. */
  baseDecision: number;
  labels: Record<string, Judgement>;
  problematic: boolean;
  /** Kept when the flag is off, so turning it back on restores the reason. */
  problematicReason: string;
  /** Kept for every model ever graded in the draft, so flipping a class back and forth loses no grade. */
  mistakes: Record<string, PartialGrade>;
  note: string;
}

/** One class row of the desk. */
export interface DeskClass {
  key: string;
  /** Display name, with the key when another row has the same name: unambiguous, for accessible names. */
  label: string;
  names: string[];
  gloss: string;
  isOriginal: boolean;
  /** Names of the models whose top-1 is this class. */
  top1Of: string[];
  /** The panel's aggregate for the class; null for a class the panel never saw (e.g. only in a decision). */
  consensus: ClassConsensus | null;
  /** The class is among the reasons the item is disputed. */
  disputed: boolean;
}

/** Identifies what a draft was started from: the item and the decisions it had. */
export const deskDraftSource = (desk: DeskItem) => `${desk.item.id}:${desk.decisions.length}`;

/**
 * The rows of the desk: the panel's classes in its order (the item's candidates, then classes experts added), then
 * any other candidate, then classes found only in the final labels.
 */
export function deskClasses(desk: DeskItem): DeskClass[] {
  const { item, consensus } = desk;
  const byKey = new Map(item.candidates.map((c) => [c.key, c]));
  const consensusByKey = new Map(consensus.classes.map((c) => [c.key, c]));
  const disputed = new Set(consensus.disputes.flatMap((d) => (d.kind === 'class' ? [d.classKey] : [])));
  const keys = [...consensus.classes.map((c) => c.key)];
  const seen = new Set(keys);
  for (const key of [...item.candidates.map((c) => c.key), ...Object.keys(desk.final?.labels ?? {})]) {
    if (!seen.has(key)) {
      seen.add(key);
      keys.push(key);
    }
  }
  const rows = keys.map((key) => {
    const candidate = byKey.get(key) ?? (key === item.originalLabel!.key ? item.originalLabel : undefined);
    const names = candidate?.names.length ? candidate.names : [key];
    return {
      key,
      label: displayName({ key, names }),
      names,
      gloss: candidate?.gloss ?? '',
      isOriginal: key === item.originalLabel!.key,
      top1Of: item.models.filter((m) => m.predictions[0]?.key === key).map((m) => m.model),
      consensus: consensusByKey.get(key) ?? null,
      disputed: disputed.has(key),
    };
  });
  const nameCounts = new Map<string, number>();
  for (const row of rows) nameCounts.set(row.label, (nameCounts.get(row.label) ?? 0) + 1);
  return rows.map((row) => ((nameCounts.get(row.label) ?? 0) > 1 ? { ...row, label: `${row.label} (${row.key})` } : row));
}

/**
 * The draft the desk opens with. An item with final labels (agreed, or decided before) starts from them; a disputed
 * one from the panel's aggregate: the classes that reached quorum keep the panel's decision, the disputed ones wait
 * for the lead's; problematic and the grades take the panel's leading answers.
 */
export function draftFromDesk(desk: DeskItem): DecisionDraft {
  const { consensus } = desk;
  const panelGrades: Record<string, PartialGrade> = {};
  for (const m of consensus.models) {
    const grade: PartialGrade = {};
    if (m.severity.decision) grade.severity = m.severity.decision;
    if (m.category.decision) grade.category = m.category.decision;
    if (grade.severity || grade.category) panelGrades[m.model] = grade;
  }
  const panelReason = consensus.problematic.reasons[0]?.reason ?? '';
  const base = { itemId: desk.item.id, baseDecision: desk.decisions.length, note: '' };
  const final = desk.final;
  if (final) {
    const mistakes: Record<string, PartialGrade> = { ...panelGrades };
    for (const [model, grade] of Object.entries(final.mistakes)) mistakes[model] = { ...grade };
    return {
      ...base,
      labels: { ...final.labels },
      problematic: final.problematic !== null,
      problematicReason: final.problematic?.reason ?? panelReason,
      mistakes,
    };
  }
  const labels: Record<string, Judgement> = {};
  for (const c of consensus.classes) if (c.reached) labels[c.key] = c.decision;
  return { ...base, labels, problematic: consensus.problematic.decision, problematicReason: panelReason, mistakes: panelGrades };
}

export function isGradeComplete(grade: PartialGrade | undefined): grade is Required<PartialGrade> {
  return grade?.severity !== undefined && grade.category !== undefined && grade.category !== '';
}

/** The models whose top-1 is a mistake under the draft's labels: each needs a final severity and category. */
export function modelsToGrade(desk: DeskItem, draft: DecisionDraft): ItemModel[] {
  return desk.item.models.filter((m) => {
    const top1 = m.predictions[0];
    return top1 !== undefined && isMistakeUnderJudgements(top1.key, draft.labels);
  });
}

/** Why the decision cannot be sent yet, one short sentence each; empty when it can. */
export function decisionBlockers(desk: DeskItem, draft: DecisionDraft): string[] {
  const blockers: string[] = [];
  const undecided = deskClasses(desk).filter((c) => !draft.labels[c.key]);
  if (undecided.length > 0) {
    const names = undecided.map((c) => c.label);
    blockers.push(`Decide ${names.length === 1 ? 'the class' : `${names.length} classes:`} ${listOf(names)}.`);
  }
  const ungraded = modelsToGrade(desk, draft).filter((m) => !isGradeComplete(draft.mistakes[m.model]));
  if (ungraded.length > 0) blockers.push(`Grade the mistake${ungraded.length === 1 ? '' : 's'} of ${listOf(ungraded.map((m) => m.displayName))}.`);
  if (draft.problematic && draft.problematicReason.trim() === '') blockers.push('Give a reason for flagging the image problematic.');
  return blockers;
}

/**
 * The request for the draft: grades only for the models whose top-1 is a mistake under the decided labels. It is
 * made on the panel as the desk shows it now (`panelVersion`), which may be newer than the draft after a reload.
 */
export function decisionRequest(desk: DeskItem, draft: DecisionDraft): LeadDecisionRequest {
  const mistakes: LeadDecisionRequest['mistakes'] = {};
  for (const m of modelsToGrade(desk, draft)) {
    const grade = draft.mistakes[m.model];
    if (isGradeComplete(grade)) mistakes[m.model] = { severity: grade.severity, category: grade.category };
  }
  return {
    labels: { ...draft.labels },
    problematic: draft.problematic ? { reason: draft.problematicReason.trim() } : null,
    mistakes,
    note: draft.note.trim(),
    baseDecision: draft.baseDecision,
    basePanelVersion: desk.panelVersion,
  };
}

/** Whether the draft differs from the current final labels (an override that changes nothing is pointless). */
export function changesFinal(desk: DeskItem, draft: DecisionDraft): boolean {
  const final = desk.final;
  if (!final) return true;
  const request = decisionRequest(desk, draft);
  return (
    !sameRecord(request.labels, final.labels) ||
    (request.problematic?.reason ?? null) !== (final.problematic?.reason ?? null) ||
    !sameRecord(
      Object.fromEntries(Object.entries(request.mistakes).map(([m, g]) => [m, `${g.severity}/${g.category}`])),
      Object.fromEntries(Object.entries(final.mistakes).map(([m, g]) => [m, `${g.severity}/${g.category}`])),
    )
  );
}

function sameRecord(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function listOf(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  const shown = names.length > 4 ? [...names.slice(0, 3), `${names.length - 3} more`] : names;
  return `${shown.slice(0, -1).join(', ')} and ${shown.at(-1)}`;
}
