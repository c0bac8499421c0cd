import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyInstance } from 'fastify';
import serverPackage from '../package.json' with { type: 'json' };
import type { Db } from './db/open-database';
import { authRoutes } from './features/auth/auth.routes';
import { dashboardRoutes } from './features/dashboard/dashboard.routes';
import backgroundReaggregation from './features/consensus/background-reaggregation';
import { discussionRoutes } from './features/discussion/discussion.routes';
import { exportsRoutes } from './features/exports/exports.routes';
import { imagesRoutes } from './features/images/images.routes';
import { itemBrowserRoutes } from './features/items/items.routes';
import { leadRoutes } from './features/lead/lead.routes';
import { projectsRoutes } from './features/projects/projects.routes';
import { reviewRoutes } from './features/review/review.routes';
import { usersRoutes } from './features/users/users.routes';
import authentication from './plugins/authentication';
import backgroundCheckpoints from './plugins/background-checkpoints';
import database from './plugins/database';
import errors from './plugins/errors';
import openApi from './plugins/openapi';
import securityHeaders from './plugins/security-headers';
import webApp from './plugins/web-app';

export interface AppOptions {
  db: Db;
  /** Image folder to use for every project instead of the one recorded at import (`bagel serve --images`). */
  imagesDirOverride?: string;
  /** The built SPA (apps/web/dist); without it only the API is served. */
  webDistDir?: string;
  /** Where rendered previews are kept. */
  cacheDir: string;
  logger?: boolean | object;
  /** Clock in unix ms; tests advance it to expire claims and sessions. */
  now?: () => number;
  loginRateLimit?: { max: number; timeWindowMs: number };
}

export const VERSION = serverPackage.version;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });

  // Infrastructure, in dependency order. Each is wrapped with fastify-plugin, so what it sets up (decorators, hooks,
  // the error and not-found handlers, the zod compilers) applies to the whole app rather than to its own scope.
  await app.register(database, { db: options.db, now: options.now ?? Date.now });
  await app.register(backgroundCheckpoints);
  await app.register(errors);
  await app.register(securityHeaders);
  await app.register(openApi, { version: VERSION });
  await app.register(authentication);
  // Off by default: only the login route asks for it.
  await app.register(rateLimit, { global: false });
  await app.register(webApp, { webDistDir: options.webDistDir });
  await app.register(backgroundReaggregation);

  // Features, each encapsulated under /api.
  const loginRateLimit = options.loginRateLimit ?? { max: 10, timeWindowMs: 60_000 };
  await app.register(authRoutes, { prefix: '/api', version: VERSION, loginRateLimit });
  await app.register(projectsRoutes, { prefix: '/api' });
  await app.register(reviewRoutes, { prefix: '/api', imagesDirOverride: options.imagesDirOverride });
  await app.register(imagesRoutes, { prefix: '/api', cacheDir: options.cacheDir, imagesDirOverride: options.imagesDirOverride });
  await app.register(leadRoutes, { prefix: '/api', imagesDirOverride: options.imagesDirOverride });
  await app.register(discussionRoutes, { prefix: '/api' });
  await app.register(dashboardRoutes, { prefix: '/api' });
  await app.register(exportsRoutes, { prefix: '/api' });
  await app.register(itemBrowserRoutes, { prefix: '/api' });
  await app.register(usersRoutes, { prefix: '/api' });

  await app.ready();
  return app;
}
