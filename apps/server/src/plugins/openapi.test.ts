import Fastify from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import errors from './errors';
import openApi from './openapi';

describe('response checking', () => {
  it('refuses to send a response outside its schema: a logged 500 that reveals nothing', async () => {
    const app = Fastify();
    await app.register(errors);
    await app.register(openApi, { version: '0.0.0' });
    const routes: FastifyPluginAsyncZod = async (scope) => {
      const User = z.object({ name: z.string() });
      scope.get('/good', { schema: { response: { 200: User } } }, async () => ({ name: 'ada', extra: 'dropped' }));
      scope.get('/bad', { schema: { response: { 200: User } } }, async () => ({ name: 42 }) as never);
    };
    await app.register(routes);
    const good = await app.inject({ url: '/good' });
    expect(good.json()).toEqual({ name: 'ada' });
    const bad = await app.inject({ url: '/bad' });
    expect(bad.statusCode).toBe(500);
    expect(bad.json()).toEqual({ statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', code: 'INTERNAL' });
    await app.close();
  });
});
