import { z } from 'zod';
import { MAX_CLASS_KEY_LENGTH, queryInteger } from './common';

/** A page cursor's length at most: a sort's keys (an image path of up to 500 characters) and an id, in base64url. */
const MAX_CURSOR_LENGTH = 2000;
import { ItemInBrief, ItemStatus } from './review';

// The item browser: every item of a project, filtered, sorted and paged by the server (leads and admins).

/** What a panel's dispute is about (the `kind` of the aggregate's disputes). */
export const DisputeKind = z.enum(['class', 'problematic', 'severity', 'category']);
export type DisputeKind = z.infer<typeof DisputeKind>;

/** The final grade of a mistake: a severity, or `ungraded` when the final labels make it a mistake without grading it. */
export const FinalSeverity = z.enum(['Major', 'Minor', 'Borderline', 'ungraded']);
export type FinalSeverity = z.infer<typeof FinalSeverity>;

export const ItemBrowserSort = z.enum(['priority', 'id', 'file', 'status', 'divisiveness', 'verdicts', 'updated']);
export type ItemBrowserSort = z.infer<typeof ItemBrowserSort>;
export const SortOrder = z.enum(['asc', 'desc']);
export type SortOrder = z.infer<typeof SortOrder>;

/** The order a sort takes when the query gives none: highest first for figures, A to Z / oldest first otherwise. */
export const DEFAULT_SORT_ORDER: Readonly<Record<ItemBrowserSort, SortOrder>> = {
  priority: 'desc',
  id: 'asc',
  file: 'asc',
  status: 'asc',
  divisiveness: 'desc',
  verdicts: 'desc',
  updated: 'desc',
};

/** An empty query value (`?status=`, as an HTML form sends a blank field) means no filter. */
const filter = <T extends z.ZodType>(schema: T) => z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

/** Query of `GET /api/projects/:projectId/items`. Every filter given must hold (AND). */
export const ItemBrowserQuery = z.object({
  status: filter(ItemStatus),
  class: filter(z.string().max(MAX_CLASS_KEY_LENGTH)).meta({ description: "Class key: items whose original label or any model's top-1 is that class" }),
  disputeKind: filter(DisputeKind).meta({
    description: "Items whose complete panel's aggregate currently has a dispute of this kind (disputed items, and items the lead decided after a dispute)",
  }),
  wrongModel: filter(z.string().max(200)).meta({
    description: "Model name: items on which its top-1 is a mistake: under the final labels when the item has them (agreed or final), else outside the image's accepted labels",
  }),
  severity: filter(FinalSeverity).meta({ description: "Items with a mistake (of `wrongModel` when given, else of any model) whose final grade has this severity" }),
  category: filter(z.string().max(100)).meta({ description: 'Items with a mistake (of `wrongModel` when given, else of any model) whose final grade has this category; with `severity`, the same mistake has both' }),
  expert: filter(z.string().max(100)).meta({ description: 'Username: items this expert (or lead) has a current verdict on' }),
  sort: filter(ItemBrowserSort).meta({
    description:
      'priority (models wrong, then confidence: the review queue order), id, file, status (open, in review, disputed, agreed, final), divisiveness, verdicts (current verdicts), updated (last change of the consensus); default priority. Items without a consensus come last when sorting by divisiveness or updated; ties go by item id',
  }),
  order: filter(SortOrder).meta({ description: 'Default: desc for priority, divisiveness, verdicts and updated; asc otherwise' }),
  after: filter(z.string().max(MAX_CURSOR_LENGTH).regex(/^[A-Za-z0-9_-]+$/, 'a cursor: the `next` of a page')).meta({
    description:
      'The `next` of the page before, under the same sort and order: the page that follows it, read from an index however deep (what a scrolling list asks for). Without it, the page at `offset`, which costs what it skips',
  }),
  offset: queryInteger(0, 10_000_000).default(0),
  limit: queryInteger(1, 500).default(100),
  count: filter(z.enum(['exact'])).meta({
    description:
      '`exact`: count the matches whatever they cost. Without it, `total` is given only where it is cheap (no filter but the status: from the kept totals; a class filter; a first page that holds every match), else null: ask again with `count=exact` (at a million items a count of a broad filter reads every item)',
  }),
});
export type ItemBrowserQuery = z.input<typeof ItemBrowserQuery>;
export type ParsedItemBrowserQuery = z.output<typeof ItemBrowserQuery>;

export const ItemBrowserRow = ItemInBrief.extend({
  modelsWrong: z.number().int().meta({ description: 'Models whose top-1 was outside the accepted labels at import (the queue priority)' }),
  confidence: z.number().meta({ description: 'Highest top-1 score of those models (the queue priority after modelsWrong)' }),
  verdictCount: z.number().int().meta({ description: 'Experts with a current verdict' }),
  divisiveness: z.number().nullable().meta({ description: 'How divided the panel is (docs/AGGREGATION.md); null before the first verdict' }),
  disputeKinds: z.array(DisputeKind).meta({ description: "Kinds of the current disputes of the item's complete panel (none while the panel is incomplete)" }),
  wrongModels: z.array(z.string()).meta({ description: 'Models (manifest order) whose top-1 is a mistake now, as the wrongModel filter defines it' }),
  grades: z
    .array(z.object({ model: z.string(), severity: FinalSeverity, category: z.string().nullable() }))
    .meta({ description: 'Final grade of each mistake under the final labels (empty without final labels)' }),
  updatedAt: z.string().nullable().meta({ description: 'Last change of the consensus (a verdict or decision); null before the first verdict' }),
});
export type ItemBrowserRow = z.infer<typeof ItemBrowserRow>;

export const ItemBrowserPage = z.object({
  total: z.number().int().nullable().meta({
    description: 'Items matching the filters, whatever the page; null when not counted (see `count`; never after a cursor)',
  }),
  offset: z.number().int().nullable().meta({ description: 'The offset asked for; null for a page after a cursor' }),
  limit: z.number().int(),
  next: z.string().nullable().meta({ description: 'Cursor of the page after this one (`after`); null when no item follows' }),
  rows: z.array(ItemBrowserRow),
});
export type ItemBrowserPage = z.infer<typeof ItemBrowserPage>;

/** Answer of `GET /api/projects/:projectId/items/experts`: who may be chosen in the expert filter. */
export const ItemBrowserExperts = z.object({
  experts: z.array(
    z.object({
      username: z.string(),
      role: z.enum(['lead', 'expert']),
      verdicts: z.number().int().meta({ description: 'Items of the project they have a current verdict on' }),
    }),
  ),
});
export type ItemBrowserExperts = z.infer<typeof ItemBrowserExperts>;
