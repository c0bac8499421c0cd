/**
 * Requests sent before the app's code has loaded (app/early-start.ts, run by the small entry script while the
 * browser downloads, parses and runs the rest), each handed to the app's first request for the same path
 * (api-client.ts): the app fetches nothing twice, and waits for none of its first answers in series behind its own
 * start. An early request is handed out once, and only in the first seconds of the page: later, the app asks again.
 */

/** How long after it was sent an early request may still stand for the app's. */
const HANDED_OUT_WITHIN_MS = 10_000;

interface Early {
  response: Promise<Response>;
  sentAt: number;
}

const early = new Map<string, Early>();

export interface EarlyRequest {
  /** The answer, for the app (its body unread). */
  response: Promise<Response>;
  /** The answer's JSON when it is a 2xx, else null (read from a copy: the app reads the body itself). */
  json: Promise<unknown>;
}

/** Sends GET `path` as the app would (session cookie, JSON), for the app's first request of it. */
export function sendEarly(path: string): EarlyRequest {
  const response = fetch(path, { credentials: 'include', headers: { accept: 'application/json' } });
  // The copy is taken in the first reaction to the answer, before anyone can read its body.
  const json = response.then((r) => (r.ok && r.status !== 204 ? r.clone().json() : null)).catch(() => null);
  // A failure is the app's to report, when it takes the answer.
  response.catch(() => undefined);
  early.set(path, { response, sentAt: performance.now() });
  return { response, json };
}

/** The early answer for GET `path`, once, if it was sent in the page's first seconds; else undefined (the app sends its own). */
export function takeEarly(path: string): Promise<Response> | undefined {
  const found = early.get(path);
  if (!found) return undefined;
  early.delete(path);
  return performance.now() - found.sentAt < HANDED_OUT_WITHIN_MS ? found.response : undefined;
}

/** Forgets an early request nobody should take (e.g. the projects of a visitor who turned out to be signed out). */
export function forgetEarly(path?: string): void {
  if (path === undefined) early.clear();
  else early.delete(path);
}
