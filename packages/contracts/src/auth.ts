import { z } from 'zod';
import { ErrorResponse, Role } from './common';

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
/**
 * Why a guarded route answered 401. `UNAUTHORIZED`: the request carried no session cookie (never signed in, or signed
 * out). `SESSION_ENDED`: it carried one whose session is over: expired after its lifetime, or ended on the server (a
 * password reset or change elsewhere, a deactivated account). The web app says the second on its sign-in form, since
 * the person was signed in there and may have work waiting in the browser.
 */
export const SessionErrorCode = z.enum(['UNAUTHORIZED', 'SESSION_ENDED']);
export type SessionErrorCode = z.infer<typeof SessionErrorCode>;

/** 401 answer of a guarded route: no valid session. */
export const SessionRequiredResponse = ErrorResponse.extend({
  statusCode: z.literal(401),
  code: SessionErrorCode,
}).meta({
  description:
    'No valid session: `UNAUTHORIZED` when the request carried no session cookie, `SESSION_ENDED` when its session has ended (expired after 12 hours, or ended by a password reset or change, or a deactivation)',
});
export type SessionRequiredResponse = z.infer<typeof SessionRequiredResponse>;

/**
 * 503 answer of a route that reads or writes the database when no database connection came free in time, or the
 * database could not be reached.
 */
export const DatabaseBusyResponse = ErrorResponse.extend({
  statusCode: z.literal(503),
  code: z.enum(['DATABASE_BUSY', 'DATABASE_UNAVAILABLE']),
}).meta({
  description:
    'DATABASE_BUSY: no database connection came free in time (PostgreSQL, under load); DATABASE_UNAVAILABLE: PostgreSQL could not be reached or went away (stopped, restarting, failing over). Nothing was done either way: send the request again after Retry-After seconds',
});
export type DatabaseBusyResponse = z.infer<typeof DatabaseBusyResponse>;
