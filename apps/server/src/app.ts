import Fastify, { type FastifyInstance } from 'fastify';
import serverPackage from '../package.json' with { type: 'json' };
import type { Database } from './db/database';
import type { Db } from './db/open-database';
import { sqliteDatabase } from './db/sqlite-engine';
import { authRoutes } from './features/auth/auth.routes';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleOptions } from './features/auth/login-throttle';
import { dashboardRoutes } from './features/dashboard/dashboard.routes';
import { expertReliabilityRoutes } from './features/reliability/expert-reliability.routes';
import backgroundReaggregation from './features/consensus/background-reaggregation';
import { discussionRoutes } from './features/discussion/discussion.routes';
import { exportsRoutes } from './features/exports/exports.routes';
import { createImageSources, type ImageSourcesOptions } from './features/images/image-sources';
import { imagesRoutes } from './features/images/images.routes';
import { itemBrowserRoutes } from './features/items/items.routes';
import { leadRoutes } from './features/lead/lead.routes';
import { goldRoutes } from './features/gold/gold.routes';
import { projectsRoutes } from './features/projects/projects.routes';
import { reviewRoutes } from './features/review/review.routes';
import { passwordHasher, PasswordHasher, type PasswordHashingOptions } from './features/users/password';
import { usersRoutes } from './features/users/users.routes';
import authentication from './plugins/authentication';
import backgroundCheckpoints from './plugins/background-checkpoints';
import { fastifyLimitOptions, limitConnections, serverLimits, type ServerLimits } from './plugins/connection-limits';
import database from './plugins/database';
import errors from './plugins/errors';
import jsonBodies from './plugins/json-bodies';
import openApi from './plugins/openapi';
import securityHeaders from './plugins/security-headers';
import webApp from './plugins/web-app';

export interface AppOptions {
  /** The database; a better-sqlite3 connection (`db`) stands for the SQLite database on it. */
  database?: Database;
  db?: Db;
  /**
   * Image source to use for every project instead of the one recorded at import (`bagel serve --images`): a folder,
   * an https:// or http:// base URL, or s3://bucket/prefix.
   */
  imagesDirOverride?: string;
  /** Where S3 image sources read their endpoint, region and credentials, and the bounds of remote fetches. */
  imageSources?: Omit<ImageSourcesOptions, 'override'>;
  /** The built SPA (apps/web/dist); without it only the API is served. */
  webDistDir?: string;
  /** Where rendered previews are kept. */
  cacheDir: string;
  /** At most this many bytes of rendered previews on disk, the least recently used removed first (default 2 GiB). */
  previewCacheBytes?: number;
  logger?: boolean | object;
  /** Clock in unix ms; tests advance it to expire claims and sessions. */
  now?: () => number;
  /** Timeouts, body size and connection caps (connection-limits.ts); each one not given has its default. */
  limits?: Partial<ServerLimits>;
  /**
   * The addresses of trusted reverse proxies (IPs, CIDRs, or `loopback`, comma-separated): from them, the client's
   * address and protocol are taken from X-Forwarded-For and X-Forwarded-Proto. Without it, those headers are ignored.
   */
  trustProxy?: string;
  /** Failed sign-in limits (login-throttle.ts); each one not given has its default. */
  loginThrottle?: Partial<LoginThrottleOptions>;
  /** A hashing queue of the app's own; by default the process's one (password.ts). */
  passwordHashing?: PasswordHashingOptions;
}

export const VERSION = serverPackage.version;

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const limits = serverLimits(options.limits);
  // First: a malformed --images source stops here, before anything is set up.
  const images = createImageSources({ ...options.imageSources, override: options.imagesDirOverride });
  const app = Fastify({ logger: options.logger ?? false, trustProxy: options.trustProxy ?? false, ...fastifyLimitOptions(limits) });
  limitConnections(app.server, limits, app.log);
  const passwords = options.passwordHashing ? new PasswordHasher(options.passwordHashing) : passwordHasher;

  // Infrastructure, in dependency order. Each is wrapped with fastify-plugin, so what it sets up (decorators, hooks,
  // the error and not-found handlers, the zod compilers) applies to the whole app rather than to its own scope.
  const db = options.database ?? (options.db ? sqliteDatabase(options.db) : undefined);
  if (!db) throw new Error('buildApp needs a database');
  await app.register(database, { database: db, now: options.now ?? Date.now });
  await app.register(backgroundCheckpoints);
  await app.register(errors);
  await app.register(securityHeaders);
  await app.register(jsonBodies);
  await app.register(openApi, { version: VERSION });
  await app.register(authentication);
  await app.register(webApp, { webDistDir: options.webDistDir });
  await app.register(backgroundReaggregation);

  // Features, each encapsulated under /api.
  const loginThrottle = { ...DEFAULT_LOGIN_THROTTLE, ...options.loginThrottle };
  await app.register(authRoutes, { prefix: '/api', version: VERSION, loginThrottle, passwords });
  await app.register(projectsRoutes, { prefix: '/api' });
  await app.register(reviewRoutes, { prefix: '/api', images });
  await app.register(imagesRoutes, { prefix: '/api', cacheDir: options.cacheDir, previewCacheBytes: options.previewCacheBytes, images });
  await app.register(leadRoutes, { prefix: '/api', images });
  await app.register(goldRoutes, { prefix: '/api' });
  await app.register(discussionRoutes, { prefix: '/api' });
  await app.register(dashboardRoutes, { prefix: '/api' });
  await app.register(expertReliabilityRoutes, { prefix: '/api' });
  await app.register(exportsRoutes, { prefix: '/api' });
  await app.register(itemBrowserRoutes, { prefix: '/api' });
  await app.register(usersRoutes, { prefix: '/api', passwords });

  await app.ready();
  return app;
}
