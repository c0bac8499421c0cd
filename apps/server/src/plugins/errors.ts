import { SessionErrorCode } from '@bagel/contracts';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';
import { DatabaseBusyError, DatabaseUnavailableError } from '../db/database';

/**
 * An error a route answers with on purpose: its status, a message for a person, and optional machine-readable fields.
 * `serverDetail` is for the server's log only (a path on the server, a library's own message): never answered.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code?: string,
    readonly details: Record<string, unknown> = {},
    extra: { serverDetail?: string; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.serverDetail = extra.serverDetail;
    this.headers = extra.headers ?? {};
  }
  /** For the server's log only: never answered. */
  readonly serverDetail: string | undefined;
  /** Headers to send with the answer, e.g. Retry-After. */
  readonly headers: Record<string, string>;
}

export const badRequest = (message: string, code = 'BAD_REQUEST') => new ApiError(400, message, code);
export const unauthorized = (message = 'Sign in first') => new ApiError(401, message, SessionErrorCode.enum.UNAUTHORIZED);
export const forbidden = (message: string) => new ApiError(403, message, 'FORBIDDEN');
export const notFound = (message: string) => new ApiError(404, message, 'NOT_FOUND');
export const conflict = (message: string, code: string, details: Record<string, unknown> = {}) => new ApiError(409, message, code, details);

/** At most this many problems of one request are listed in an error answer; the rest are counted. */
export const MAX_LISTED_ISSUES = 10;
/** What one listed problem may say (its field path and message); longer is cut. */
const MAX_ISSUE_LENGTH = 200;
/** What an error message may say; longer is cut. */
export const MAX_ERROR_MESSAGE_LENGTH = 2_000;

/** `text` cut to `max` characters, marked with an ellipsis when cut. */
export const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * The contract's ErrorResponse. The message is bounded, and so is a list of `issues` in the details, since both may
 * quote the request: an error answer is never much larger than a screenful, however large the request.
 */
export function errorBody(statusCode: number, message: string, code?: string, details: Record<string, unknown> = {}) {
  const { issues } = details;
  const bounded =
    Array.isArray(issues) && issues.length > MAX_LISTED_ISSUES ? { ...details, issues: issues.slice(0, MAX_LISTED_ISSUES), issuesTotal: issues.length } : details;
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message: cut(message, MAX_ERROR_MESSAGE_LENGTH), ...(code ? { code } : {}), ...bounded };
}

/** `a: x; b: y; and 12 more problems`: the first few problems, each cut, and how many there were in all. */
export function listIssues(issues: readonly string[]): string {
  const listed = issues.slice(0, MAX_LISTED_ISSUES).map((issue) => cut(issue, MAX_ISSUE_LENGTH));
  const more = issues.length - listed.length;
  return more > 0 ? `${listed.join('; ')}; and ${more.toLocaleString('en-GB')} more problem${more === 1 ? '' : 's'}` : listed.join('; ');
}

/** `body.labels.n01440764` from the validation context and a JSON pointer; a long key (from the request) is cut. */
function fieldPath(context: string | undefined, instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean).map((part) => cut(part, 60));
  return [context ?? 'request', ...parts].join('.');
}

/**
 * Whether an error's message may carry the server's details rather than the request's: an error of the operating
 * system (`ENOENT: no such file or directory, open '/srv/...'`), possibly wrapped as a 4xx by a library (the static
 * files' `send` marks those `expose: false`).
 */
function mayNameServerPaths(error: unknown): boolean {
  for (let e = error, depth = 0; typeof e === 'object' && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const fields = e as { syscall?: unknown; errno?: unknown; path?: unknown; expose?: unknown };
    if (fields.syscall !== undefined || fields.errno !== undefined || typeof fields.path === 'string' || fields.expose === false) return true;
  }
  return false;
}

/**
 * One error handler for the whole API, so every failure has the contract's ErrorResponse shape: schema violations
 * become 400 with their field paths (the first few, each cut, and how many in all), deliberate ApiErrors keep their
 * status, other client errors (bad JSON, rate limit) pass through unless they may name server paths (then only their
 * reason phrase, the detail logged), and anything else is a logged 500 that reveals no internals. Every message is
 * bounded (errorBody).
 */
export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const message = listIssues(error.validation.map((issue) => `${fieldPath(error.validationContext, issue.instancePath)}: ${cut(issue.message ?? 'invalid', MAX_ISSUE_LENGTH)}`));
        return reply.code(400).send(errorBody(400, message, 'VALIDATION'));
      }
      if (error instanceof ApiError) {
        if (error.serverDetail !== undefined) request.log.warn({ code: error.code, detail: error.serverDetail }, error.message);
        reply.headers(error.headers);
        return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.code, error.details));
      }
      if (error instanceof DatabaseBusyError) {
        request.log.warn({ err: error }, 'no database connection came free');
        return reply.code(503).header('retry-after', '1').send(errorBody(503, 'The server is busy; try again in a moment', 'DATABASE_BUSY'));
      }
      if (error instanceof DatabaseUnavailableError) {
        request.log.warn({ err: error }, 'the database could not be reached');
        return reply.code(503).header('retry-after', '2').send(errorBody(503, 'The database cannot be reached; try again in a moment', 'DATABASE_UNAVAILABLE'));
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        if (mayNameServerPaths(error)) {
          request.log.warn({ err: error }, 'client error with a server-side detail');
          return reply.code(status).send(errorBody(status, STATUS_CODES[status] ?? 'Request refused'));
        }
        return reply.code(status).send(errorBody(status, error.message, typeof error.code === 'string' ? error.code : undefined));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody(500, 'Internal server error', 'INTERNAL'));
    });
  },
  { name: 'errors' },
);
