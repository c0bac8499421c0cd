import { z } from 'zod';

/** The three judgements an expert gives a candidate class (DOMAIN: correct / wrong / unclear). */
export const Judgement = z.enum(['correct', 'wrong', 'unclear']);
export type Judgement = z.infer<typeof Judgement>;

/**
 * The longest class key, in characters: what a verdict's and a draft's labels and the item browser's class filter
 * take. The import refuses a vocabulary with a longer key (its class could never be judged), and so a key always fits
 * the unique index of a project's keys (PostgreSQL's btree takes entries of about 2.7 kB at most).
 */
export const MAX_CLASS_KEY_LENGTH = 100;

/** Severity of a model's mistake. `Borderline` is kept distinct so users can fold it into Minor or not. */
export const Severity = z.enum(['Major', 'Minor', 'Borderline']);
export type Severity = z.infer<typeof Severity>;

/** The default mistake categories, spelled exactly as in the released imagenet-mistakes data. */
export const DEFAULT_MISTAKE_CATEGORIES = [
  'Fine-grained error',
  'Fine-grained error with OOV',
  'Spurious Correlation',
  'Non-prototypical',
] as const;

/** The reasons for flagging an image problematic that are used in practice (free text is allowed too). */
export const PROBLEMATIC_REASONS = [
  'Original label wrong or unclear, and no class fits',
  'Drawing, painting, cartoon or rendering',
  'Excessively edited',
  'Inappropriate content',
] as const;

export const Role = z.enum(['admin', 'lead', 'expert']);
export type Role = z.infer<typeof Role>;

/** Decimal digits without a leading zero: `42`, never `042`, `0x2a`, `42e0`, `+42` or ` 42`. */
export const DECIMAL_ID_PATTERN = /^[1-9][0-9]*$/;
const ID_MESSAGE = 'an id is a whole number from 1, in decimal digits';

/**
 * An id in a route's path or query: plain decimal digits for a safe integer from 1 (what `Number` would also read
 * from `0x1`, `1e0`, ` 1` or `01` is refused, so one resource has one address).
 */
export const Id = z
  .string()
  .regex(DECIMAL_ID_PATTERN, ID_MESSAGE)
  .transform(Number)
  .refine(Number.isSafeInteger, ID_MESSAGE)
  .meta({ description: 'A whole number from 1, in decimal digits', example: '42' });

/**
 * A whole number in a query (an offset, a limit, a width): decimal digits, no leading zero, `min` to `max` (both
 * safe integers). Like Id, other notations that `Number` would read are refused.
 */
export const queryInteger = (min: number, max: number) =>
  z
    .string()
    .regex(/^(0|[1-9][0-9]*)$/, 'a whole number in decimal digits')
    .transform(Number)
    .refine((n) => n >= min && n <= max, `a whole number from ${min} to ${max}`);

/** Every 4xx/5xx answer of the API has this shape. */
export const ErrorResponse = z
  .object({
    statusCode: z.number().int(),
    error: z.string().meta({ description: 'HTTP reason phrase' }),
    message: z.string().meta({ description: 'What was wrong, for a person to read' }),
    code: z.string().optional().meta({ description: 'Machine-readable error code, e.g. STALE_REVISION' }),
  })
  .passthrough();
export type ErrorResponse = z.infer<typeof ErrorResponse>;

/** A page of a list: the rows from `offset` (at most `limit`), and how many rows the whole list has. */
export const pageOf = <Row extends z.ZodType>(row: Row, totalDescription: string) =>
  z.object({
    total: z.number().int().meta({ description: totalDescription }),
    offset: z.number().int(),
    limit: z.number().int(),
    rows: z.array(row),
  });
