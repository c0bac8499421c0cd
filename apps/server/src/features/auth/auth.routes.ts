import { ChangePasswordRequest, ErrorResponse, HealthResponse, LoginRequest, SessionUser } from '@bagel/contracts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, SESSION_COOKIE } from '../../plugins/authentication';
import { ApiError, errorBody, unauthorized } from '../../plugins/errors';
import { decoyPasswordHash, verifyPassword } from '../users/password';
import { createUsersRepository } from '../users/users.repository';
import { createUsersService } from '../users/users.service';
import { createSessionsRepository, hashSessionToken, newSessionToken } from './sessions.repository';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export interface AuthRoutesOptions {
  version: string;
  loginRateLimit: { max: number; timeWindowMs: number };
}

// Keyed by address and user name, so one person mistyping cannot lock out a colleague behind the same NAT, and
// guessing one account's password from one address stays slow. Runs before validation, so the body may be anything.
function loginRateLimitKey(request: FastifyRequest): string {
  const body = request.body as { username?: unknown } | undefined;
  const username = typeof body?.username === 'string' ? body.username.trim().toLowerCase() : '';
  return `${request.ip}|${username}`;
}

export const authRoutes: FastifyPluginAsyncZod<AuthRoutesOptions> = async (app, options) => {
  const users = createUsersRepository(app.db);
  const sessions = createSessionsRepository(app.db);
  const accounts = createUsersService(app.db, { now: app.now });

  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['auth'], security: [], response: { 200: HealthResponse } } },
    async () => ({ status: 'ok' as const, version: options.version }),
  );

  app.post(
    '/auth/login',
    {
      config: {
        public: true,
        rateLimit: {
          max: options.loginRateLimit.max,
          timeWindow: options.loginRateLimit.timeWindowMs,
          hook: 'preValidation',
          keyGenerator: loginRateLimitKey,
          errorResponseBuilder: (_request, context) =>
            errorBody(429, `Too many sign-in attempts; try again in ${context.after}`, 'RATE_LIMITED'),
        },
      },
      schema: { tags: ['auth'], security: [], body: LoginRequest, response: { 200: SessionUser, 401: ErrorResponse, 403: ErrorResponse, 429: ErrorResponse } },
    },
    async (request, reply) => {
      const user = users.findByUsername(request.body.username);
      // An unknown user costs the same hash as a wrong password, and both get the same answer.
      const valid = await verifyPassword(request.body.password, user?.passwordHash ?? (await decoyPasswordHash()));
      if (!user || !valid) throw unauthorized('Wrong user name or password');
      // Said only to whoever knows the password: it does not reveal which names exist.
      if (!user.active) throw new ApiError(403, 'This account is deactivated; an admin can reactivate it', 'ACCOUNT_DEACTIVATED');
      const now = app.now();
      sessions.removeExpired(now);
      const token = newSessionToken();
      sessions.create(hashSessionToken(token), user.id, now, SESSION_TTL_MS);
      reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'strict',
        path: '/',
        secure: request.protocol === 'https',
        maxAge: SESSION_TTL_MS / 1000,
      });
      return { id: user.id, username: user.username, role: user.role };
    },
  );

  app.post('/auth/logout', { schema: { tags: ['auth'], response: { 204: z.undefined() } } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) sessions.remove(hashSessionToken(token));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.code(204).send();
  });

  app.post(
    '/auth/password',
    {
      config: {
        // Guessing the current password from a borrowed session is as slow as guessing it at the login.
        rateLimit: {
          max: options.loginRateLimit.max,
          timeWindow: options.loginRateLimit.timeWindowMs,
          hook: 'preValidation',
          keyGenerator: (request) => `password|${request.user?.id ?? request.ip}`,
          errorResponseBuilder: (_request, context) =>
            errorBody(429, `Too many password changes; try again in ${context.after}`, 'RATE_LIMITED'),
        },
      },
      schema: {
        tags: ['auth'],
        description: 'Changes the signed-in user’s password. 400 WRONG_PASSWORD when `currentPassword` is wrong. The user’s other sessions end; this one stays.',
        body: ChangePasswordRequest,
        response: { 204: z.undefined(), 400: ErrorResponse, 429: ErrorResponse },
      },
    },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE] ?? '';
      await accounts.changeOwnPassword(currentUser(request), hashSessionToken(token), request.body.currentPassword, request.body.newPassword);
      return reply.code(204).send();
    },
  );

  app.get('/auth/me', { schema: { tags: ['auth'], response: { 200: SessionUser } } }, async (request) => currentUser(request));
};
