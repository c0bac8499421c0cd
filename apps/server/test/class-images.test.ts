import { ClassImagesPage } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, login, seedSyntheticProject, type SyntheticProject } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

// GET /api/projects/:projectId/classes/:classKey/images: a class's example images, through the real route.

let t: TestApp;
let project: SyntheticProject;
const cookies: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  // A small vocabulary, so each class is the original label of several images.
  project = await seedSyntheticProject(t.database, { name: 'examples', images: 60, models: 2, classes: 12, seed: 4 });
  for (const [name, role] of [['eve', 'expert'], ['lea', 'lead'], ['adm', 'admin']] as const) {
    await createUser(t.database, name, role, 'examples-password');
    cookies[name] = await login(t.app, name, 'examples-password');
  }
});
afterAll(() => t.close());

const get = (user: string | null, url: string) => t.app.inject({ url, headers: user ? { cookie: cookies[user]! } : {} });
const url = (classKey: string, query = '', projectId = project.projectId) => `/api/projects/${projectId}/classes/${classKey}/images${query}`;

/** The images whose original label is the class, in project order, read from the tables the import wrote. */
function expectedImages(classIndex: number): Promise<{ imageId: number; file: string }[]> {
  return readRows(t.database, 'SELECT id AS "imageId", file FROM images WHERE project_id = ? AND original_class_idx = ? ORDER BY position', project.projectId, classIndex);
}

describe('GET /api/projects/:projectId/classes/:classKey/images', () => {
  it('lists the images whose original label is the class, in project order, with their preview addresses', async () => {
    let nonEmpty = 0;
    for (const [index, key] of project.classKeys.entries()) {
      const res = await get('eve', url(key, '?limit=100'));
      expect(res.statusCode, res.body).toBe(200);
      const page = ClassImagesPage.parse(res.json());
      const expected = (await expectedImages(index));
      expect(page.rows.map((r) => ({ imageId: r.imageId, file: r.file })), key).toEqual(expected);
      expect(page.total).toBe(expected.length);
      for (const row of page.rows) {
        expect(Object.keys(row).sort()).toEqual(['file', 'imageId', 'previewUrl', 'thumbnailUrl']);
        expect(row.thumbnailUrl).toBe(`/api/projects/${project.projectId}/images/${row.imageId}/preview?width=256`);
        expect(row.previewUrl).toBe(`/api/projects/${project.projectId}/images/${row.imageId}/preview`);
      }
      if (expected.length > 1) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(3);
  });

  it('pages by offset and limit (24 by default)', async () => {
    let index = 0;
    while ((await expectedImages(index)).length < 3) index++;
    const key = project.classKeys[index]!;
    const all = (await expectedImages(index)).map((r) => r.imageId);
    const first = ClassImagesPage.parse((await get('eve', url(key, '?limit=2'))).json());
    const rest = ClassImagesPage.parse((await get('eve', url(key, '?limit=2&offset=2'))).json());
    expect([...first.rows, ...rest.rows].map((r) => r.imageId)).toEqual(all.slice(0, 4));
    expect(first.total).toBe(all.length);
    expect(ClassImagesPage.parse((await get('eve', url(key))).json()).limit).toBe(24);
  });

  it('answers every signed-in role; 401 without a session, 404 for an unknown class or project, 400 for a bad page', async () => {
    const key = project.classKeys[0]!;
    for (const user of ['eve', 'lea', 'adm']) expect((await get(user, url(key))).statusCode, user).toBe(200);
    expect((await get(null, url(key))).statusCode).toBe(401);
    const unknown = await get('eve', url('c9999'));
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain("Class 'c9999'");
    expect((await get('eve', url(key, '', 999))).statusCode).toBe(404);
    for (const query of ['?limit=0', '?limit=101', '?offset=-1']) expect((await get('eve', url(key, query))).statusCode, query).toBe(400);
  });
});
