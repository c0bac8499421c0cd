import { z } from 'zod';
import { Role } from './common';

export const LoginRequest = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

/** The signed-in user, as the web app sees them. */
export const SessionUser = z.object({
  id: z.number().int(),
  username: z.string(),
  role: Role,
});
export type SessionUser = z.infer<typeof SessionUser>;

export const HealthResponse = z.object({ status: z.literal('ok'), version: z.string() });
export type HealthResponse = z.infer<typeof HealthResponse>;

/** Readiness, for a load balancer: whether this instance can reach its database (503 with `unavailable` when not). */
export const ReadinessResponse = z.object({ status: z.enum(['ok', 'unavailable']), version: z.string(), database: z.enum(['sqlite', 'postgres']) });
export type ReadinessResponse = z.infer<typeof ReadinessResponse>;
