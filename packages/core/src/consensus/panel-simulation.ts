import type { Judgement } from '@bagel/contracts';
import type { PanelVerdict } from './aggregate-panel';

// The panel simulation's generator: items with a known truth, and simulated experts of known accuracy judging them
// (the Dawid & Skene rater model, with hard classes that correlate their errors). `scripts/bench/panel-policy.ts`
// runs policies over it, and the test of Dawid–Skene aggregation compares it with the quorum on it; what it generates
// and on what that is based is in docs/AGGREGATION.md, "Adaptive panels", "Simulation".

export interface PanelSimulationOptions {
  items: number;
  experts: number;
  /** [count, images]: the distribution of candidates per image. */
  candidateCounts: readonly (readonly [number, number])[];
  /** Beta(a, b) of each expert's sensitivity, specificity and `unclear` rate (integer a, b). */
  sensitivity: readonly [number, number];
  specificity: readonly [number, number];
  unclear: readonly [number, number];
  hardShare: number;
  hardFactor: number;
  leadAccuracy: number;
  /** Verdicts generated per item (the largest panel any policy asks). */
  asked: number;
  originalPresent?: number;
  otherPresent?: number;
  problematic?: number;
  falseFlag?: number;
}

export interface SimulatedExpert {
  sensitivity: number;
  specificity: number;
  unclear: number;
}

export interface SimulatedItem {
  /** `i{item}c{c}`; candidate 0 is the original label. */
  candidates: string[];
  present: boolean[];
  hard: boolean[];
  problematic: boolean;
  /** The verdicts of the item's experts in the order they are asked. */
  verdicts: PanelVerdict[];
  /** The lead's own judgement of each class and of the flag, used where the panel did not settle them. */
  leadLabels: Judgement[];
  leadProblematic: boolean;
}

/**
 * Candidates per image: [count, images] for |original ∪ top-k of five real models| on the 20,000 annotated ImageNet
 * validation images (modestyachts/ImageNetV2's predictions of pnasnet5large, nasnetalarge, senet154, polynet and
 * resnet50, with the images' original labels), by k.
 */
export const SIMULATION_CANDIDATE_COUNTS: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  '1': [[1, 13701], [2, 4069], [3, 1358], [4, 592], [5, 223], [6, 57]],
  '2': [[2, 5171], [3, 5600], [4, 4501], [5, 2800], [6, 1446], [7, 276], [8, 123], [9, 64], [10, 13], [11, 6]],
  '3': [[3, 1933], [4, 3636], [5, 4242], [6, 3808], [7, 2773], [8, 1734], [9, 1001], [10, 560], [11, 242], [12, 46], [13, 13], [14, 11], [15, 1]],
  '5': [
    [5, 236], [6, 1025], [7, 1914], [8, 2527], [9, 2817], [10, 2641], [11, 2393], [12, 1896], [13, 1564], [14, 1113],
    [15, 755], [16, 473], [17, 330], [18, 172], [19, 89], [20, 40], [21, 12], [22, 2], [23, 1],
  ],
};

const REASON = 'Drawing, painting, cartoon or rendering';

/** The experts, then the items, drawn from `random` in that order (the same seed gives the same panel). */
export function simulatePanels(options: PanelSimulationOptions, random: () => number): { experts: SimulatedExpert[]; items: SimulatedItem[] } {
  const originalPresent = options.originalPresent ?? 0.94;
  const otherPresent = options.otherPresent ?? 0.085;
  const problematicShare = options.problematic ?? 0.02;
  const falseFlag = options.falseFlag ?? 0.01;
  /** Beta(a, b) for integer a, b: the a-th smallest of a + b − 1 uniform numbers. */
  const beta = ([a, b]: readonly [number, number]): number => {
    const draws = Array.from({ length: a + b - 1 }, random).sort((x, y) => x - y);
    return draws[a - 1] as number;
  };
  const experts: SimulatedExpert[] = Array.from({ length: options.experts }, () => ({
    sensitivity: beta(options.sensitivity),
    specificity: beta(options.specificity),
    unclear: beta(options.unclear),
  }));
  const countTotal = options.candidateCounts.reduce((sum, [, images]) => sum + images, 0);
  const drawCandidateCount = (): number => {
    let u = random() * countTotal;
    for (const [count, images] of options.candidateCounts) {
      u -= images;
      if (u < 0) return count;
    }
    return options.candidateCounts.at(-1)![0];
  };
  const generateItem = (index: number): SimulatedItem => {
    const count = drawCandidateCount();
    const candidates = Array.from({ length: count }, (_, c) => `i${index}c${c}`);
    const present = candidates.map((_, c) => random() < (c === 0 ? originalPresent : otherPresent));
    const hard = candidates.map(() => random() < options.hardShare);
    const problematic = random() < problematicShare;
    const chosen: number[] = [];
    while (chosen.length < options.asked) {
      const e = Math.floor(random() * options.experts);
      if (!chosen.includes(e)) chosen.push(e);
    }
    const verdicts = chosen.map((e): PanelVerdict => {
      const expert = experts[e] as SimulatedExpert;
      const labels: Record<string, Judgement> = {};
      candidates.forEach((key, c) => {
        const isHard = hard[c] as boolean;
        const unclearRate = isHard ? Math.min(1, expert.unclear * 3) : expert.unclear;
        const shrink = (rate: number) => (isHard ? 0.5 + (rate - 0.5) * options.hardFactor : rate);
        if (random() < unclearRate) labels[key] = 'unclear';
        else if (present[c]) labels[key] = random() < shrink(expert.sensitivity) ? 'correct' : 'wrong';
        else labels[key] = random() < shrink(expert.specificity) ? 'wrong' : 'correct';
      });
      const flags = random() < (problematic ? expert.sensitivity : falseFlag);
      return { expert: `expert${e}`, labels, problematic: flags ? { reason: REASON } : null, mistakes: {} };
    });
    const leadLabels = present.map((isPresent): Judgement => ((random() < options.leadAccuracy) === isPresent ? 'correct' : 'wrong'));
    const leadProblematic = (random() < options.leadAccuracy) === problematic;
    return { candidates, present, hard, problematic, verdicts, leadLabels, leadProblematic };
  };
  const items = Array.from({ length: options.items }, (_, i) => generateItem(i));
  return { experts, items };
}
