import { z } from 'zod';

/** The three judgements an expert gives a candidate class (DOMAIN: correct / wrong / unclear). */
export const Judgement = z.enum(['correct', 'wrong', 'unclear']);
export type Judgement = z.infer<typeof Judgement>;

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

export const Id = z.coerce.number().int().positive();

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
