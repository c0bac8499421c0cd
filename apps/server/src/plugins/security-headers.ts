import fp from 'fastify-plugin';
import helmet from 'helmet';

/**
 * Security headers on every answer (helmet), so that text typed by users, which React already escapes, has a second
 * line of defence, and no other site can frame Bagel to trick a reviewer into clicks:
 * - a Content-Security-Policy that lets the page load scripts, styles, images and data from this server only
 *   (inline styles allowed: the SPA and the OpenAPI viewer set element styles; no inline scripts), and nobody frame it;
 * - nosniff, a same-origin referrer policy, and same-origin opener and resource policies.
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
      // helmet sets the headers synchronously and throws rather than passing an error on.
      setHeaders(request.raw, reply.raw, () => done());
    });
  },
  { name: 'security-headers' },
);
