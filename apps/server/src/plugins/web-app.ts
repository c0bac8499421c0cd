import fastifyStatic from '@fastify/static';
import fp from 'fastify-plugin';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { errorBody } from './errors';

/** Whether a request's URL (its path, perhaps with a query) is the API's. */
export const isApiPath = (url: string) => url === '/api' || url.startsWith('/api/') || url.startsWith('/api?');

/**
 * Serves the built single-page app and answers everything no route matched: an unknown /api path is a JSON 404;
 * any other GET that is not a file is a client-side route, so it gets the SPA's index.html. The fallback lives in
 * the not-found handler rather than a wildcard route, which would clash with @fastify/static's own.
 */
export default fp(
  async function webAppPlugin(app, options: { webDistDir?: string }) {
    const indexHtml = options.webDistDir ? join(options.webDistDir, 'index.html') : undefined;
    const hasSpa = indexHtml !== undefined && existsSync(indexHtml);
    if (hasSpa) {
      await app.register(fastifyStatic, {
        root: options.webDistDir!,
        // The build writes .br and .gz copies (apps/web/vite.config.ts): sent to browsers that accept them.
        preCompressed: true,
        // Vite's hashed assets never change; everything else (index.html) must be revalidated.
        setHeaders: (reply, path) => reply.header('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache'),
      });
    }
    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '';
      if (hasSpa && (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(path)) {
        return reply.header('Cache-Control', 'no-cache').sendFile('index.html');
      }
      const hint = !hasSpa && !isApiPath(path) ? ' (the web app is not built: run `npm run build`)' : '';
      return reply.code(404).send(errorBody(404, `Route ${request.method} ${path} not found${hint}`, 'NOT_FOUND'));
    });
  },
  { name: 'web-app' },
);
