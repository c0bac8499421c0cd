import {
  AggregationModel,
  ClassImagesPage,
  ClassImagesQuery,
  ClassParams,
  ErrorResponse,
  type ModelEvidence,
  ProjectList,
  ProjectGuide,
  ProjectParams,
  ProjectSettings,
  ProjectSettingsRequest,
  UpdateGuideRequest,
  VocabularyResponse,
} from '@bagel/contracts';
import { modelEvidenceCondition } from '@bagel/core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import { conflict, notFound } from '../../plugins/errors';
import { imageUrls } from '../images/image-urls';
import { createClassImagesRepository } from './class-images.repository';
import { createGuidesRepository } from './guides.repository';
import { createProjectSettingsService } from './project-settings.service';
import { projectCatalog } from './project-catalog';
import { createProjectsRepository } from './projects.repository';
import { noneMatchHolds, preferredCoding, vocabularyBody } from './vocabulary-body';

export const projectsRoutes: FastifyPluginAsyncZod = async (app) => {
  const { database } = app;
  const catalog = projectCatalog(database);
  const settings = createProjectSettingsService(database, { now: app.now, reaggregation: app.reaggregation, estimation: app.estimation });
  const classImages = createClassImagesRepository(database.queries);
  const guides = createGuidesRepository(database.queries);
  const findEntry = async (projectId: number) => {
    const entry = await catalog.get(projectId);
    if (!entry) throw notFound(`Project ${projectId} not found`);
    return entry;
  };

  /**
   * The images the user must not find among a class's examples: those of the items they hold with the models hidden,
   * whose original label the examples would otherwise give away (the item's own image listed under its class, and
   * the count one higher there). Admins never judge with the models hidden.
   */
  const hiddenImagesOf = async (project: { id: number; modelEvidence: ModelEvidence }, user: { id: number; role: string }): Promise<number[]> => {
    if (project.modelEvidence === 'shown' || user.role === 'admin') return [];
    const held = await classImages.heldUnrevealed(project.id, user.id, app.now());
    return held.filter(({ itemId }) => modelEvidenceCondition(project.modelEvidence, itemId, user.id) === 'hidden').map(({ imageId }) => imageId);
  };

  app.get('/projects', { schema: { tags: ['projects'], response: { 200: ProjectList } } }, async (request) => ({
    // Every project's figures from one state of the database.
    projects: await database.snapshot((trx) => createProjectsRepository(trx).summaries(currentUser(request))),
  }));

  // The whole vocabulary at once: the web app searches it as the expert types, with no round trip per keystroke. Made
  // once per vocabulary (vocabulary-body.ts), compressed, and kept by the browser, which asks again with its ETag.
  app.get(
    '/projects/:projectId/classes',
    {
      schema: {
        tags: ['projects'],
        description:
          "The project's whole vocabulary. Sent Brotli- or gzip-compressed to a client that accepts it, with a strong ETag derived from the class list (it changes only when the classes do) and `Cache-Control: private, no-cache`: the browser keeps it and asks again with If-None-Match, answered 304 with no body while the class list is the same.",
        params: ProjectParams,
        response: { 200: VocabularyResponse, 304: z.null().describe('Not modified: the ETag in If-None-Match is current (no body)'), 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const body = vocabularyBody((await findEntry(request.params.projectId)).vocabulary);
      const coding = preferredCoding(request.headers['accept-encoding']);
      // Kept by this browser only (the answer needs a session), and checked with the server before each use.
      reply.header('Cache-Control', 'private, no-cache').header('Vary', 'Accept-Encoding').header('ETag', body.etag(coding));
      if (noneMatchHolds(request.headers['if-none-match'], body)) return reply.code(304).send(null);
      if (coding !== 'identity') reply.header('Content-Encoding', coding);
      // Bytes checked against the contract when they were made (vocabularyBody): Fastify sends a Buffer as it is.
      return reply.type('application/json; charset=utf-8').send((await body.encoded(coding)) as unknown as VocabularyResponse);
    },
  );

  // Other images of a class, to compare with while judging whether it is in an image. Original labels only: every
  // reviewer sees an image's original label anyway (except with the models hidden, below), so this tells nothing of
  // any verdict.
  app.get(
    '/projects/:projectId/classes/:classKey/images',
    {
      schema: {
        tags: ['projects'],
        description:
          "Images of the project whose original label is the class, in the project's order, a page at a time: examples to compare with while judging. Nothing of any verdict. Never the image of an item the user holds with the models hidden (modelEvidence; docs/AGGREGATION.md, \"Anchoring control\"): listed under a class, it would tell its original label. 404 for an unknown class key.",
        params: ClassParams,
        querystring: ClassImagesQuery,
        response: { 200: ClassImagesPage, 404: ErrorResponse },
      },
    },
    async (request) => {
      const { projectId, classKey } = request.params;
      const entry = await findEntry(projectId);
      const cls = entry.vocabulary.byKey(classKey);
      if (!cls) throw notFound(`Class '${classKey}' is not in the vocabulary of project ${projectId}`);
      const { offset, limit } = request.query;
      const { total, rows } = await classImages.page(projectId, cls.index, offset, limit, await hiddenImagesOf(entry.project, currentUser(request)));
      return {
        total,
        offset,
        limit,
        rows: rows.map(({ id, file }) => {
          const urls = imageUrls(projectId, id);
          return { imageId: id, file, thumbnailUrl: urls.tileUrl, previewUrl: urls.previewUrl };
        }),
      };
    },
  );

  app.get(
    '/projects/:projectId/guide',
    {
      schema: {
        tags: ['projects'],
        description: "The project's labeling guide, as the lead last wrote it (revision 0 and empty text while there is none). Everyone on the project.",
        params: ProjectParams,
        response: { 200: ProjectGuide, 404: ErrorResponse },
      },
    },
    async (request) => guides.current((await findEntry(request.params.projectId)).project.id),
  );

  app.put(
    '/projects/:projectId/guide',
    {
      preHandler: requireRole('lead', 'admin'),
      schema: {
        tags: ['projects'],
        description:
          'Writes a new revision of the guide; every revision is kept. 409 STALE_GUIDE (with the current guide) when `baseRevision` is not the current revision: someone saved meanwhile. Leads and admins.',
        params: ProjectParams,
        body: UpdateGuideRequest,
        response: { 200: ProjectGuide, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => {
      const projectId = (await findEntry(request.params.projectId)).project.id;
      const { baseRevision, text } = request.body;
      const createdAt = new Date(app.now()).toISOString();
      const result = await database.write((trx) => createGuidesRepository(trx).append(projectId, baseRevision, text, currentUser(request).id, createdAt));
      if (!result.stored) {
        throw conflict(
          `The guide is at revision ${result.current.revision} (saved by ${result.current.updatedBy ?? 'nobody'}), not ${request.body.baseRevision}: reload it and apply your changes again`,
          'STALE_GUIDE',
          { current: result.current },
        );
      }
      return result.guide;
    },
  );

  app.patch(
    '/projects/:projectId/settings',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['projects'],
        description:
          "Changes the project's quorum, its panel policy (`panel`: `{\"mode\": \"fixed\"}`, every item gets the panel size of verdicts; `{\"mode\": \"adaptive\", \"min\": 2, \"max\": 5}`, an item is final as soon as min verdicts settle it and gets more experts up to max while they do not, then the lead), or both, and re-aggregates every judged item with them: agreed items may become disputed or in review and the reverse; a lead's decision stands. 400 VALIDATION for an adaptive min below 2, a max below min or above 50. The first judged items are re-aggregated in the same transaction as the change (a small project is done before the answer: `reaggregation` null); a larger project's others follow in the background, a few at a time between other requests, and `reaggregation` (here and on the dashboard) says how far it is. `modelEvidence` (`shown`, `hidden-until-judged`, `experiment`) says whether experts see the models before judging; it changes no aggregate, so it alone re-aggregates nothing, and it applies to the items each expert opens from then on (their verdicts record how they judged). `aggregation` (`quorum`, `dawid-skene`) says how verdicts become final labels: under `dawid-skene` each class is decided by its posterior P(present) under each expert's estimated confusion matrix (correct at or above 0.8, wrong at or below 0.2, disputed between); a change re-aggregates every judged item, and turning it on starts an estimation of the experts' matrices in the background (GET /api/projects/:projectId/aggregation says how far), whose model re-aggregates the project again once in force. Admins only.",
        params: ProjectParams,
        body: ProjectSettingsRequest,
        response: { 200: ProjectSettings, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => settings.update(request.params.projectId, request.body),
  );

  app.get(
    '/projects/:projectId/aggregation',
    {
      preHandler: requireRole('lead', 'admin'),
      schema: {
        tags: ['projects'],
        description:
          "The project's aggregation and its Dawid–Skene model in force: the band that decides a class, the class priors (original label, other classes), each estimated expert's confusion matrix (P(judgement | absent), P(judgement | present), and whether gold items hold a row fixed), the rows of an expert not yet estimated, the last estimation (null before the first) and the one under way in the background (its EM pass and the items read in it). Leads and admins.",
        params: ProjectParams,
        response: { 200: AggregationModel, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => settings.aggregationModel(request.params.projectId),
  );

  app.post(
    '/projects/:projectId/aggregation/estimate',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['projects'],
        description:
          "Starts estimating the experts' confusion matrices now (over again if an estimation was under way), in the background, without waiting for the verdicts to grow by a tenth (which starts one by itself); once in force the model re-aggregates the project. Answers the model as GET /aggregation does, `estimation` saying how far. 409 NOT_DAWID_SKENE when the project aggregates by quorum. Admins only.",
        params: ProjectParams,
        response: { 200: AggregationModel, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => settings.estimateNow(request.params.projectId),
  );
};
