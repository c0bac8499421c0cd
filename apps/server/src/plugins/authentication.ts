import { type Role, SessionErrorCode, type SessionUser } from '@bagel/contracts';
import cookie from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createSessionsRepository, hashSessionToken } from '../features/auth/sessions.repository';
import { ApiError, forbidden, unauthorized } from './errors';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in user; set by the session guard on every protected route. */
    user: SessionUser | null;
  }
  interface FastifyContextConfig {
    /** Opt a route out of the session guard. Only health and login do. */
    public?: boolean;
  }
}

export const SESSION_COOKIE = 'bagel_session';

/**
 * 401 for a session cookie whose session is over (expired, or ended on the server: a password reset or change, a
 * deactivation; or a token that never was one). Told apart from no cookie at all (`UNAUTHORIZED`) so that the web app,
 * loaded afresh, can say why it asks to sign in: the cookie outlives its session for that (SESSION_COOKIE_MAX_AGE_MS).
 */
export const sessionEnded = () =>
  new ApiError(401, 'Your session has ended; sign in again', SessionErrorCode.enum.SESSION_ENDED);

/**
 * The session guard: deny by default. Every route whose path starts with /api needs a valid session unless it is
 * marked `config: { public: true }`, so a new route (or a plugin's, like the OpenAPI document) is protected without
 * anyone remembering to protect it. The decision uses the matched route pattern, not the raw URL, so an encoded or
 * oddly spelled URL cannot slip past it. Non-API routes (the SPA and its assets) hold no data and stay public.
 * No cookie: 401 UNAUTHORIZED; a cookie whose session is over: 401 SESSION_ENDED.
 */
export default fp(
  async function authenticationPlugin(app) {
    await app.register(cookie);
    const sessions = createSessionsRepository(app.database.queries);
    app.decorateRequest('user', null);
    app.addHook('onRequest', async (request) => {
      const route = request.routeOptions.url;
      if (route === undefined || !(route === '/api' || route.startsWith('/api/')) || request.routeOptions.config.public) return;
      const token = request.cookies[SESSION_COOKIE];
      if (!token) throw unauthorized();
      const user = await sessions.findUser(hashSessionToken(token), app.now());
      if (!user) throw sessionEnded();
      request.user = user;
    });
  },
  { name: 'authentication', dependencies: ['database', 'errors'] },
);

/** The signed-in user of a guarded route (the guard has already answered 401 when there is none). */
export function currentUser(request: FastifyRequest): SessionUser {
  if (!request.user) throw unauthorized();
  return request.user;
}

/** A preHandler that answers 403 unless the signed-in user has one of the roles. */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest) => {
    const user = currentUser(request);
    if (!roles.includes(user.role)) throw forbidden(`This needs the role ${roles.join(' or ')}; you are signed in as ${user.role}`);
  };
}
