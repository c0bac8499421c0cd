import type { ExpertReliabilityReport, ReliabilityProportion } from '@bagel/contracts';
import { csvField, spreadsheetText } from './csv-export';

/**
 * The columns of the expert-reliability CSV (docs/FORMATS.md, "expert-reliability"), in order. A row is an expert
 * (`scope` expert: every column) or an expert × class (`scope` class: the class columns; the problematic and
 * severity columns empty). Counts are whole numbers; rates and interval ends are numbers in [0, 1] as JavaScript
 * writes them (shortest round-trip form), empty where there is nothing to compute them over.
 */
export const EXPERT_RELIABILITY_CSV_HEADER = [
  'reference', 'scope', 'expert', 'role', 'class_key', 'class_name', 'items',
  'present_correct', 'present_wrong', 'present_unclear',
  'absent_correct', 'absent_wrong', 'absent_unclear',
  'unsettled_correct', 'unsettled_wrong', 'unsettled_unclear',
  'sensitivity', 'sensitivity_low', 'sensitivity_high',
  'specificity', 'specificity_low', 'specificity_high',
  'unclear_rate', 'unclear_rate_low', 'unclear_rate_high',
  'problematic_both', 'problematic_expert_only', 'problematic_reference_only', 'problematic_neither',
  'problematic_agreement', 'problematic_agreement_low', 'problematic_agreement_high',
  'severity_compared', 'severity_agreed',
  'severity_agreement', 'severity_agreement_low', 'severity_agreement_high',
] as const;

const number = (value: number | null) => (value === null ? '' : String(value));
const rateCells = (p: ReliabilityProportion) => [number(p.rate), number(p.low), number(p.high)];

/**
 * The CSV of the reports given (one per reference), RFC 4180 with CRLF line ends as the other CSV export: the
 * header, then per report its experts' rows, then its expert × class rows. Expert names are typed by admins: they go
 * through spreadsheetText; class keys and names are written as imported.
 */
export function* expertReliabilityCsvPieces(reports: readonly ExpertReliabilityReport[]): Generator<string, void, undefined> {
  yield line([...EXPERT_RELIABILITY_CSV_HEADER]);
  for (const report of reports) {
    for (const e of report.experts) {
      yield line([
        report.reference, 'expert', spreadsheetText(e.expert), e.role, '', '', String(e.items),
        ...counts(e),
        ...rateCells(e.sensitivity), ...rateCells(e.specificity), ...rateCells(e.unclearRate),
        String(e.problematic.both), String(e.problematic.expertOnly), String(e.problematic.referenceOnly), String(e.problematic.neither),
        ...rateCells(e.problematicAgreement),
        String(e.severityAgreement.trials), String(e.severityAgreement.successes), ...rateCells(e.severityAgreement),
      ]);
    }
    const roles = new Map(report.experts.map((e) => [e.expert, e.role]));
    for (const c of report.classes) {
      yield line([
        report.reference, 'class', spreadsheetText(c.expert), roles.get(c.expert) ?? '', c.classKey, c.className, '',
        ...counts(c),
        ...rateCells(c.sensitivity), ...rateCells(c.specificity), ...rateCells(c.unclearRate),
        '', '', '', '', '', '', '', '', '', '', '', '',
      ]);
    }
  }
}

function counts(c: { present: Record<'correct' | 'wrong' | 'unclear', number>; absent: Record<'correct' | 'wrong' | 'unclear', number>; unsettled: Record<'correct' | 'wrong' | 'unclear', number> }): string[] {
  return [c.present, c.absent, c.unsettled].flatMap((j) => [String(j.correct), String(j.wrong), String(j.unclear)]);
}

function line(cells: readonly string[]): string {
  return cells.map(csvField).join(',') + '\r\n';
}
