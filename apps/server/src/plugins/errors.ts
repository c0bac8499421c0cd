import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { STATUS_CODES } from 'node:http';

/** An error a route answers with on purpose: its status, a message for a person, and optional machine-readable fields. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly code?: string,
    readonly details: Record<string, unknown> = {},
    /** Headers to send with it, e.g. Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, code = 'BAD_REQUEST') => new ApiError(400, message, code);
export const unauthorized = (message = 'Sign in first') => new ApiError(401, message, 'UNAUTHORIZED');
export const forbidden = (message: string) => new ApiError(403, message, 'FORBIDDEN');
export const notFound = (message: string) => new ApiError(404, message, 'NOT_FOUND');
export const conflict = (message: string, code: string, details: Record<string, unknown> = {}) => new ApiError(409, message, code, details);

export function errorBody(statusCode: number, message: string, code?: string, details: Record<string, unknown> = {}) {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message, ...(code ? { code } : {}), ...details };
}

/** `body.labels.n01440764` from the validation context and a JSON pointer. */
function fieldPath(context: string | undefined, instancePath: string): string {
  const parts = instancePath.split('/').filter(Boolean);
  return [context ?? 'request', ...parts].join('.');
}

/**
 * One error handler for the whole API, so every failure has the contract's ErrorResponse shape: schema violations
 * become 400 with every field path, deliberate ApiErrors keep their status, other client errors (bad JSON, wrong
 * content type, rate limit) pass through, and anything else is a logged 500 that reveals no internals.
 */
export default fp(
  async function errorsPlugin(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
      if (hasZodFastifySchemaValidationErrors(error)) {
        const message = error.validation.map((issue) => `${fieldPath(error.validationContext, issue.instancePath)}: ${issue.message}`).join('; ');
        return reply.code(400).send(errorBody(400, message, 'VALIDATION'));
      }
      if (error instanceof ApiError) {
        reply.headers(error.headers);
        return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message, error.code, error.details));
      }
      const status = error.statusCode ?? 500;
      if (status >= 400 && status < 500) {
        return reply.code(status).send(errorBody(status, error.message, typeof error.code === 'string' ? error.code : undefined));
      }
      request.log.error({ err: error }, 'request failed');
      return reply.code(500).send(errorBody(500, 'Internal server error', 'INTERNAL'));
    });
  },
  { name: 'errors' },
);
