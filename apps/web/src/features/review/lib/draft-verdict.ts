import type { CandidateSource, Judgement, ReviewItem, Severity, VerdictRequest } from '@bagel/contracts';
import { candidateClasses, displayName, isMistakeUnderJudgements, modelsToGrade, type Vocabulary } from '@bagel/core';

/** A mistake grade while it is being given: severity and category may come one at a time. */
export interface DraftGrade {
  severity?: Severity;
  category?: string;
}

/** The verdict an expert is editing on the review screen, before it is submitted. */
export interface DraftVerdict {
  itemId: number;
  /** 0 for a first verdict, else the revision of the expert's verdict being revised. */
  baseRevision: number;
  labels: Record<string, Judgement>;
  /** Classes this expert added from the vocabulary in this draft, in the order added. */
  addedKeys: string[];
  /** Kept for every model ever graded in this draft, so flipping a judgement back and forth loses no grade. */
  mistakes: Record<string, DraftGrade>;
  problematic: boolean;
  problematicReason: string;
  comment: string;
}

/** A new item starts with nothing judged (the expert judges every candidate); a revision starts from the stored verdict. */
export function draftFromItem(item: ReviewItem): DraftVerdict {
  const mine = item.myVerdict;
  if (!mine) {
    return { itemId: item.id, baseRevision: 0, labels: {}, addedKeys: [], mistakes: {}, problematic: false, problematicReason: '', comment: '' };
  }
  const known = new Set(item.candidates.map((c) => c.key));
  return {
    itemId: item.id,
    baseRevision: mine.revision,
    labels: { ...mine.labels },
    addedKeys: Object.keys(mine.labels).filter((key) => !known.has(key)),
    mistakes: Object.fromEntries(Object.entries(mine.mistakes).map(([model, grade]) => [model, { ...grade }])),
    problematic: mine.problematic !== null,
    problematicReason: mine.problematic?.reason ?? '',
    comment: mine.comment,
  };
}

export interface ReviewCandidate {
  key: string;
  index: number | null;
  names: string[];
  gloss: string;
  sources: CandidateSource[];
  /** Added in this draft (not yet stored): the expert may remove it again. */
  addedInDraft: boolean;
}

/**
 * Every candidate of the item in review order (original label, accepted labels, each model's top-k by rank, then
 * added classes), with the classes added in the draft looked up in the vocabulary.
 */
export function reviewCandidates(item: ReviewItem, draftAddedKeys: readonly string[], vocabulary: Vocabulary | undefined): ReviewCandidate[] {
  const fromItem = new Map(item.candidates.map((c) => [c.key, c]));
  const storedAdded = item.candidates.filter((c) => c.sources.some((s) => s.kind === 'added')).map((c) => c.key);
  // Revealed by this expert (modelEvidence): the item's own order, which keeps the one they judged in (reveal-order.ts).
  const ordered = item.originalLabel && item.modelEvidence.revealedAt === null
    ? candidateClasses({
        originalKey: item.originalLabel.key,
        acceptedKeys: item.acceptedLabels,
        models: item.models,
        addedKeys: [...storedAdded, ...draftAddedKeys],
      })
    : // The models hidden (modelEvidence): the server's order, a shuffle that says nothing of where a class comes
      // from, then the classes added in the draft; once revealed, the same order.
      [
        ...item.candidates.map(({ key, sources }) => ({ key, sources })),
        ...draftAddedKeys.filter((key) => !fromItem.has(key)).map((key) => ({ key, sources: [{ kind: 'added' as const }] })),
      ];
  // The server's list is the reference: keep any candidate it sends that the ordering above does not produce.
  const orderedKeys = new Set(ordered.map((c) => c.key));
  for (const c of item.candidates) if (!orderedKeys.has(c.key)) ordered.push({ key: c.key, sources: c.sources });
  const draftAdded = new Set(draftAddedKeys);
  return ordered.map(({ key, sources }) => {
    const known = fromItem.get(key);
    const cls = known ?? vocabulary?.byKey(key);
    return {
      key,
      index: cls?.index ?? null,
      names: cls?.names ?? [key],
      gloss: cls?.gloss ?? '',
      sources: known?.sources ?? sources,
      addedInDraft: draftAdded.has(key) && !known,
    };
  });
}

/** A short, stable tag per model (A, B, C...) used on candidate badges and model cards. */
export function modelTag(position: number): string {
  return position < 26 ? String.fromCharCode(65 + position) : `M${position + 1}`;
}

export function top1Key(model: ReviewItem['models'][number]): string | undefined {
  return model.predictions[0]?.key;
}

export function isGradeComplete(grade: DraftGrade | undefined): grade is Required<DraftGrade> {
  return grade?.severity !== undefined && grade.category !== undefined && grade.category !== '';
}

/** Models whose top-1 is a mistake under the draft's judgements: each needs a severity and a category. */
export function mistakenModels(item: ReviewItem, draft: DraftVerdict): ReviewItem['models'] {
  const names = new Set(modelsToGrade(item.models, draft.labels));
  return item.models.filter((m) => names.has(m.model));
}

/**
 * The model that the severity and category keys grade: among the models whose top-1 is the focused candidate and a
 * mistake, the first not fully graded (else the first of them); otherwise the first mistaken model not fully graded.
 */
export function focusedModelName(item: ReviewItem, draft: DraftVerdict, focusedKey: string | undefined): string | null {
  const mistaken = mistakenModels(item, draft);
  const onFocused = mistaken.filter((m) => focusedKey !== undefined && top1Key(m) === focusedKey);
  const pick =
    onFocused.find((m) => !isGradeComplete(draft.mistakes[m.model])) ??
    onFocused[0] ??
    mistaken.find((m) => !isGradeComplete(draft.mistakes[m.model]));
  return pick?.model ?? null;
}

/** "a", "a and b", "a, b and c". */
const listOf = (names: readonly string[]) => (names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`);

/**
 * Why the draft cannot be submitted yet, one short sentence each; empty when it can. A model whose top-1 is not judged
 * yet (and not graded either) asks for that judgement first, not for a grade: nothing asks for grades before the
 * expert has judged a top-1 wrong.
 */
export function submitBlockers(item: ReviewItem, draft: DraftVerdict): string[] {
  const blockers: string[] = [];
  // Judged with the models hidden, a verdict goes through the reveal: the judgements made before the models are seen
  // are kept (the anchoring measure), then the models' mistakes are graded.
  if (item.modelEvidence.hidden) blockers.push('Judge every candidate: the models then appear, to grade their mistakes.');
  const waiting = mistakenModels(item, draft).filter((m) => !isGradeComplete(draft.mistakes[m.model]));
  const unjudged = waiting.filter((m) => draft.labels[top1Key(m) ?? ''] === undefined && draft.mistakes[m.model] === undefined);
  if (unjudged.length > 0) {
    const classes = [...new Set(unjudged.map((m) => m.predictions[0]?.name ?? top1Key(m) ?? ''))];
    blockers.push(`Judge ${listOf(classes)}, the top-1 of ${listOf(unjudged.map((m) => m.displayName))}.`);
  }
  const ungraded = waiting.filter((m) => !unjudged.includes(m));
  const [only] = ungraded;
  if (ungraded.length === 1 && only) {
    const grade = draft.mistakes[only.model];
    const missing = [grade?.severity ? null : 'severity', grade?.category ? null : 'category'].filter(Boolean).join(' and ');
    blockers.push(`Grade the mistake of ${only.displayName}: ${missing}.`);
  } else if (ungraded.length > 1) {
    blockers.push(`Grade the mistakes of ${listOf(ungraded.map((m) => m.displayName))}.`);
  }
  if (draft.problematic && draft.problematicReason.trim() === '') blockers.push('Give a reason for flagging the image problematic.');
  return blockers;
}

/** The request body for the draft: only judged classes, and grades only for the models that made a mistake. */
export function verdictRequest(item: ReviewItem, draft: DraftVerdict): VerdictRequest {
  const mistakes: VerdictRequest['mistakes'] = {};
  for (const m of mistakenModels(item, draft)) {
    const grade = draft.mistakes[m.model];
    if (isGradeComplete(grade)) mistakes[m.model] = { severity: grade.severity, category: grade.category };
  }
  return {
    labels: { ...draft.labels },
    problematic: draft.problematic ? { reason: draft.problematicReason.trim() } : null,
    mistakes,
    comment: draft.comment.trim(),
    baseRevision: draft.baseRevision,
  };
}

/** Whether a model's top-1 counts as a mistake under the draft (unjudged counts as a mistake, as in DOMAIN). */
export function isModelMistaken(model: ReviewItem['models'][number], draft: DraftVerdict): boolean {
  const key = top1Key(model);
  return key !== undefined && isMistakeUnderJudgements(key, draft.labels);
}

/** Accessible, unambiguous names: the display name, with the class key when two candidates share a name. */
export function candidateLabels(candidates: readonly ReviewCandidate[]): Map<string, string> {
  const counts = new Map<string, number>();
  for (const c of candidates) {
    const name = displayName(c);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return new Map(
    candidates.map((c) => {
      const name = displayName(c);
      return [c.key, (counts.get(name) ?? 0) > 1 ? `${name} (${c.key})` : name];
    }),
  );
}
