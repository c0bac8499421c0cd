import { ErrorResponse, StaleRevisionResponse } from '@bagel/contracts';
import { takeEarly } from './early-requests';

/** Anything that validates unknown data into a T: the contract's zod schemas. */
export interface ResponseSchema<T> {
  parse(data: unknown): T;
}

/**
 * A refusal of the API (4xx/5xx), with the server's own message for the person using the app, and the whole body of
 * the answer (the contract's ErrorResponse lets a route add fields: e.g. the current guide of a 409 STALE_GUIDE),
 * which whoever reads such a field parses with the contract's schema.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: string,
    readonly body: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** 409 on a verdict: someone (the same expert in another tab) stored a newer revision first. */
export class StaleRevisionError extends ApiError {
  constructor(
    message: string,
    readonly currentRevision: number,
  ) {
    super(409, message, 'STALE_REVISION');
    this.name = 'StaleRevisionError';
  }
}

async function readError(response: Response): Promise<ApiError> {
  let body: unknown = null;
  try {
    body = await response.json();
  } catch {
    // A proxy or a crash may answer with something that is not JSON: fall back to the status line.
  }
  const stale = StaleRevisionResponse.safeParse(body);
  if (stale.success) return new StaleRevisionError(stale.data.message, stale.data.currentRevision);
  const error = ErrorResponse.safeParse(body);
  if (error.success) {
    const message = error.data.code === 'VALIDATION' || error.data.code === 'WEAK_PASSWORD' ? humanValidationMessage(error.data.message) : error.data.message;
    return new ApiError(response.status, message, error.data.code, error.data);
  }
  return new ApiError(response.status, `The server answered ${response.status} ${response.statusText}`.trim());
}

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** More request headers (e.g. Idempotency-Key). */
  headers?: Record<string, string>;
}

/**
 * Sends a request with the session cookie; throws an ApiError unless the answer is 2xx. A plain GET sent early by the
 * entry script (early-requests.ts) is not sent again: its answer is this one's.
 */
export async function apiFetch(path: string, options: RequestOptions = {}): Promise<Response> {
  const init: RequestInit = {
    method: options.method ?? 'GET',
    credentials: 'include',
    headers: { accept: 'application/json', ...options.headers },
    signal: options.signal,
  };
  if (options.body !== undefined) {
    init.headers = { ...init.headers, 'content-type': 'application/json' };
    init.body = JSON.stringify(options.body);
  }
  const early = init.method === 'GET' && options.headers === undefined ? takeEarly(path) : undefined;
  let response: Response;
  try {
    response = await (early ?? fetch(path, init));
  } catch (cause) {
    // Aborted by the caller; a timeout (TimeoutError) is a connection that did not answer, like one that failed.
    if (cause instanceof DOMException && cause.name === 'AbortError') throw cause;
    throw new ApiError(0, 'The server cannot be reached. Check your connection and try again.');
  }
  if (!response.ok) throw await readError(response);
  return response;
}

/** Parses a JSON answer with the contract's schema, so a drift between server and app fails loudly here. */
export async function parseJson<T>(response: Response, schema: ResponseSchema<T>): Promise<T> {
  return schema.parse(await response.json());
}

export async function apiJson<T>(path: string, schema: ResponseSchema<T>, options?: RequestOptions): Promise<T> {
  return parseJson(await apiFetch(path, options), schema);
}

/** The message to show for any error thrown by a fetcher. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return `Unexpected answer from the server: ${error.message}`;
  return 'Something went wrong.';
}

/** `newPassword` → "new password". */
const fieldWords = (name: string) => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').toLowerCase();
const sentence = (text: string) => {
  const trimmed = text.trim().replace(/[.;:]+$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
};

/**
 * The server's 400 VALIDATION message, for a person: "body.password: a password needs at least 8 characters" becomes
 * "A password needs at least 8 characters." (the request's internal field path goes; the field's name stays, in words,
 * when the message does not already say it). Several problems, separated by "; ", each become a sentence.
 */
export function humanValidationMessage(message: string): string {
  const sentences = message.split('; ').map((part) => {
    const found = /^(?:body|query|params|headers|request)(?:\.[^\s:]+)*: (.+)$/s.exec(part);
    if (!found) return sentence(part);
    const path = part.slice(0, part.length - found[1]!.length - 2).split('.').slice(1);
    const field = path.filter((segment) => !/^\d+$/.test(segment)).at(-1);
    const words = field ? fieldWords(field) : '';
    const text = found[1]!;
    return sentence(!words || text.toLowerCase().includes(words.split(' ').at(-1)!) ? text : `${words}: ${text}`);
  });
  return [...new Set(sentences)].join(' ');
}
