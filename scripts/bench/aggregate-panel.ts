// Benchmark of panel aggregation: 20,000 items × 5 verdicts, shaped like a hard real round (the original label plus
// three models' top-5, 10 candidates; every expert departs now and then from a "true" verdict), generated with a seed.
// Baseline, measured in the same run on the same verdicts: one pass that only counts each item's votes per class into
// a Map, the least any aggregation must read.
//
//   npx tsx scripts/bench/aggregate-panel.ts
//
// Prints the cold pass (compilation included) and the warm pass of aggregatePanel, the baseline, and their ratios.
import type { Judgement, Severity } from '@bagel/contracts';
import { aggregatePanel, isMistakeUnderJudgements, seededRandom, type PanelInput, type PanelVerdict } from '@bagel/core';

const ITEMS = 20_000;
const PANEL = 5;
const JUDGEMENTS: Judgement[] = ['correct', 'wrong', 'wrong', 'wrong', 'unclear'];
const SEVERITIES: Severity[] = ['Major', 'Minor', 'Borderline'];
const CATEGORIES = ['Fine-grained error', 'Fine-grained error with OOV', 'Spurious Correlation', 'Non-prototypical'];

/**
 * Items shaped like a real round: the original label plus three models' top-5 (10 candidates) and 5 verdicts. Each
 * item has a "true" verdict that every expert departs from now and then (a judgement, a skipped class, a grade), so
 * that some items are agreed and many disputed, as in a hard round.
 */
function generateItems(): PanelInput[] {
  const random = seededRandom(20_000);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const items: PanelInput[] = [];
  for (let i = 0; i < ITEMS; i++) {
    const candidates = Array.from({ length: 10 }, (_, c) => `n${String(i * 10 + c).padStart(8, '0')}`);
    const models = ['vit3b', 'greedy-soups', 'resnet50'].map((name) => ({ name, top1Key: pick(candidates.slice(1, 6)) }));
    const truth = new Map(candidates.map((key) => [key, pick(JUDGEMENTS)]));
    const trueGrades = new Map(models.map((m) => [m.name, { severity: pick(SEVERITIES), category: pick(CATEGORIES) }]));
    const verdicts: PanelVerdict[] = [];
    for (let e = 0; e < PANEL; e++) {
      const labels: Record<string, Judgement> = {};
      for (const key of candidates) {
        if (random() < 0.02) continue;
        labels[key] = random() < 0.05 ? pick(JUDGEMENTS) : (truth.get(key) as Judgement);
      }
      const mistakes: Record<string, { severity: Severity; category: string }> = {};
      for (const m of models) {
        if (!isMistakeUnderJudgements(m.top1Key, labels)) continue;
        const grade = trueGrades.get(m.name) as { severity: Severity; category: string };
        mistakes[m.name] = random() < 0.1 ? { severity: pick(SEVERITIES), category: pick(CATEGORIES) } : grade;
      }
      verdicts.push({ expert: `expert${e}`, labels, problematic: random() < 0.03 ? { reason: 'Excessively edited' } : null, mistakes });
    }
    items.push({ candidates, models, verdicts, panelSize: PANEL, quorum: { kind: 'majority' } });
  }
  return items;
}


const items = generateItems();

function timed<T>(run: () => T): { ms: number; result: T } {
  const started = performance.now();
  const result = run();
  return { ms: performance.now() - started, result };
}

const countVotes = () => {
  let classes = 0;
  for (const item of items) {
    const votes = new Map<string, number>();
    for (const verdict of item.verdicts) for (const key in verdict.labels) votes.set(key, (votes.get(key) ?? 0) + 1);
    classes += votes.size;
  }
  return classes;
};
const aggregateAll = () => {
  let disputed = 0;
  for (const item of items) if (aggregatePanel(item).status === 'disputed') disputed++;
  return disputed;
};

const cold = timed(aggregateAll);
const warm = timed(aggregateAll);
countVotes();
const baseline = timed(countVotes);
if (cold.result !== warm.result) throw new Error('the two passes disagree');
console.log(`aggregatePanel, ${ITEMS.toLocaleString('en')} items × ${PANEL} verdicts (${warm.result} disputed):`);
console.log(`  baseline (count the votes per class): ${baseline.ms.toFixed(0)} ms`);
console.log(`  aggregatePanel cold: ${cold.ms.toFixed(0)} ms (${(cold.ms / baseline.ms).toFixed(1)}× the baseline)`);
console.log(`  aggregatePanel warm: ${warm.ms.toFixed(0)} ms (${(warm.ms / baseline.ms).toFixed(1)}× the baseline)`);
