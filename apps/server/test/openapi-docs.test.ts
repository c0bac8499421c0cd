import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OPERATION_SUMMARIES } from '../src/plugins/openapi';
import { createUser, login } from './synthetic-project';
import { createTestApp, type TestApp } from './test-app';

// The OpenAPI document at /api/docs/json, as a reader of the API browses it.

let t: TestApp;
let doc: { paths: Record<string, Record<string, { summary?: string; description?: string; tags?: string[] }>> };

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.database, 'ada', 'admin', 'docs-password');
  const res = await t.app.inject({ url: '/api/docs/json', headers: { cookie: await login(t.app, 'ada', 'docs-password') } });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(() => t.close());

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ name: `${method.toUpperCase()} ${path}`, ...operation })),
  );

describe('OpenAPI document', () => {
  it('gives every operation a summary: one short line, no two alike, and a tag', () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(34);
    const missing = all.filter((o) => typeof o.summary !== 'string' || o.summary.trim() === '').map((o) => o.name);
    expect(missing).toEqual([]);
    for (const o of all) {
      expect(o.summary!.length, o.name).toBeLessThanOrEqual(80);
      expect(o.summary, o.name).not.toMatch(/\n|\.$/);
      expect(o.tags?.length, o.name).toBeGreaterThan(0);
    }
    const summaries = all.map((o) => o.summary);
    expect(new Set(summaries).size).toBe(summaries.length);
  });

  it('has a summary written for each operation there is, and none for an operation that is gone', () => {
    const documented = operations().map((o) => o.name.replace(/\{(\w+)\}/g, ':$1'));
    expect(Object.keys(OPERATION_SUMMARIES).sort()).toEqual(documented.sort());
  });

  it('documents an id parameter as decimal digits', () => {
    const parameters = (doc.paths['/api/items/{itemId}']!.get as unknown as { parameters: { name: string; in: string; schema: { type: string; pattern?: string } }[] }).parameters;
    expect(parameters.find((p) => p.name === 'itemId')).toMatchObject({ in: 'path', schema: { type: 'string', pattern: '^[1-9][0-9]*$' } });
  });
});
