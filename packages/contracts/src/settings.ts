import { z } from 'zod';

// The project's settings that the review screen reads as well (its project summary carries them), apart from the
// lead's and the dashboard's schemas in consensus.ts: a reviewer's first load builds these and not those.

/** How many matching votes a panel answer needs (q): a strict majority of the panel, all of it, or a fraction. */
export const PanelQuorum = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('majority') }),
  z.object({ kind: z.literal('unanimity') }),
  z.object({ kind: z.literal('fraction'), value: z.number().gt(0).lte(1) }),
]);
export type PanelQuorum = z.infer<typeof PanelQuorum>;

/**
 * How many experts an item gets (the project setting `panel`; docs/AGGREGATION.md, "Adaptive panels"): `fixed`, the
 * project's panel size; `adaptive`, at least `min`, more while the verdicts disagree, at most `max`, then the lead.
 */
export const PanelPolicy = z
  .discriminatedUnion('mode', [
    // Strict: a stray key (`{"mode": "fixed", "min": 2}`) is a mistake about the mode, not something to drop.
    z.strictObject({ mode: z.literal('fixed') }),
    z.strictObject({
      mode: z.literal('adaptive'),
      min: z.number().int().min(2).max(50).meta({ description: 'Verdicts every item gets; an item whose first min verdicts settle it is final' }),
      max: z.number().int().min(2).max(50).meta({ description: 'Most verdicts an item gets; still disputed then, it goes to the lead' }),
    }),
  ])
  .refine((policy) => policy.mode === 'fixed' || policy.min <= policy.max, { message: 'min must be at most max', path: ['max'] });
export type PanelPolicy = z.infer<typeof PanelPolicy>;

/**
 * Whether experts see the models before judging (the project setting `modelEvidence`; docs/AGGREGATION.md, "Anchoring
 * control"): `shown`, the models' top-k with names, ranks and scores and the original label beside the candidates;
 * `hidden-until-judged`, the candidates in a random order without any of that until every one is judged, then the
 * models appear for grading their mistakes; `experiment`, each item shown or hidden at random per expert (the
 * condition is stored with the verdict, and the dashboard measures the difference).
 */
export const ModelEvidence = z.enum(['shown', 'hidden-until-judged', 'experiment']);
export type ModelEvidence = z.infer<typeof ModelEvidence>;

/** Decoys added to an expert's candidates while the models are hidden (docs/AGGREGATION.md, "Decoys"). */
export const DecoyCount = z.number().int().min(0).max(5);

/** Share of each expert's items that are gold items they did not judge in the panel (docs/AGGREGATION.md, "Gold items"). */
export const GoldRate = z.number().min(0).max(0.5);
/** A new expert's first items that are gold items (a qualification set), before the gold rate takes over. */
export const GoldQualification = z.number().int().min(0).max(100);
/**
 * Whether an expert's answer to a gold item is answered with how it compares with the gold answer (docs/AGGREGATION.md,
 * "Gold items"). Off by default: with it on, an expert learns afterwards which of their items were gold.
 */
export const GoldFeedbackSetting = z.boolean();
/**
 * How the panel's verdicts become final labels (the project setting `aggregation`; docs/AGGREGATION.md, "Dawid–Skene
 * aggregation of the panel"): `quorum`, a class is decided when q experts agree; `dawid-skene`, by its posterior
 * P(present) under each expert's estimated confusion matrix (correct at or above 0.8, wrong at or below 0.2, a dispute
 * for the lead between).
 */
export const Aggregation = z.enum(['quorum', 'dawid-skene']);
export type Aggregation = z.infer<typeof Aggregation>;
