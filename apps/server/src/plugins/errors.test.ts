import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import errors, { ApiError, errorBody, listIssues, MAX_ERROR_MESSAGE_LENGTH, MAX_LISTED_ISSUES } from './errors';

describe('error answers', () => {
  it('list the first problems, each cut, and count the rest', () => {
    expect(listIssues(['a: bad', 'b: bad'])).toBe('a: bad; b: bad');
    const many = Array.from({ length: 12_345 }, (_, i) => `body.labels.k${i}: ${'x'.repeat(i === 0 ? 1_000 : 5)}`);
    const message = listIssues(many);
    expect(message.split('; ')).toHaveLength(MAX_LISTED_ISSUES + 1);
    expect(message).toMatch(/^body\.labels\.k0: x+…; body\.labels\.k1: xxxxx; /);
    expect(message).toMatch(/; and 12,335 more problems$/);
    expect(message.length).toBeLessThan(2_500);
  });

  it('bound the message and a list of issues in the details, whatever made them', () => {
    const body = errorBody(400, 'y'.repeat(100_000), 'INVALID_VERDICT', { issues: Array.from({ length: 500 }, (_, i) => ({ field: `f${i}` })) });
    expect(body.message).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(body.message.endsWith('…')).toBe(true);
    expect(body).toMatchObject({ issuesTotal: 500 });
    expect((body as Record<string, unknown>).issues).toHaveLength(MAX_LISTED_ISSUES);
    expect(errorBody(400, 'short', 'X', { issues: [1, 2] })).toEqual({ statusCode: 400, error: 'Bad Request', message: 'short', code: 'X', issues: [1, 2] });
  });

  it('never pass on a client error that carries a system error’s detail (a server path)', async () => {
    const app = Fastify();
    await app.register(errors);
    const systemError = () => Object.assign(new Error("ENOENT: no such file or directory, stat '/srv/bagel/secret/file.jpg'"), { code: 'ENOENT', errno: -2, syscall: 'stat', path: '/srv/bagel/secret/file.jpg' });
    // As a library wraps one into an HTTP error (http-errors: the same object, with a status, not to be exposed).
    app.get('/wrapped', async () => {
      throw Object.assign(systemError(), { status: 404, statusCode: 404, expose: false });
    });
    app.get('/caused', async () => {
      throw Object.assign(new Error(`cannot read: ${systemError().message}`, { cause: systemError() }), { statusCode: 400 });
    });
    app.get('/plain', async () => {
      throw Object.assign(new Error('Body is not valid JSON'), { statusCode: 400, code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    });
    app.get('/api-error', async () => {
      throw new ApiError(409, 'Taken', 'TAKEN');
    });
    for (const [url, status, message] of [
      ['/wrapped', 404, 'Not Found'],
      ['/caused', 400, 'Bad Request'],
    ] as const) {
      const res = await app.inject({ url });
      expect(res.statusCode, url).toBe(status);
      expect(res.json(), url).toEqual({ statusCode: status, error: message, message });
      expect(res.body, url).not.toContain('/srv');
    }
    expect((await app.inject({ url: '/plain' })).json()).toMatchObject({ statusCode: 400, message: 'Body is not valid JSON', code: 'FST_ERR_CTP_INVALID_JSON_BODY' });
    expect((await app.inject({ url: '/api-error' })).json()).toEqual({ statusCode: 409, error: 'Conflict', message: 'Taken', code: 'TAKEN' });
    await app.close();
  });
});
