import { ChangePasswordRequest, ErrorResponse, HealthResponse, LoginRequest, ReadinessResponse, SessionUser } from '@bagel/contracts';
import { sql } from 'kysely';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, SESSION_COOKIE } from '../../plugins/authentication';
import { ApiError, unauthorized } from '../../plugins/errors';
import { DECOY_PASSWORD_HASH, type PasswordHasher } from '../users/password';
import { createUsersRepository } from '../users/users.repository';
import { createUsersService } from '../users/users.service';
import { createLoginThrottle, type LoginAttempt, type LoginThrottleOptions } from './login-throttle';
import { createSessionsRepository, hashSessionToken, newSessionToken } from './sessions.repository';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** How long readiness waits for the database before it calls the instance unavailable. */
const READINESS_TIMEOUT_MS = 2000;
/**
 * The cookie outlives its session by 30 days: a browser that comes back after the session expired still sends it, and
 * is told 401 SESSION_ENDED rather than UNAUTHORIZED, so the web app can say why it asks to sign in. The token is
 * worth nothing once its session is over (the server checks the session's own expiry).
 */
export const SESSION_COOKIE_MAX_AGE_MS = SESSION_TTL_MS + 30 * 24 * 60 * 60 * 1000;

export interface AuthRoutesOptions {
  version: string;
  loginThrottle: LoginThrottleOptions;
  passwords: PasswordHasher;
}

/** 429 with Retry-After (whole seconds, rounded up) for an attempt the throttle holds back. */
function throttled(attempt: Extract<LoginAttempt, { allowed: false }>, what: string): ApiError {
  const seconds = Math.ceil(attempt.retryAfterMs / 1000);
  const wait = seconds >= 120 ? `${Math.ceil(seconds / 60)} minutes` : `${seconds} s`;
  const scope = attempt.scope === 'account' ? 'for this account' : 'from this address';
  return new ApiError(429, `Too many failed ${what} ${scope}; try again in ${wait}`, 'RATE_LIMITED', { retryAfter: seconds }, { headers: { 'retry-after': String(seconds) } });
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const users = createUsersRepository(app.database.queries);
  const accounts = createUsersService(app.database, { now: app.now, passwords: options.passwords });
  const throttle = createLoginThrottle(app.database, options.loginThrottle);

  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['auth'], security: [], response: { 200: HealthResponse } } },
    async () => ({ status: 'ok' as const, version: options.version }),
  );

  // Liveness above answers without touching anything (a busy database does not make an instance look dead);
  // readiness asks the database, so a load balancer stops sending reviewers to an instance that cannot reach it.
  app.get(
    '/health/ready',
    { config: { public: true }, schema: { tags: ['auth'], security: [], response: { 200: ReadinessResponse, 503: ReadinessResponse } } },
    async (request, reply) => {
      const answer = { version: options.version, database: app.database.engine };
      try {
        await Promise.race([
          sql`SELECT 1`.execute(app.database.queries),
          new Promise((_, reject) => setTimeout(() => reject(new Error('the database did not answer within 2 s')), READINESS_TIMEOUT_MS).unref()),
        ]);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the database does not answer');
        return reply.code(503).send({ status: 'unavailable' as const, ...answer });
      }
      return { status: 'ok' as const, ...answer };
    },
  );

  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: {
        tags: ['auth'],
        security: [],
        description:
          'Signs in. Failed attempts are limited per account (across addresses) and per address (across accounts): 429 RATE_LIMITED with Retry-After. 503 BUSY with Retry-After when too many passwords are being checked at once.',
        body: LoginRequest,
        response: { 200: SessionUser, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const attempt = await throttle.begin(request.ip, request.body.username, app.now());
      if (!attempt.allowed) throw throttled(attempt, 'sign-ins');
      let user: Awaited<ReturnType<typeof users.findByUsername>>;
      let valid: boolean;
      try {
        // The attempt ends whatever happens: one left running would hold its keys back until the process ends.
        user = await users.findByUsername(request.body.username);
        // An unknown user costs the same hash as a wrong password, and both get the same answer.
        valid = await options.passwords.verify(request.body.password, user?.passwordHash ?? DECOY_PASSWORD_HASH);
      } catch (error) {
        attempt.cancelled();
        throw error;
      }
      if (!user || !valid) {
        await attempt.failed(app.now());
        throw unauthorized('Wrong user name or password');
      }
      await attempt.succeeded(app.now());
      // Said only to whoever knows the password: it does not reveal which names exist.
      if (!user.active) throw new ApiError(403, 'This account is deactivated; an admin can reactivate it', 'ACCOUNT_DEACTIVATED');
      const now = app.now();
      const token = newSessionToken();
      await app.database.write(async (trx) => {
        const sessions = createSessionsRepository(trx);
        await sessions.removeExpired(now);
        await sessions.create(hashSessionToken(token), user.id, now, SESSION_TTL_MS);
      });
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        // Over https, directly or through a trusted proxy (--trust-proxy: X-Forwarded-Proto).
        secure: request.protocol === 'https',
        maxAge: SESSION_COOKIE_MAX_AGE_MS / 1000,
      });
      return { id: user.id, username: user.username, role: user.role };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 204: z.undefined() } } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await app.database.write((trx) => createSessionsRepository(trx).remove(hashSessionToken(token)));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.post(
    '/auth/password',
    {
      schema: {
        tags: ['auth'],
        description:
          'Changes the signed-in user’s password. 400 WRONG_PASSWORD when `currentPassword` is wrong; such failures count with the failed sign-ins of the account and the address (429 RATE_LIMITED with Retry-After), so a borrowed session guesses no faster than the sign-in. The user’s other sessions end; this one stays.',
        body: ChangePasswordRequest,
        response: { 204: z.undefined(), 400: ErrorResponse, 429: ErrorResponse, 503: ErrorResponse },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      // The account's lock holds here even at an address known to it: whoever is signed in needs no way past it.
      const attempt = await throttle.begin(request.ip, user.username, app.now(), { knownAddressesPass: false });
      if (!attempt.allowed) throw throttled(attempt, 'password checks');
      const token = request.cookies[SESSION_COOKIE] ?? '';
      try {
        await accounts.changeOwnPassword(user, hashSessionToken(token), request.body.currentPassword, request.body.newPassword);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'WRONG_PASSWORD') await attempt.failed(app.now());
        else attempt.cancelled();
        throw error;
      }
      await attempt.succeeded(app.now());
      return reply.code(204).send();
    },
  );

  app.get('/auth/me', { schema: { tags: ['auth'], response: { 200: SessionUser } } }, async (request) => currentUser(request));
};
