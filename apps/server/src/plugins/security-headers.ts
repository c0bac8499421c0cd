import fp from 'fastify-plugin';
import helmet from 'helmet';
import { isApiPath } from './web-app';

/**
 * Security headers on every answer (helmet), so that text typed by users, which React already escapes, has a second
 * line of defence, and no other site can frame Bagel to trick a reviewer into clicks:
 * - a Content-Security-Policy that lets the page load scripts, styles, images and data from this server only
 *   (inline styles allowed: the SPA and the OpenAPI viewer set element styles; no inline scripts), and nobody frame it;
 * - nosniff, a same-origin referrer policy, and same-origin opener and resource policies;
 * - `Cache-Control: no-store` on every /api answer that does not set its own.
 * Two of helmet's defaults are left to the operator's reverse proxy, since Bagel is often served over plain HTTP on
 * an internal network: `upgrade-insecure-requests` (it would send the page's requests to an HTTPS port that does not
 * exist) and Strict-Transport-Security (a site-wide, long-lived HTTPS promise).
 *
 * The middleware is built once and run in one synchronous hook: @fastify/helmet builds it anew on every request,
 * which cost the cheapest API route about a third of its throughput (scripts/bench/review-loop.ts, its floor).
 */
export default fp(
  async function securityHeadersPlugin(app) {
    const setHeaders = helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          baseUri: ["'self'"],
          connectSrc: ["'self'"],
          fontSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          imgSrc: ["'self'", 'data:'],
          objectSrc: ["'none'"],
          scriptSrc: ["'self'"],
          scriptSrcAttr: ["'none'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          upgradeInsecureRequests: null,
        },
      },
      strictTransportSecurity: false,
      referrerPolicy: { policy: 'same-origin' },
    });
    app.addHook('onRequest', (request, reply, done) => {
      // API answers are personal and change with every verdict: no cache keeps them (a shared proxy, the browser's
      // disk, its back button). A route may say otherwise (images: `private, max-age`); the web app's files have their
      // own rules (web-app.ts).
      // By the path, or by the route matched (an encoded `/%61pi/...` reaches the API too).
      const route = request.routeOptions.url;
      if (isApiPath(request.url) || (route !== undefined && isApiPath(route))) reply.header('Cache-Control', 'no-store');
      // helmet sets the headers synchronously and throws rather than passing an error on.
      setHeaders(request.raw, reply.raw, () => done());
    });
  },
  { name: 'security-headers' },
);
