// Anchoring control (docs/AGGREGATION.md, "Anchoring control"): the project setting `modelEvidence`. With the models
// hidden, an expert gets the candidates without anything that says where they come from (models, ranks, scores,
// original and accepted labels, sources, file name) on every route that serves them the item, until they have judged
// every candidate and asked for the models (POST reveal), whose judgements are kept as sent. Each verdict records how
// it was judged, and the dashboard's measure compares the experiment's two conditions from those records.
import { modelEvidenceCondition } from '@bagel/core';
import type { DeskItem, ModelEvidenceEffectReport, ProjectList, ProjectSettings, ReviewItem, Verdict } from '@bagel/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLASSES, IMAGES, seedHandProject, verdict, type HandProject } from './hand-project';
import { createUser, login } from './synthetic-project';
import { createTestApp, readRows, type TestApp } from './test-app';

let t: TestApp;
const cookies: Record<string, string> = {};
const userIds: Record<string, number> = {};
const USERS = { ann: 'expert', bob: 'expert', cyd: 'expert', lea: 'lead', adm: 'admin' } as const;

beforeAll(async () => {
  t = await createTestApp();
  for (const [name, role] of Object.entries(USERS)) {
    await createUser(t.database, name, role, 'evidence-test-password');
    cookies[name] = await login(t.app, name, 'evidence-test-password');
    userIds[name] = (await readRows<{ id: number }>(t.database, 'SELECT id FROM users WHERE username = ?', name))[0]!.id;
  }
});
afterAll(() => t.close());

const FG = { severity: 'Minor', category: 'Fine-grained error' } as const;
const SP = { severity: 'Major', category: 'Spurious Correlation' } as const;

let projects = 0;
const newProject = () => seedHandProject(t.database, `evidence-${++projects}`);
const itemOf = (p: HandProject, n: 2 | 3 | 5 | 6) => p.items[IMAGES[n - 1]!.file]!;

const request = (user: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, payload?: object) =>
  t.app.inject({ method, url, headers: { cookie: cookies[user]! }, ...(payload === undefined ? {} : { payload }) });
const setEvidence = async (p: HandProject, modelEvidence: string): Promise<ProjectSettings> => {
  const res = await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { modelEvidence });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const item = async (user: string, itemId: number): Promise<ReviewItem> => {
  const res = await request(user, 'GET', `/api/items/${itemId}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};
const reveal = (user: string, itemId: number, labels: Record<string, string>) => request(user, 'POST', `/api/items/${itemId}/reveal`, { labels });
const submit = async (user: string, itemId: number, body: object): Promise<Verdict> => {
  const res = await request(user, 'POST', `/api/items/${itemId}/verdicts`, body);
  expect(res.statusCode, `${user}: ${res.body}`).toBe(201);
  return res.json();
};
const keys = (...names: (keyof typeof CLASSES)[]) => names.map((name) => CLASSES[name].key);
const labelsOf = (entries: Partial<Record<keyof typeof CLASSES, string>>) => Object.fromEntries(Object.entries(entries).map(([name, j]) => [CLASSES[name as keyof typeof CLASSES].key, j]));

/** Nothing in an answer says where a class comes from: no model's name, no display name, no image file, no rank or score. */
function expectNothingOfTheModels(body: string) {
  for (const leak of ['model-a', 'model-b', 'MODEL-A', 'MODEL-B', 'ILSVRC2012_val', '"rank"', '"score"', '"original"', '"accepted"']) expect(body).not.toContain(leak);
}

describe('the setting', () => {
  it('is shown by default, changes alone without re-aggregating, shows in the project list, and refuses what it is not', async () => {
    const p = await newProject();
    const listed = async () => ((await request('ann', 'GET', '/api/projects')).json() as ProjectList).projects.find((s) => s.id === p.projectId)!;
    expect((await listed()).modelEvidence).toBe('shown');
    const settings = await setEvidence(p, 'experiment');
    expect(settings).toMatchObject({ modelEvidence: 'experiment', quorum: { kind: 'majority' }, panel: { mode: 'fixed' }, reaggregatedItems: 0, reaggregation: null });
    expect((await listed()).modelEvidence).toBe('experiment');

    for (const body of [{ modelEvidence: 'hidden' }, { modelEvidence: 'experiment', modelEvidance: 'shown' }, {}]) {
      const res = await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await request('lea', 'PATCH', `/api/projects/${p.projectId}/settings`, { modelEvidence: 'shown' })).statusCode).toBe(403);
    expect((await listed()).modelEvidence).toBe('experiment');
  });
});

describe('hidden until judged', () => {
  let p: HandProject;
  let fox: number;
  beforeAll(async () => {
    p = await newProject();
    await setEvidence(p, 'hidden-until-judged');
    fox = itemOf(p, 5);
  });

  it('serves the item without models, labels, sources or file, on every route an expert reads it from', async () => {
    const shown = await item('ann', fox);
    expect(shown.modelEvidence).toEqual({ hidden: true, revealedAt: null });
    expect(shown.models).toEqual([]);
    expect(shown.originalLabel).toBeNull();
    expect(shown.acceptedLabels).toEqual([]);
    expect(shown.image.file).toBe('');
    // Every candidate is there (original fox, A's wagon, B's bus), none saying where it comes from.
    expect(shown.candidates.map((c) => c.key).sort()).toEqual(keys('fox', 'car', 'bus').sort());
    for (const candidate of shown.candidates) expect(candidate.sources).toEqual([]);
    expectNothingOfTheModels((await request('ann', 'GET', `/api/items/${fox}`)).body);

    // The queue hands items out the same way, and so does the claim ahead.
    const next = await request('bob', 'GET', `/api/projects/${p.projectId}/next`);
    expect(next.statusCode).toBe(200);
    expect((next.json() as ReviewItem).modelEvidence.hidden).toBe(true);
    expectNothingOfTheModels(next.body);
    const ahead = await request('bob', 'GET', `/api/projects/${p.projectId}/next?after=${(next.json() as ReviewItem).id}`);
    expect(ahead.statusCode).toBe(200);
    expectNothingOfTheModels(ahead.body);
    // A draft saved meanwhile is answered with nothing more.
    const draft = await request('ann', 'PUT', `/api/items/${fox}/draft`, {
      baseRevision: 0,
      labels: labelsOf({ fox: 'correct' }),
      addedKeys: [],
      mistakes: {},
      problematic: false,
      problematicReason: '',
      comment: '',
    });
    expect(draft.statusCode, draft.body).toBe(200);
    expectNothingOfTheModels(draft.body);
    expectNothingOfTheModels((await request('ann', 'GET', `/api/items/${fox}`)).body);
  });

  it('shows the lead’s desk and an admin everything', async () => {
    const desk = await request('lea', 'GET', `/api/items/${itemOf(p, 6)}/desk`);
    expect(desk.statusCode, desk.body).toBe(200);
    const deskItem = (desk.json() as DeskItem).item;
    expect(deskItem.modelEvidence.hidden).toBe(false);
    expect(deskItem.models.map((m) => m.model)).toEqual(['model-a', 'model-b']);
    const asAdmin = await item('adm', fox);
    expect(asAdmin.modelEvidence.hidden).toBe(false);
    expect(asAdmin.originalLabel?.key).toBe(CLASSES.fox.key);
  });

  it('reveals the models once every candidate is judged, keeping the judgements as sent the first time', async () => {
    const partial = await reveal('ann', fox, labelsOf({ fox: 'correct', car: 'wrong' }));
    expect(partial.statusCode).toBe(400);
    expect(partial.json()).toMatchObject({ code: 'CANDIDATES_NOT_JUDGED', missing: keys('bus') });
    const unknown = await reveal('ann', fox, { ...labelsOf({ fox: 'correct', car: 'wrong', bus: 'wrong' }), n99999999: 'wrong' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'UNKNOWN_CLASS' });
    const notJudgement = await reveal('ann', fox, labelsOf({ fox: 'maybe', car: 'wrong', bus: 'wrong' }));
    expect(notJudgement.statusCode).toBe(400);
    expect(await readRows(t.database, 'SELECT * FROM model_reveals WHERE item_id = ?', fox)).toEqual([]);

    // Ann first judges the wagon (model A's top-1) correct as well, with the models hidden.
    const blind = labelsOf({ fox: 'correct', car: 'correct', bus: 'wrong' });
    const res = await reveal('ann', fox, blind);
    expect(res.statusCode, res.body).toBe(200);
    const revealed = res.json() as ReviewItem;
    expect(revealed.modelEvidence.hidden).toBe(false);
    expect(revealed.modelEvidence.revealedAt).not.toBeNull();
    expect(revealed.models.map((m) => m.model)).toEqual(['model-a', 'model-b']);
    expect(revealed.originalLabel?.key).toBe(CLASSES.fox.key);
    expect(revealed.image.file).toBe(IMAGES[4]!.file);
    // From then on the item is served with its models.
    expect((await item('ann', fox)).models).toHaveLength(2);
    // A second reveal stores nothing more: the first judgements stand.
    expect((await reveal('ann', fox, labelsOf({ fox: 'correct', car: 'wrong', bus: 'wrong' }))).statusCode).toBe(200);
    const stored = await readRows<{ user_id: number; labels: string }>(t.database, 'SELECT user_id, labels FROM model_reveals WHERE item_id = ?', fox);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.user_id).toBe(userIds.ann);
    expect(JSON.parse(stored[0]!.labels)).toEqual(blind);

    // Her verdict, after seeing the models, differs (the wagon is wrong after all); it says how she judged.
    const stored1 = await submit('ann', fox, verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP }));
    expect(stored1.modelsHidden).toBe(true);
    // Bob was never served the models hidden on an item he did not reveal: a verdict without a reveal says shown.
    expect((await submit('bob', itemOf(p, 6), verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }))).modelsHidden).toBe(false);

    // The archive keeps both, and the project's setting.
    const archive = await request('lea', 'GET', `/api/projects/${p.projectId}/exports/bagel`);
    expect(archive.statusCode).toBe(200);
    const body = JSON.parse(archive.body) as { project: { modelEvidence: string }; items: { itemId: number; verdicts: { expert: string; modelsHidden: boolean }[] }[] };
    expect(body.project.modelEvidence).toBe('hidden-until-judged');
    expect(body.items.find((i) => i.itemId === fox)!.verdicts).toMatchObject([{ expert: 'ann', modelsHidden: true }]);
    expect(body.items.find((i) => i.itemId === itemOf(p, 6))!.verdicts).toMatchObject([{ expert: 'bob', modelsHidden: false }]);
  });

  it('answers an item shown anyway as it is, storing nothing', async () => {
    const q = await newProject();
    const res = await reveal('ann', itemOf(q, 5), labelsOf({ fox: 'correct' }));
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as ReviewItem).models).toHaveLength(2);
    expect(await readRows(t.database, 'SELECT * FROM model_reveals WHERE item_id = ?', itemOf(q, 5))).toEqual([]);
    // And its verdicts record the models as shown.
    expect((await submit('ann', itemOf(q, 5), verdict({ fox: 'correct', car: 'wrong', bus: 'wrong' }, { 'model-a': FG, 'model-b': SP }))).modelsHidden).toBe(false);
  });

  it('refuses a reveal to an admin, who does not judge', async () => {
    expect((await reveal('adm', fox, {})).statusCode).toBe(403);
  });
});

describe('class examples while the models are hidden', () => {
  it('leave out the image of an item the expert holds unrevealed, which would tell its original label, and only for them', async () => {
    const q = await newProject();
    await setEvidence(q, 'hidden-until-judged');
    const fox = itemOf(q, 5);
    const imageId = (await item('adm', fox)).image.id;
    const examples = async (user: string) => {
      const res = await request(user, 'GET', `/api/projects/${q.projectId}/classes/${CLASSES.fox.key}/images`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json() as { total: number; rows: { imageId: number }[] };
      return { total: page.total, ids: page.rows.map((r) => r.imageId) };
    };
    // Fox is the original label of image 5 only: its examples are that image.
    expect(await examples('cyd')).toEqual({ total: 1, ids: [imageId] });
    const claim = await request('cyd', 'POST', `/api/items/${fox}/claim`, {});
    expect(claim.statusCode, claim.body).toBe(200);
    expect(await examples('cyd')).toEqual({ total: 0, ids: [] });
    // Others, who do not hold it, see the class as it is; so does Cyd once she asked for the models.
    expect(await examples('ann')).toEqual({ total: 1, ids: [imageId] });
    expect((await reveal('cyd', fox, labelsOf({ fox: 'correct', car: 'wrong', bus: 'wrong' }))).statusCode).toBe(200);
    expect(await examples('cyd')).toEqual({ total: 1, ids: [imageId] });
    // With the models shown, nothing is left out.
    const bobClaim = await request('bob', 'POST', `/api/items/${fox}/claim`, {});
    expect(bobClaim.statusCode, bobClaim.body).toBe(200);
    expect(await examples('bob')).toEqual({ total: 0, ids: [] });
    await setEvidence(q, 'shown');
    expect(await examples('bob')).toEqual({ total: 1, ids: [imageId] });
  });
});

describe('the experiment and its measure', () => {
  it('draws each expert’s condition per item, and measures each model on the first verdicts as judged before the models were seen', async () => {
    const p = await newProject();
    await setEvidence(p, 'experiment');
    const experts = ['ann', 'bob', 'cyd'] as const;
    // Image 3: original dog; A says fox, B says coffee mug. Image 6: original cup; A cup (right), B bus.
    // Every expert judges the original correct and B's top-1 wrong; A's top-1 on image 3 is judged correct before
    // the models are seen, and wrong in the verdict (which only the hidden condition can tell apart).
    const expected: Record<'shown' | 'hidden', { a: [number, number]; b: [number, number] }> = { shown: { a: [0, 0], b: [0, 0] }, hidden: { a: [0, 0], b: [0, 0] } };
    let hiddenSeen = 0;
    for (const n of [3, 6] as const) {
      const itemId = itemOf(p, n);
      for (const user of experts) {
        const condition = modelEvidenceCondition('experiment', itemId, userIds[user]!);
        const served = await item(user, itemId);
        expect(served.modelEvidence.hidden, `${user} on image ${n}`).toBe(condition === 'hidden');
        if (condition === 'hidden') {
          hiddenSeen += 1;
          expectNothingOfTheModels(JSON.stringify(served));
          const blind = n === 3 ? labelsOf({ dog: 'correct', fox: 'correct', cup: 'wrong' }) : labelsOf({ cup: 'correct', bus: 'wrong' });
          expect((await reveal(user, itemId, blind)).statusCode).toBe(200);
        } else {
          expect(served.models).toHaveLength(2);
        }
        const body =
          n === 3 ? verdict({ dog: 'correct', fox: 'wrong', cup: 'wrong' }, { 'model-a': FG, 'model-b': SP }) : verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG });
        expect((await submit(user, itemId, body)).modelsHidden).toBe(condition === 'hidden');
        // Model A's top-1 judged correct: on image 3 only with the models hidden (before the reveal); on image 6 always.
        const tally = expected[condition];
        tally.a[1] += 1;
        tally.b[1] += 1;
        if (n === 6 || condition === 'hidden') tally.a[0] += 1;
      }
    }
    // 6 draws: the experiment hid some and showed some here (the hash of these ids); the test needs both.
    expect(hiddenSeen).toBeGreaterThan(0);
    expect(hiddenSeen).toBeLessThan(6);

    const res = await request('lea', 'GET', `/api/projects/${p.projectId}/model-evidence-effect`);
    expect(res.statusCode, res.body).toBe(200);
    const report = res.json() as ModelEvidenceEffectReport;
    expect(report.modelEvidence).toBe('experiment');
    expect(report.verdicts).toEqual({ shown: 6 - hiddenSeen, hidden: hiddenSeen });
    const [a, b] = report.models;
    expect(a!.model).toBe('model-a');
    expect(a!.displayName).toBe('MODEL-A');
    expect([a!.acceptTop1.shown.k, a!.acceptTop1.shown.n]).toEqual(expected.shown.a);
    expect([a!.acceptTop1.hidden.k, a!.acceptTop1.hidden.n]).toEqual(expected.hidden.a);
    expect([b!.acceptTop1.shown.k, b!.acceptTop1.shown.n]).toEqual([0, 6 - hiddenSeen]);
    expect([b!.acceptTop1.hidden.k, b!.acceptTop1.hidden.n]).toEqual([0, hiddenSeen]);
    const rate = ([k, n]: [number, number]) => k / n;
    expect(a!.acceptTop1.difference!.estimate).toBeCloseTo(rate(expected.shown.a) - rate(expected.hidden.a), 10);
    expect(a!.acceptTop1.reading).toMatch(/^With the models shown, experts judged MODEL-A's top-1 correct /);
    // Both items are agreed (three matching verdicts): final. The final labels have A's fox wrong on image 3 and
    // A's cup correct on image 6, so the hidden judgements of image 3 disagree with them and every other agrees.
    const hidden3 = experts.filter((user) => modelEvidenceCondition('experiment', itemOf(p, 3), userIds[user]!) === 'hidden').length;
    expect([a!.agreeWithFinal.hidden.k, a!.agreeWithFinal.hidden.n]).toEqual([hiddenSeen - hidden3, hiddenSeen]);
    expect([a!.agreeWithFinal.shown.k, a!.agreeWithFinal.shown.n]).toEqual([6 - hiddenSeen, 6 - hiddenSeen]);

    // Experts do not read it; a project without the experiment has nothing to compare.
    expect((await request('ann', 'GET', `/api/projects/${p.projectId}/model-evidence-effect`)).statusCode).toBe(403);
    const plain = await newProject();
    await submit('ann', itemOf(plain, 6), verdict({ cup: 'correct', bus: 'wrong' }, { 'model-b': FG }));
    const none = (await request('adm', 'GET', `/api/projects/${plain.projectId}/model-evidence-effect`)).json() as ModelEvidenceEffectReport;
    expect(none.verdicts).toEqual({ shown: 0, hidden: 0 });
    expect(none.models[0]!.acceptTop1.reading).toBe('Not measured yet: 0 verdicts with the models shown and 0 with them hidden.');
  });
});

describe('decoys', () => {
  it('adds the classes the models confuse with the original label while the models are hidden, and keeps their judgements out of every label', async () => {
    const p = await newProject();
    // Another tabby the models took for a red fox and a school bus: with image 2's Chihuahua, the classes confused
    // with "tabby". Item 2 (a tabby; A says Chihuahua) lists tabby and Chihuahua: its decoys are the fox and the bus.
    await t.database.write(async (trx) => {
      const { id: imageId } = await trx
        .insertInto('images')
        .values({ project_id: p.projectId, position: 6, file: 'ILSVRC2012_val_00000007.JPEG', original_class_idx: CLASSES.cat.index })
        .returning('id')
        .executeTakeFirstOrThrow();
      const models = await trx.selectFrom('models').select('id').where('project_id', '=', p.projectId).orderBy('position').execute();
      await trx
        .insertInto('predictions')
        .values([
          { image_id: imageId, model_id: models[0]!.id, rank: 1, class_idx: CLASSES.fox.index, score: 0.6 },
          { image_id: imageId, model_id: models[1]!.id, rank: 1, class_idx: CLASSES.bus.index, score: 0.6 },
        ])
        .execute();
    });
    const tabby = itemOf(p, 2);
    // With the models shown, no decoy.
    expect((await item('ann', tabby)).candidates.map((c) => c.key).sort()).toEqual(keys('cat', 'dog').sort());
    await setEvidence(p, 'hidden-until-judged');
    const res = await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { decoys: 2 });
    expect(res.statusCode, res.body).toBe(200);
    expect((res.json() as ProjectSettings).decoys).toBe(2);
    expect((await request('adm', 'PATCH', `/api/projects/${p.projectId}/settings`, { decoys: 6 })).statusCode).toBe(400);

    const hidden = await item('ann', tabby);
    expect(hidden.candidates.map((c) => c.key).sort()).toEqual(keys('cat', 'dog', 'fox', 'bus').sort());
    for (const candidate of hidden.candidates) expect(candidate.sources).toEqual([]);
    // Every candidate, decoys included, is judged before the models are shown.
    expect((await reveal('ann', tabby, labelsOf({ cat: 'correct', dog: 'wrong', fox: 'correct' }))).json()).toMatchObject({ code: 'CANDIDATES_NOT_JUDGED', missing: keys('bus') });
    const revealed = (await reveal('ann', tabby, labelsOf({ cat: 'correct', dog: 'wrong', fox: 'correct', bus: 'wrong' }))).json() as ReviewItem;
    expect(revealed.candidates.map((c) => c.key)).toEqual(keys('cat', 'dog'));
    const [kept] = await readRows<{ labels: string }>(t.database, 'SELECT labels FROM model_reveals WHERE item_id = ?', tabby);
    expect(JSON.parse(kept!.labels)).toEqual(labelsOf({ cat: 'correct', dog: 'wrong' }));
    expect(await readRows(t.database, 'SELECT class_key, judgement FROM decoy_judgements WHERE item_id = ? ORDER BY class_key', tabby)).toEqual([
      { class_key: CLASSES.fox.key, judgement: 'correct' },
      { class_key: CLASSES.bus.key, judgement: 'wrong' },
    ].sort((a, b) => a.class_key.localeCompare(b.class_key)));
    // The verdict as the screen sends it (its draft still holds the decoys) is stored without them.
    const stored = await submit('ann', tabby, verdict({ cat: 'correct', dog: 'wrong', fox: 'correct', bus: 'wrong' }, { 'model-a': FG }));
    expect(stored.labels).toEqual(labelsOf({ cat: 'correct', dog: 'wrong' }));
    const report = (await request('lea', 'GET', `/api/projects/${p.projectId}/model-evidence-effect`)).json() as ModelEvidenceEffectReport;
    expect(report.decoys).toBe(2);
    expect(report.decoyAccepts).toEqual([{ expert: 'ann', accepted: expect.objectContaining({ k: 1, n: 2, rate: 0.5 }) }]);
  });
});

