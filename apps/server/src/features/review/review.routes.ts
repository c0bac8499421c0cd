import {
  ClaimResponse,
  ErrorResponse,
  IdempotencyHeaders,
  ItemParams,
  ItemVerdicts,
  MyVerdictsPage,
  MyVerdictsQuery,
  NextQuery,
  ProjectParams,
  RevealRequest,
  ReviewItem,
  SkipResponse,
  StaleRevisionResponse,
  SubmittedVerdict,
  VerdictDraft,
  VerdictDraftRequest,
  VerdictRequest,
} from '@bagel/contracts';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { currentUser, requireRole } from '../../plugins/authentication';
import type { ImageSources } from '../images/image-sources';
import { createReviewService } from './review.service';

export interface ReviewRoutesOptions {
  /** The projects' image sources (to tell whether an image is missing). */
  images: ImageSources;
}

// Experts and leads judge items; a lead's verdict counts in the panel like an expert's. Admins manage users and
// projects and do not judge, so a panel is never filled by an account that is not meant to review.
const reviewers = requireRole('expert', 'lead');

export const reviewRoutes: FastifyPluginAsyncZod<ReviewRoutesOptions> = async (app, options) => {
  const review = createReviewService(app.database, { now: app.now, images: options.images });

  app.get(
    '/projects/:projectId/my-verdicts',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          'The signed-in reviewer’s own current verdicts in the project, most recent first, each with its item in brief and whether it may still be revised (not once agreed or final). Never anyone else’s verdict. Experts and leads.',
        params: ProjectParams,
        querystring: MyVerdictsQuery,
        response: { 200: MyVerdictsPage, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => review.myVerdicts(currentUser(request), request.params.projectId, request.query),
  );

  app.get(
    '/projects/:projectId/next',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          'The highest-priority item this expert has not judged that still lacks verdicts, reserved for them by a claim. A repeated call returns the item already held. With `after`, claims ahead: another item than that one, so the next item can load while the expert works (an expert holds at most two claims this way). Experts and leads; an admin gets 403.',
        params: ProjectParams,
        querystring: NextQuery,
        response: { 200: ReviewItem, 204: z.undefined().describe('Nothing is left for this expert'), 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      const item = await review.next(currentUser(request), request.params.projectId, request.query.after);
      return item ? item : reply.code(204).send();
    },
  );

  app.get(
    '/items/:itemId',
    { schema: { tags: ['review'], params: ItemParams, response: { 200: ReviewItem, 404: ErrorResponse } } },
    async (request) => review.item(currentUser(request), request.params.itemId),
  );

  app.post(
    '/items/:itemId/reveal',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          "Anchoring control: with the models hidden from the signed-in reviewer (ReviewItem.modelEvidence.hidden), sends their judgement of every candidate and answers the item with its models, original label and sources, to grade the models' mistakes. The judgements are kept as sent, the first time (the dashboard's measure of what showing the models does reads them); the verdict is submitted as usual afterwards and may differ. An item whose models the reviewer already sees is answered as it is, storing nothing. 400 CANDIDATES_NOT_JUDGED while a candidate shown has no judgement, UNKNOWN_CLASS for a key outside the vocabulary. Experts and leads.",
        params: ItemParams,
        body: RevealRequest,
        response: { 200: ReviewItem, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => review.reveal(currentUser(request), request.params.itemId, request.body.labels),
  );

  app.post(
    '/items/:itemId/verdicts',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          "Stores a new revision of the signed-in expert's verdict; every revision is kept, and the item's aggregate is recomputed in the same transaction (the expert's draft of the item is deleted). 409 STALE_REVISION on a stale `baseRevision`, ITEM_FINAL once the item is agreed or final (until the lead reopens it). A first verdict needs a free panel slot: 409 PANEL_FULL when panelSize experts have a verdict, or the other slots are held by other experts' live claims (a verdict without a claim of one's own is taken while a slot is free); 409 PANEL_SEEN from a reviewer who has seen the panel's verdicts (a lead at the desk). A revision stored after its expert saw the panel's verdicts is marked afterSeeingPanel. With an `Idempotency-Key`, a repeat answers exactly as the first request did and stores nothing more; the key with another item or body is 422 IDEMPOTENCY_KEY_REUSED. Where the project's goldFeedback is on (off by default), an expert's answer to a gold item served to them carries `goldFeedback`: how it compares with the gold answer. Experts and leads; an admin gets 403.",
        params: ItemParams,
        headers: IdempotencyHeaders,
        body: VerdictRequest,
        response: {
          201: SubmittedVerdict,
          400: ErrorResponse,
          403: ErrorResponse,
          404: ErrorResponse,
          409: z.union([StaleRevisionResponse, ErrorResponse]),
          422: ErrorResponse,
        },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await review.submitVerdict(currentUser(request), request.params.itemId, request.body, request.headers['idempotency-key'])),
  );

  app.get(
    '/items/:itemId/draft',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description: "The signed-in reviewer's own draft on the item (404 NO_DRAFT when they have none). Never anyone else's: blind review. Experts and leads.",
        params: ItemParams,
        response: { 200: VerdictDraft, 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request) => review.draftOf(currentUser(request), request.params.itemId),
  );

  app.put(
    '/items/:itemId/draft',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          "Saves the signed-in reviewer's verdict in progress on the item, replacing their earlier draft (the review screen saves it as the reviewer works). 409 DRAFT_STALE when `baseRevision` is not their current revision. Experts and leads.",
        params: ItemParams,
        body: VerdictDraftRequest,
        response: { 200: VerdictDraft, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => review.saveDraft(currentUser(request), request.params.itemId, request.body),
  );

  app.delete(
    '/items/:itemId/draft',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description: "Deletes the signed-in reviewer's own draft on the item, if any (204 either way). Experts and leads.",
        params: ItemParams,
        response: { 204: z.undefined(), 403: ErrorResponse, 404: ErrorResponse },
      },
    },
    async (request, reply) => {
      await review.deleteDraft(currentUser(request), request.params.itemId);
      return reply.code(204).send();
    },
  );

  app.get(
    '/items/:itemId/verdicts',
    {
      schema: {
        tags: ['review'],
        description:
          "Blind review: an expert sees the panel's current verdicts only after submitting their own (an empty list before); leads and admins see them all. The first answer holding another reviewer's verdict is recorded for an expert or lead: their later revisions are marked afterSeeingPanel, and a lead without a verdict then no longer joins the panel.",
        params: ItemParams,
        response: { 200: ItemVerdicts, 404: ErrorResponse },
      },
    },
    async (request) => ({ verdicts: await review.verdictsVisibleTo(currentUser(request), request.params.itemId) }),
  );

  app.post(
    '/items/:itemId/claim',
    {
      preHandler: reviewers,
      schema: {
        tags: ['review'],
        description:
          "Renews the signed-in expert's claim on an item they have not judged yet (the review screen does so while the expert is on it), or takes it anew once expired, if a panel slot is free and they hold fewer than two other claims in the project. 409 PANEL_FULL, TOO_MANY_CLAIMS, ALREADY_JUDGED (a revision needs no claim), ITEM_FINAL, PANEL_SEEN. Experts and leads; an admin gets 403.",
        params: ItemParams,
        response: { 200: ClaimResponse, 400: ErrorResponse, 403: ErrorResponse, 404: ErrorResponse, 409: ErrorResponse },
      },
    },
    async (request) => review.claim(currentUser(request), request.params.itemId),
  );

  app.post(
    '/items/:itemId/skip',
    { preHandler: reviewers, schema: { tags: ['review'], params: ItemParams, response: { 200: SkipResponse, 403: ErrorResponse, 404: ErrorResponse } } },
    async (request) => {
      await review.skip(currentUser(request), request.params.itemId);
      return { skipped: true as const };
    },
  );
};
