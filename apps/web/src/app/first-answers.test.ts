import type { ProjectList, SessionUser } from '@bagel/contracts';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { projectsKey } from '../lib/query-keys';
import { sessionUserKey } from '../features/auth/api/get-session-user';
import { readFirstAnswers } from './first-answers';
import { createAppQueryClient } from './provider';

const ME: SessionUser = { id: 3, username: 'expert1', role: 'expert' };
const PROJECTS: ProjectList = { projects: [] };

/** The server, as the browser's fetch sees it: each path's answer after `delayMs`, and every path asked for. */
function serve(answers: Record<string, { status: number; body?: unknown }>, delayMs = 0): string[] {
  const asked: string[] = [];
  vi.stubGlobal('fetch', async (path: string) => {
    asked.push(path);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    const answer = answers[path] ?? { status: 404, body: { error: 'Not Found', message: `no ${path}` } };
    return new Response(JSON.stringify(answer.body ?? null), { status: answer.status, headers: { 'content-type': 'application/json' } });
  });
  return asked;
}

afterEach(() => vi.unstubAllGlobals());

describe('readFirstAnswers', () => {
  it('puts who is signed in and their projects in the cache before the first render, each asked for once', async () => {
    const asked = serve({ '/api/auth/me': { status: 200, body: ME }, '/api/projects': { status: 200, body: PROJECTS } });
    const client = createAppQueryClient();
    await readFirstAnswers(client);
    expect(client.getQueryData(sessionUserKey)).toMatchObject({ username: 'expert1', role: 'expert' });
    expect(client.getQueryData(projectsKey)).toEqual(PROJECTS);
    // The app's own queries then find both fresh: nothing is asked again.
    await client.fetchQuery({ queryKey: projectsKey, queryFn: () => Promise.reject(new Error('asked again')), staleTime: 30_000 });
    expect(asked).toEqual(['/api/auth/me', '/api/projects']);
  });

  it('does not ask a visitor for projects (a 401 there would end a session)', async () => {
    const asked = serve({ '/api/auth/me': { status: 401, body: { error: 'Unauthorized', message: 'Sign in', code: 'NO_SESSION' } } });
    const client = createAppQueryClient();
    await readFirstAnswers(client);
    expect(client.getQueryData(sessionUserKey)).toBeNull();
    expect(asked).toEqual(['/api/auth/me']);
  });

  it('lets the app render after 300 ms when the answers are late, and never rejects on a failure', async () => {
    serve({ '/api/auth/me': { status: 200, body: ME }, '/api/projects': { status: 200, body: PROJECTS } }, 2_000);
    const started = performance.now();
    await readFirstAnswers(createAppQueryClient());
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(performance.now() - started).toBeLessThan(1_500);
    serve({ '/api/auth/me': { status: 500, body: { error: 'Internal Server Error', message: 'down' } } });
    await expect(readFirstAnswers(createAppQueryClient())).resolves.toBeUndefined();
  });
});
