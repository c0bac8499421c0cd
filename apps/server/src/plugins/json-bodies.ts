import fp from 'fastify-plugin';
import type { IncomingHttpHeaders } from 'node:http';
import { ApiError } from './errors';

/** Methods whose requests carry no body Fastify would read. */
const BODYLESS = new Set(['GET', 'HEAD', 'TRACE']);

const hasBody = (headers: IncomingHttpHeaders) =>
  headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');

/** `application/json` from `Application/JSON; charset=utf-8`. */
const mediaTypeOf = (contentType: string) => contentType.split(';', 1)[0]!.trim().toLowerCase();

/** A type as the client sent it, cut to a length fit for a message. */
const shown = (contentType: string) => (contentType.length > 80 ? `${contentType.slice(0, 80)}…` : contentType);

/**
 * The API reads request bodies as JSON and nothing else: a request that has a body, or names a content type, on any
 * method but GET/HEAD/TRACE must say `Content-Type: application/json` (any case, with parameters such as a charset),
 * or it is refused with 415 UNSUPPORTED_MEDIA_TYPE before anything else looks at it (authentication, rate limits,
 * the route). Without this, Fastify would also parse text/plain, and a route without a body schema (an admin's
 * password reset) would run on a form post or a plain-text body. A request without a body and without a type (a
 * password reset, a skip, a logout) is fine.
 */
export default fp(
  async function jsonBodiesPlugin(app) {
    // Never reached past the hook below; removed so that no route can ever receive a string body.
    app.removeContentTypeParser('text/plain');
    app.addHook('onRequest', (request, _reply, done) => {
      if (BODYLESS.has(request.method)) return done();
      const contentType = request.headers['content-type'];
      if (contentType === undefined) {
        if (!hasBody(request.headers)) return done();
        return done(new ApiError(415, 'The request has a body without a Content-Type: send it as JSON, with Content-Type: application/json', 'UNSUPPORTED_MEDIA_TYPE'));
      }
      if (mediaTypeOf(contentType) === 'application/json') return done();
      done(new ApiError(415, `Send the request body as JSON, with Content-Type: application/json (not ${shown(contentType)})`, 'UNSUPPORTED_MEDIA_TYPE'));
    });
  },
  { name: 'json-bodies', dependencies: ['errors'] },
);
