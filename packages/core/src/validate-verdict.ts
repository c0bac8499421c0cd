import type { ParsedVerdictRequest } from '@bagel/contracts';
import { isMistakeUnderJudgements } from './mistakes';

export interface VerdictContext {
  /** Whether a class key belongs to the project's vocabulary. */
  hasClass(key: string): boolean;
  /** The item's models with their top-1 class key. */
  models: readonly { name: string; top1Key: string }[];
  mistakeCategories: readonly string[];
}

export interface VerdictIssue {
  /** Dotted path of the offending field, e.g. `mistakes.Demo model A`. */
  field: string;
  message: string;
}

/**
 * Checks a verdict against its item beyond what its schema can: every class key is in the vocabulary, every model
 * is one of the item's, and the mistake of every model whose top-1 is not judged correct or unclear is graded
 * (and only those). Returns every issue, empty when the verdict is valid.
 */
export function validateVerdict(verdict: Pick<ParsedVerdictRequest, 'labels' | 'mistakes'>, ctx: VerdictContext): VerdictIssue[] {
  const issues: VerdictIssue[] = [];
  for (const key of Object.keys(verdict.labels)) {
    if (!ctx.hasClass(key)) issues.push({ field: `labels.${key}`, message: `unknown class key "${key}"` });
  }
  const modelNames = new Set(ctx.models.map((m) => m.name));
  for (const [name, grade] of Object.entries(verdict.mistakes)) {
    if (!modelNames.has(name)) {
      issues.push({ field: `mistakes.${name}`, message: `unknown model "${name}" for this item` });
    } else if (!ctx.mistakeCategories.includes(grade.category)) {
      issues.push({
        field: `mistakes.${name}.category`,
        message: `unknown mistake category "${grade.category}" (expected one of: ${ctx.mistakeCategories.join(', ')})`,
      });
    }
  }
  for (const m of ctx.models) {
    const mistake = isMistakeUnderJudgements(m.top1Key, verdict.labels);
    const graded = Object.hasOwn(verdict.mistakes, m.name);
    if (mistake && !graded) {
      issues.push({
        field: `mistakes.${m.name}`,
        message: `model "${m.name}": its top-1 "${m.top1Key}" is not judged correct or unclear, so its mistake needs a severity and a category`,
      });
    } else if (!mistake && graded) {
      issues.push({
        field: `mistakes.${m.name}`,
        message: `model "${m.name}": its top-1 "${m.top1Key}" is judged ${verdict.labels[m.top1Key]}, so it made no mistake to grade`,
      });
    }
  }
  return issues;
}
